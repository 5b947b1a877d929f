"""Tortoise models, the SQL the ORM cannot express, and schema migrations."""

MODEL_MODULES = ["models.audit_log", "models.access", "models.export_job", "models.stream"]
