"""The live tail: new entries pushed to subscribers as they are recorded."""
