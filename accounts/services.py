"""Account writes."""

from axes.utils import reset as axes_reset
from django.db import transaction

from .models import User


@transaction.atomic
def user_register(
    *, email: str, password: str, display_name: str = "", language: str = "en"
) -> User:
    """Create a shopper account."""
    return User.objects.create_user(
        email=email, password=password, display_name=display_name, preferred_language=language
    )


def login_failures_clear(*, email: str) -> int:
    """Forget the failed log-ins counted against an account (its lockout ends): called when
    its owner proved who they are by resetting the password. Returns the rows removed."""
    return axes_reset(username=email.strip().lower())
