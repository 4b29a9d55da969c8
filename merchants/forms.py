"""Forms of the application pages, the team pages and the payout page. They only check and
shape input; the services hold the rules and do the writing."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from marketplace.clearance_labels import sku_mode_choices
from marketplace.countries import country_choices

from .models import MerchantApplication
from .roles import Role
from .services import ApplicationDetails
from .validators import (
    LICENCE_MAX_BYTES,
    SWIFT_VALIDATOR,
    normalise_account_number,
    validate_account_number,
    validate_licence_file,
)

# Catalog's categories, reached through the application's own relation (merchants sits below
# catalog and imports nothing from it; docs/ARCHITECTURE.md, "Layers").
Category = MerchantApplication.categories.field.related_model


def _country_choices():
    """The kernel's country list, named in the page's language (evaluated per form)."""
    return [("", "—"), *country_choices()]


class CategoryChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ApplicationForm(forms.ModelForm):
    """The company's part of the application (the same form for updating it)."""

    country = forms.TypedChoiceField(label=_("country"), choices=_country_choices)
    categories = CategoryChoiceField(
        label=_("What will you sell?"),
        queryset=Category.objects.filter(is_active=True, parent__isnull=True),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one category.")},
    )
    trade_modes = forms.MultipleChoiceField(
        label=_("How will your goods cross the border?"),
        choices=sku_mode_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one trade mode.")},
    )
    kind = forms.ChoiceField(
        label=_("kind of merchant"),
        choices=MerchantApplication.Kind.choices,
        widget=forms.RadioSelect,
        initial=MerchantApplication.Kind.THIRD_PARTY,
    )
    licence_file = forms.FileField(
        label=_("business licence (PDF, JPEG or PNG)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
        validators=[validate_licence_file],
    )
    payout_account_number = forms.CharField(
        label=_("account number or IBAN"),
        max_length=50,
        validators=[validate_account_number],
        help_text=_("Stored encrypted and only ever shown masked."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    class Meta:
        model = MerchantApplication
        fields = [
            "kind",
            "company_name_zh_hans",
            "company_name_en",
            "country",
            "licence_number",
            "licence_file",
            "contact_name",
            "contact_email",
            "contact_phone",
            "categories",
            "trade_modes",
            "payout_bank_name",
            "payout_account_holder",
            "payout_account_number",
            "payout_swift",
        ]

    def __init__(self, *args, updating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.updating = updating
        # Formatted per request so the help text is in the page's language.
        self.fields["licence_file"].help_text = _("A scan or photo, at most %(limit)s MB.") % {
            "limit": LICENCE_MAX_BYTES // (1024 * 1024)
        }
        if updating:
            # The stored file and account number are kept unless new ones are given.
            self.fields["licence_file"].required = False
            self.fields["payout_account_number"].required = False
            self.fields["payout_account_number"].help_text = _(
                "Leave empty to keep %(masked)s."
            ) % {"masked": self.instance.payout_account_masked}
            self.initial["payout_account_number"] = ""
            self.fields["licence_file"].widget = forms.FileInput(
                attrs={"accept": ".pdf,.jpg,.jpeg,.png"}
            )
            self.fields["licence_file"].help_text = _("Leave empty to keep the file you sent.")

    def clean_payout_swift(self):
        value = self.cleaned_data["payout_swift"].replace(" ", "").upper()
        SWIFT_VALIDATOR(value)
        return value

    def clean_payout_account_number(self):
        return normalise_account_number(self.cleaned_data.get("payout_account_number", ""))

    def details(self) -> ApplicationDetails:
        """The cleaned input as the services take it (the page and the API both send it)."""
        data = self.cleaned_data
        upload = data.get("licence_file")
        return ApplicationDetails(
            kind=data["kind"],
            company_name_zh_hans=data["company_name_zh_hans"],
            company_name_en=data["company_name_en"],
            country=data["country"],
            licence_number=data["licence_number"],
            # Only a new upload replaces the file (an unchanged field yields the stored one).
            licence_file=upload if isinstance(upload, UploadedFile) else None,
            contact_name=data["contact_name"],
            contact_email=data["contact_email"],
            contact_phone=data["contact_phone"],
            categories=list(data["categories"]),
            trade_modes=list(data["trade_modes"]),
            payout_bank_name=data["payout_bank_name"],
            payout_account_holder=data["payout_account_holder"],
            payout_account_number=data.get("payout_account_number", ""),
            payout_swift=data["payout_swift"],
        )

    def _post_clean(self):
        # The services run the model's full validation; skipping it here avoids reading the
        # upload twice and assigning it to the instance before the service names it.
        pass


class AccountForm(forms.Form):
    """For visitors without an account: the account is created with the application."""

    email = forms.EmailField(label=_("Email address"))
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html,
    )
    password2 = forms.CharField(
        label=_("Password confirmation"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        one, two = cleaned.get("password1"), cleaned.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("The two passwords do not match."))
        return cleaned


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.STAFF)


class InvitationSignupForm(forms.Form):
    """An invitee without an account sets a password; the email is the invited one."""

    display_name = forms.CharField(label=_("Your name"), max_length=120, required=False)
    password1 = AccountForm.base_fields["password1"]
    password2 = AccountForm.base_fields["password2"]

    def clean(self):
        cleaned = super().clean()
        one, two = cleaned.get("password1"), cleaned.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("The two passwords do not match."))
        return cleaned


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class PayoutForm(forms.Form):
    bank_name = forms.CharField(label=_("bank name"), max_length=120)
    account_holder = forms.CharField(label=_("account holder"), max_length=120)
    account_number = forms.CharField(
        label=_("account number or IBAN"),
        max_length=50,
        required=False,
        validators=[validate_account_number],
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    swift = forms.CharField(label=_("SWIFT/BIC code"), max_length=14)

    def __init__(self, *args, masked: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if masked:
            self.fields["account_number"].help_text = _("Leave empty to keep %(masked)s.") % {
                "masked": masked
            }
        else:
            self.fields["account_number"].required = True

    def clean_swift(self):
        value = self.cleaned_data["swift"].replace(" ", "").upper()
        SWIFT_VALIDATOR(value)
        return value


class ReasonForm(forms.Form):
    """A reason or a message an operator writes (shown to the merchant or applicant)."""

    reason = forms.CharField(
        label=_("Reason or message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )
