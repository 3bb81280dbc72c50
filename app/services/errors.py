"""The one error a use case raises when it refuses a request."""
from __future__ import annotations


class ServiceError(Exception):
    """A refused request, in Vietnamese. `status` is the HTTP status a view answers with;
    `fields` maps the fields (form fields, `form.x`, `documents.x`, ...) to their messages."""

    def __init__(self, message: str, status: int = 422, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message, self.status, self.fields = message, status, fields or {}

    @classmethod
    def on(cls, field: str, message: str, status: int = 422) -> ServiceError:
        """A refusal about one field."""
        return cls(message, status, {field: message})
