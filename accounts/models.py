"""The user: one table for shoppers, merchant staff (via memberships) and operators."""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _


def is_operator(user) -> bool:
    """The one definition of a platform operator: a signed-in, **active** staff account.

    A deactivated staff account is no operator anywhere (services, the back office, the
    API's ``is_operator``). History labels that name who acted say "operator" for any staff
    account, past or present, so an operator who has left is not shown by email."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
    )


def require_operator(by, message=None) -> None:
    """Refuse (``PermissionDenied``) unless ``by`` is an operator (``is_operator``)."""
    if not is_operator(by):
        raise PermissionDenied(message or _("Only operators may do this."))


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """Logs in with an email address. Operators are ``is_staff`` users; merchant staff are
    users with a ``merchants.Membership``; everyone else is a shopper."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=120, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=[("zh-hans", "中文"), ("en", "English")],
        default="en",
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.email

    @property
    def is_operator(self) -> bool:
        return is_operator(self)
