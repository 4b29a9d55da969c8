"""Cart forms: plain POST forms that work without JavaScript."""

from django import forms
from django.utils.translation import gettext_lazy as _

from logistics.shipping.regions import CN_PROVINCES, place_name
from marketplace.countries import country_choices
from marketplace.i18n import page_language
from orders.services import MAX_QUANTITY


class AddToCartForm(forms.Form):
    sku = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY)


class QuantityForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, max_value=MAX_QUANTITY)


def province_choices() -> list[tuple[str, str]]:
    """China's provinces by name in the page language, after an empty choice."""
    language = page_language()
    return [("", "—")] + sorted(
        ((code, place_name(code, language)) for code in CN_PROVINCES),
        key=lambda choice: choice[1],
    )


class DestinationForm(forms.Form):
    country = forms.ChoiceField(label=_("Ship to"), choices=())
    province = forms.ChoiceField(label=_("Province (China)"), choices=(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = country_choices()
        self.fields["province"].choices = province_choices()
