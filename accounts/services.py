"""Account writes."""

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
