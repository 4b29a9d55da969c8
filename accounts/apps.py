from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    # The module holds two configs, so Django needs telling which one "accounts" means
    # (without it the app got a bare default config, named "Accounts" in every language).
    default = True
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from accounts import menu  # models are loaded only now

        menu.connect()


class AxesConfig(AxesAppConfig):
    """django-axes (log-in lockout), named for the back office."""

    verbose_name = _("Log-in lockout")
