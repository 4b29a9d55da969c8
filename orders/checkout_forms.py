"""Checkout forms: the destination address (fields per country, checked by
``orders.services.address_clean``) and,
for imports into China, the payer's customs identity. Plain POST forms; the page works
without JavaScript (changing the country or province re-plans with the "Update" button)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from customs.identity import validate_id_number
from logistics.postcodes import postcode_example
from logistics.shipping.regions import CN_PROVINCES
from marketplace.countries import country_choices
from marketplace.forms import form_add_service_errors
from orders.forms import province_choices
from orders.models import ADDRESS_FIELDS
from orders.services import address_clean

CHINA = "CN"
NEW = "new"


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


class SavedChoice:
    """A form whose ``saved`` radio picks one of the shopper's saved entries (``NEW``: the
    fields below it)."""

    def picked(self, saved: dict):
        """The saved entry picked (bound: as posted; unbound: the initial one), or None."""
        if "saved" not in self.fields:
            return None
        key = self.data.get(self.add_prefix("saved")) if self.is_bound else None
        key = key if key is not None else self.initial.get("saved")
        return saved.get(str(key)) if key and key != NEW else None


class AddressForm(SavedChoice, forms.Form):
    """Where the orders go. ``saved`` picks one of the shopper's saved addresses (``NEW``:
    the fields below); the fields are checked by ``orders.services.address_clean``."""

    saved = forms.ChoiceField(label=_("Saved addresses"), required=False, widget=forms.RadioSelect)
    name = forms.CharField(label=_("Recipient's name"), max_length=60, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    country = forms.ChoiceField(label=_("Country"), choices=())
    province = forms.ChoiceField(label=_("Province"), choices=(), required=False)
    city = forms.CharField(label=_("City"), max_length=60, required=False)
    district = forms.CharField(label=_("District"), max_length=60, required=False)
    lines = forms.CharField(
        label=_("Street address"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    postcode = forms.CharField(label=_("Postal code"), max_length=12, required=False)
    remember = forms.BooleanField(label=_("Save this address to my account"), required=False)
    # not part of the address: the points to redeem on this checkout (docs/MARKETING.md)
    points = forms.IntegerField(label=_("Points to redeem"), min_value=0, required=False)
    # a coupon code typed at checkout: claimed and applied (docs/MARKETING.md, "picker")
    coupon_code = forms.CharField(label=_("Coupon code"), max_length=40, required=False)

    def __init__(self, *args, saved_addresses=(), **kwargs):
        super().__init__(*args, prefix="address", label_suffix="", **kwargs)
        self.saved_addresses = {str(a.pk): a.as_address() for a in saved_addresses}
        labels = {str(a.pk): _saved_label(a) for a in saved_addresses}
        self.fields["country"].choices = country_choices()
        self.fields["province"].choices = province_choices()
        if self.saved_addresses:
            self.fields["saved"].choices = [(key, labels[key]) for key in self.saved_addresses] + [
                (NEW, _("A new address"))
            ]
        else:
            del self.fields["saved"]

    @property
    def destination(self) -> str:
        """The country the form stands for (bound: as posted, else as initially given)."""
        chosen = self._chosen_saved()
        if chosen:
            return chosen["country"]
        value = self.data.get(self.add_prefix("country")) if self.is_bound else None
        return (value or self.initial.get("country") or CHINA).upper()

    @property
    def destination_province(self) -> str:
        chosen = self._chosen_saved()
        if chosen:
            return chosen.get("province") or ""
        value = self.data.get(self.add_prefix("province")) if self.is_bound else None
        value = value if value is not None else self.initial.get("province")
        return value if self.destination == CHINA and value in CN_PROVINCES else ""

    @property
    def is_china(self) -> bool:
        return self.destination == CHINA

    @property
    def postcode_example(self) -> str:
        return postcode_example(self.destination)

    def _chosen_saved(self):
        return self.picked(self.saved_addresses)

    def clean(self):
        data = super().clean()
        chosen = self._chosen_saved()
        self.saved_pick = chosen is not None
        address = chosen or {field: data.get(field) or "" for field in ADDRESS_FIELDS}
        if not chosen and address["country"] != CHINA:
            address["province"] = ""
        try:
            self.address = address_clean(address)
        except forms.ValidationError as exc:
            form_add_service_errors(self, exc)
            self.address = address
        return data


def _saved_label(saved) -> str:
    """A saved address as its radio reads: label, recipient, city, street."""
    parts = (saved.label, saved.name, saved.city, saved.lines)
    return " · ".join(part for part in parts if part)


class IdentityForm(SavedChoice, forms.Form):
    """The payer's customs identity (imports into China): a saved one, or a new one (name on
    the identity card, the 18-character number with its check character, a phone)."""

    saved = forms.ChoiceField(label=_("Saved identities"), required=False, widget=forms.RadioSelect)
    name = forms.CharField(label=_("Name on the identity card"), max_length=60, required=False)
    id_number = forms.CharField(
        label=_("Identity card number"),
        max_length=18,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    phone = forms.CharField(label=_("Payer's phone"), max_length=30, required=False)
    remember = forms.BooleanField(label=_("Save this identity to my account"), required=False)

    def __init__(self, *args, saved_identities=(), **kwargs):
        super().__init__(*args, prefix="identity", label_suffix="", **kwargs)
        self.saved_identities = {str(identity.pk): identity for identity in saved_identities}
        if self.saved_identities:
            self.fields["saved"].choices = [
                (key, f"{identity.name} {identity.id_masked}")
                for key, identity in self.saved_identities.items()
            ] + [(NEW, _("Another identity"))]
        else:
            del self.fields["saved"]

    def chosen_saved(self):
        return self.picked(self.saved_identities)

    def clean(self):
        data = super().clean()
        chosen = self.chosen_saved()
        phone = "".join((data.get("phone") or "").split())
        if chosen:
            self.identity = {"saved_id": chosen.pk, "phone": phone}
            return data
        for field in ("name", "id_number"):
            if not (data.get(field) or "").strip():
                self.add_error(field, _("This field is required."))
        number = ""
        if data.get("id_number"):
            try:
                number = validate_id_number(data["id_number"])
            except forms.ValidationError as exc:
                self.add_error("id_number", exc)
        self.identity = {
            "name": (data.get("name") or "").strip(),
            "id_number": number,
            "phone": phone,
        }
        return data
