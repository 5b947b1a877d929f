"""GraphQL enums: the domain enums, registered with strawberry as they are."""

from __future__ import annotations

import strawberry

from auth.principal import Permission, Role
from catalogue import Category
from models.access import ApiTokenRole, GrantableRole
from models.audit_log import ActorType, Outcome
from models.export_job import ExportFormat, JobStatus
from resolvers.audit_logs import Order
from resolvers.facets import FacetField
from resolvers.histogram import Interval

# strawberry.enum marks the class itself, so the domain enums serve as GraphQL types.
strawberry.enum(ActorType, description="Who performed an activity.")
strawberry.enum(Outcome, description="Whether the activity succeeded.")
strawberry.enum(Order, name="AuditLogOrder", description="Listing order.")
strawberry.enum(Role, description="A role a caller holds, from its token or a grant.")
strawberry.enum(GrantableRole, description="A role an admin can grant to a user.")
strawberry.enum(Permission, description="Something the caller may do.")
strawberry.enum(ApiTokenRole, description="The access an API token gives.")
strawberry.enum(Category, name="AuditCategory", description="A group of actions.")
strawberry.enum(FacetField, description="A field to count entries by.")
strawberry.enum(Interval, name="HistogramInterval", description="Histogram bucket width.")
strawberry.enum(ExportFormat, description="The file format of an export.")
strawberry.enum(
    JobStatus,
    name="AuditLogExportStatus",
    description="Where an export stands: QUEUED, RUNNING, then SUCCEEDED (its file can be "
    "downloaded until expiresAt), FAILED (see failureReason) or EXPIRED (its file was removed).",
)

__all__ = [
    "ActorType",
    "ApiTokenRole",
    "Category",
    "ExportFormat",
    "FacetField",
    "GrantableRole",
    "Interval",
    "JobStatus",
    "Order",
    "Outcome",
    "Permission",
    "Role",
]
