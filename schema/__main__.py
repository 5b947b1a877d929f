"""Print the schema's SDL: `python -m schema > schema/schema.graphql`."""

import sys

from schema import build_schema

sys.stdout.write(build_schema().as_str() + "\n")
