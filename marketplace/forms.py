"""Form plumbing shared by every app's pages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def form_add_service_errors(
    form: forms.Form, exc: ValidationError, names: dict[str, str] | None = None
) -> None:
    """Show a service's ``ValidationError`` on ``form``, each message on its field.

    ``names`` maps a service's field name to the form's where they differ; a message for a
    field the form does not have is shown at the top of the form."""
    names = names or {}
    if hasattr(exc, "error_dict"):
        for name, messages_ in exc.message_dict.items():
            field = names.get(name, name)
            for message in messages_:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)
