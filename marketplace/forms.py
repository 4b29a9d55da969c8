"""Form plumbing shared by every app's pages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def form_add_service_errors(
    form: forms.BaseForm, exc: ValidationError, names: dict[str, str] | None = None
) -> None:
    """Show a service's ``ValidationError`` on ``form``, each message on its field.

    This is the one adapter from a service's errors to a page (the API's is
    ``marketplace.api.errors``). ``names`` maps a service's field name to the form's where
    they differ; ``""`` means the caller shows that field's errors elsewhere. A message for
    a field the form does not have is shown at the top of the form, so nothing is dropped,
    and a message already shown on a field is not repeated (several service fields may name
    one form field)."""
    names = names or {}
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for name, messages_ in exc.message_dict.items():
        field = names.get(name, name)
        if field == "":
            continue
        target = field if field in form.fields else None
        shown = form.errors.get(target or forms.forms.NON_FIELD_ERRORS, [])
        for message in messages_:
            if message not in shown:
                form.add_error(target, message)


def form_error_messages(form: forms.BaseForm) -> list[str]:
    """Every message of an invalid ``form``, top-of-form ones first, then field by field:
    for actions that answer with a redirect and flash messages (a button's small form)
    rather than by showing the form again. Raise them as one ``ValidationError`` where the
    view already turns a service's errors into messages."""
    return [message for errors in form.errors.values() for message in errors]
