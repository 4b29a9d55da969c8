from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from marketplace.i18n import page_language

from .models import User


class SignupForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email", "display_name", "preferred_language")

    def __init__(self, *args, **kwargs):
        # The preferred language starts as the page's: someone signing up on the Chinese
        # page was offered English (the model's default) before.
        kwargs["initial"] = {"preferred_language": page_language(), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autofocus": True})
    )
