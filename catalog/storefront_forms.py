"""The storefront's filter form (category listing, merchant page, search).

Bad values are reported next to their field in the shopper's language and ignored; the page
still shows results for the filters that are valid.
"""

from decimal import Decimal

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from catalog.selectors.storefront import ListingFilters, NamedRef, Sort
from marketplace.clearance_labels import sku_mode_choices

SORT_LABELS = {
    Sort.RELEVANCE: _("Best match"),
    Sort.NEWEST: _("Newest"),
    Sort.PRICE_ASC: _("Price: low to high"),
    Sort.PRICE_DESC: _("Price: high to low"),
}


class ListingFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    # free text checked against the facets: setting hundreds of choices per request is slow
    brand = forms.CharField(label=_("Brand"), required=False, max_length=80)
    merchant = forms.CharField(label=_("Merchant"), required=False, max_length=80)
    trade_mode = forms.ChoiceField(
        label=_("Customs clearance"),
        required=False,
        choices=[("", _("Any"))] + sku_mode_choices(),
    )
    price_min = forms.DecimalField(
        label=_("Lowest price"), required=False, min_value=Decimal(0), max_digits=12,
        decimal_places=2,
    )  # fmt: skip
    price_max = forms.DecimalField(
        label=_("Highest price"), required=False, min_value=Decimal(0), max_digits=12,
        decimal_places=2,
    )  # fmt: skip
    in_stock = forms.BooleanField(label=_("In stock only"), required=False)
    self_operated = forms.BooleanField(label=_("Self-operated only"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False)
    page = forms.IntegerField(label=_("Page"), required=False, min_value=1, max_value=100000)

    def __init__(
        self,
        data,
        *,
        brands: list[NamedRef] = (),
        merchants: list[NamedRef] | None = None,
        search: bool = False,
    ):
        super().__init__(data)
        self.currency = ""
        self.brands = {b.slug: b for b in brands}
        self.merchants = {m.slug: m for m in merchants or []}
        # plain attributes on CharFields, built only if the template renders the form (the
        # template calls them): hundreds of choices per request would dominate the page
        self.fields["brand"].choices = lambda: [("", _("Any"))] + [(b.slug, b.name) for b in brands]
        self.fields["merchant"].choices = lambda: (
            [("", _("Any"))] + [(m.slug, m.name) for m in merchants or []]
        )
        if merchants is None:
            del self.fields["merchant"]
        sorts = Sort.ALL if search else (Sort.NEWEST, Sort.PRICE_ASC, Sort.PRICE_DESC)
        self.fields["sort"].choices = [(s, SORT_LABELS[s]) for s in sorts]
        self.default_sort = Sort.RELEVANCE if search else Sort.NEWEST
        if not search:
            del self.fields["q"]

    @property
    def currency_label(self) -> str:
        from marketplace.currency import currency_label

        return currency_label(self.currency, get_language() or "en") if self.currency else ""

    def _known(self, name: str, known: dict):
        value = self.cleaned_data.get(name) or ""
        if value and value not in known:
            raise forms.ValidationError(_("Select one of the listed choices."))
        return value

    def clean_brand(self):
        return self._known("brand", self.brands)

    def clean_merchant(self):
        return self._known("merchant", self.merchants)

    def clean(self):
        data = super().clean()
        low, high = data.get("price_min"), data.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error("price_max", _("The highest price must not be below the lowest."))
        return data

    def _value(self, name):
        """A field's cleaned value, or None when it was left out or is not valid."""
        if name in self.errors or not hasattr(self, "cleaned_data"):
            return None
        return self.cleaned_data.get(name)

    @property
    def page_number(self) -> int:
        return self._value("page") or 1

    @property
    def query(self) -> str:
        return (self._value("q") or "").strip()

    def filters(self, *, currency: str, **fixed) -> ListingFilters:
        """The valid part of the form as ``ListingFilters`` (``fixed`` wins, e.g. the
        category of the page)."""
        self.is_valid()
        self.currency = currency
        brand = self.brands.get(self._value("brand") or "")
        merchant = self.merchants.get(self._value("merchant") or "")
        values = {
            "brand_id": brand.id if brand else None,
            "merchant_id": merchant.id if merchant else None,
            "trade_mode": self._value("trade_mode") or "",
            "price_min": self._value("price_min"),
            "price_max": self._value("price_max"),
            "currency": currency,
            "in_stock": bool(self._value("in_stock")),
            "self_operated": bool(self._value("self_operated")),
            "sort": self._value("sort") or self.default_sort,
        }
        values.update(fixed)
        return ListingFilters(**values)
