"""A schema extension that tells the request's observation its operation and errors."""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from observability.observation import current_observation


class OperationObserver(SchemaExtension):
    """Note the operation name and the errors' codes once the operation has run.

    Put it before the extension that gives errors their codes, so that its clean-up
    runs after that one.
    """

    def on_operation(self) -> Iterator[None]:
        yield
        observation = current_observation()
        if observation is None:
            return
        context = self.execution_context
        try:
            observation.operation = context.operation_name
        except Exception:  # an unparsable document has no operation to name
            observation.operation = None
        errors = getattr(context.result, "errors", None) or []
        for error in errors:
            code = (error.extensions or {}).get("code")
            observation.error_codes.append(str(code) if code else "INTERNAL_SERVER_ERROR")
