"""The account's address book forms: an address (the checkout's fields and rule) with a label
and "default", and a customs identity (name and number, checked by the customs service)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from orders.checkout_forms import AddressForm


class SavedAddressForm(AddressForm):
    """One saved address: the checkout's address fields (``address_clean`` checks them), a
    label and whether it is the default."""

    label = forms.CharField(label=_("Label (e.g. home, office)"), max_length=40, required=False)
    default = forms.BooleanField(label=_("Use as my default address"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["remember"]


class SavedIdentityForm(forms.Form):
    """A customs identity to save: the number is checked (and stored encrypted) by
    ``customs.services.buyer_identity_save``."""

    name = forms.CharField(label=_("Name on the identity card"), max_length=60)
    id_number = forms.CharField(
        label=_("Identity card number"),
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="identity", label_suffix="", **kwargs)
