"""Storefront pages: home, category listing, product, merchant, search.

Thin: each view reads through ``catalog.selectors.storefront`` and renders. Prices are shown
in the shopper's display currency by the ``{% price %}`` tag (marketplace.templatetags.money).
"""

from functools import lru_cache, wraps

from django.core.cache import cache
from django.http import Http404, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from catalog import offers
from catalog.selectors import storefront as sf
from catalog.storefront_forms import ListingFilterForm
from marketplace import pagecache
from marketplace.clearance import ClearanceMode
from marketplace.clearance_labels import mode_label
from marketplace.countries import country_name
from marketplace.currency import display_currency, display_rates_fingerprint
from marketplace.i18n import page_language
from merchants.selectors import merchants_public

AVAILABILITY_LABELS = {
    sf.Availability.IN_STOCK: _("In stock"),
    sf.Availability.LOW_STOCK: _("Low stock"),
    sf.Availability.OUT_OF_STOCK: _("Out of stock"),
}
# Attribute names merchants commonly use; others are shown as written (they are data).
ATTRIBUTE_LABELS = {
    "size": _("Size"),
    "colour": _("Colour"),
    "color": _("Colour"),
    "weight": _("Weight"),
    "volume": _("Volume"),
    "flavour": _("Flavour"),
    "flavor": _("Flavour"),
    "material": _("Material"),
    "model": _("Model"),
    "style": _("Style"),
    "capacity": _("Capacity"),
    "stage": _("Stage"),
    "pack": _("Pack"),
}
WAREHOUSE_KIND_LABELS = {
    "bonded": _("Bonded warehouse in China"),
    "overseas": _("Overseas warehouse"),
    "domestic": _("Warehouse in China"),
}


def report_url(product_id: int) -> str | None:
    """The "report this listing" page, when the reports area is installed (its URL name is
    ``catalog_report:create``); None otherwise, and the link is left out."""
    try:
        return reverse("catalog_report:create", args=[product_id])
    except NoReverseMatch:
        return None


def _pagination(id_page: sf.IdPage) -> dict:
    return {
        "page": id_page.page,
        "pages": id_page.pages,
        "total": id_page.total,
        "previous": id_page.page - 1 if id_page.page > 1 else None,
        "next": id_page.page + 1 if id_page.page < id_page.pages else None,
    }


def _past_the_end(request, id_page: sf.IdPage) -> HttpResponseRedirect | None:
    """A redirect to the last page when ``?page=`` is past it (an old link, a catalog that
    shrank), keeping the other parameters; None on a page that exists. Temporary (302): the
    page may exist again tomorrow."""
    if id_page.page <= id_page.pages:
        return None
    query = request.GET.copy()
    if id_page.pages > 1:
        query["page"] = str(id_page.pages)
    else:
        query.pop("page", None)
    return HttpResponseRedirect(f"{request.path}?{query.urlencode()}" if query else request.path)


FRAGMENT_TTL = 300


class Fragments:
    """Rendered pieces of a page kept in the cache (the Django cache framework, Redis in
    production), read together in one round trip with whatever else the page needs.

    Keys carry the storefront version (so any catalog change retires them), the language,
    the display currency and the FX table's digest; ``render`` runs only on a miss. Partials are rendered without the
    request (no context processors): everything they show is passed in.
    """

    def __init__(self, request, version: int, wanted: dict[str, tuple], extra_keys=()):
        self.language = _language()
        self.currency = display_currency(request)
        rates = display_rates_fingerprint()
        self.keys = {
            name: sf.fragment_cache_key(version, name, self.language, self.currency, rates, *parts)
            for name, parts in wanted.items()
        }
        self.found = cache.get_many([*self.keys.values(), *extra_keys])

    def get(self, name: str, template: str, context) -> str:
        key = self.keys[name]
        html = self.found.get(key)
        if html is None:
            context = context() if callable(context) else context
            html = get_template(template).render(
                {**context, "display_currency": self.currency, "LANGUAGE_CODE": self.language}
            )
            cache.set(key, html, FRAGMENT_TTL)
        return mark_safe(html)  # noqa: S308 - our own template output


# Whole pages, the same for every shopper (marketplace.pagecache). A page lives as long as the
# data it shows from the cache: listings as long as their cached ids, and so on.
HOME_TTL = sf.LIST_TTL
LISTING_TTL = sf.LIST_TTL
SEARCH_TTL = sf.SEARCH_TTL
# A product page shows nothing that may lag (detail is versioned; stock, offers, share buttons
# are live slots): its TTL only bounds the cache's memory. Longer than the detail's, so a
# product visited less often than every 5 minutes is still served from the cache.
PRODUCT_TTL = 15 * 60


def storefront_page(namespace: str, timeout: int, *, live=None, live_keys=None):
    """Serve a storefront page from the page cache, to every visitor alike (signed in or not);
    render it on a miss, storing it when nothing in it is personal.

    The page is rendered *shared* (``pagecache.share``): the header's cart link and account
    menu, the flash messages and CSRF tokens are live slots, filled per response
    (``pagecache.personal_live``), so the stored copy is the same for everyone.
    The key holds the path and query, language, display currency, the FX table's digest and
    the storefront version: a catalog change, a new rate or another currency is a new key.
    The version and the page come in one cache round trip (``sf.read_versioned``).
    ``live(meta, request)`` returns the HTML of the page's own live slots; it runs on every
    request, cached page or not, with the ``live_meta`` the view left on its response.
    A view may set ``response.page_timeout`` (seconds) to store its copy for less than
    ``timeout``; 0 stores nothing.
    ``live_keys(meta)``: cache keys ``live`` reads. The page's own read also asks for what its
    slots and the visitor's session read the last time this process served them
    (``pagecache.keys_to_read_with``), so a warm cached page costs one cache round trip,
    signed in or not; what that guess missed is read along with the account menu
    (``pagecache.read_along``) or by the slot itself.
    """

    def fill(entry: pagecache.CachedPage, request, key: str | None) -> dict[str, str]:
        if live_keys is not None:
            wanted = live_keys(entry.meta)
            if key is not None:  # asked for in this page's own round trip next time
                pagecache.remember_live_keys(key, wanted)
            have = pagecache.prefetched(request)
            pagecache.read_along(request, [k for k in wanted if k not in have])
        filled = pagecache.personal_live(request, entry.slots, entry.meta)
        if live is not None:
            filled.update(live(entry.meta, request))
        return filled

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            key = None
            if pagecache.cacheable_request(request):
                parts = (display_currency(request), display_rates_fingerprint())
                made: dict[int, str] = {}
                along: dict[int, list[str]] = {}
                session_key = pagecache.session_key_to_read(request)

                def keys(version: int) -> list[str]:
                    made[version] = pagecache.page_key(namespace, request, version, *parts)
                    # what this page's slots and this session's menu read last time
                    along[version] = pagecache.keys_to_read_with(made[version], session_key)
                    return [made[version], *([session_key] if session_key else []), *along[version]]

                version, found = sf.read_versioned(keys)
                pagecache.session_found(request, found, session_key)
                key = made[version]
                pagecache.read_with_page(request, found, along[version])
                entry = found.get(key)
                if entry is not None:
                    return entry.response(fill(entry, request, key) if entry.has_slots else None)
            else:
                version = sf.storefront_cache_version()
            pagecache.share(request)
            try:
                with sf.version_pinned(version):
                    response = view(request, *args, **kwargs)
            finally:
                # an error page rendered after this (a 404 raised) is not a shared page
                pagecache.share(request, False)
            if response.streaming:
                return response
            store = key is not None and pagecache.storable(request, response)
            meta = {**(getattr(response, "live_meta", None) or {}), **pagecache.slot_meta(request)}
            entry = pagecache.CachedPage.of(response, meta)
            # a view may keep its copy for less (``response.page_timeout``: the flash page's
            # copy never outlives the first end among the sales it lists)
            ttl = min(timeout, getattr(response, "page_timeout", timeout))
            if store and ttl > 0:
                cache.set(key, entry, ttl)
            if entry.has_slots:
                response.content = entry.body(fill(entry, request, key if store else None))
            patch_vary_headers(response, ("Cookie",))
            return response

        return wrapper

    return decorate


def _grid_context(ids: list[int], **extra):
    return lambda: {"products": sf.product_cards(ids), **extra}


def _filters_context(form, query=""):
    return {"form": form, "query": query, "display_currency_label": form.currency_label}


def _language() -> str:
    return page_language()


@require_GET
@storefront_page("home", HOME_TTL)
def home(request):
    """Home: the category tree's top (with a few subcategories), new products, merchants."""
    version = sf.storefront_cache_version()
    newest = sf.ListingFilters()
    list_key = sf.listing_cache_key(newest, 1, 12)
    parts = Fragments(
        request, version, {"categories": (), "grid": ("home",)}, extra_keys=[list_key]
    )

    def categories():
        tree = sf.category_tree()
        return {"featured": [(node, tree.children(node.id)[:6]) for node in tree.roots]}

    def grid():
        ids = sf.listing_product_ids(newest, per_page=12, prefetched=parts.found).ids
        return {"products": sf.product_cards(ids)}

    return render(
        request,
        "storefront/home.html",
        {
            "merchants": list(merchants_public()[:12]),
            "fragments": {
                "categories": parts.get(
                    "categories", "storefront/_home_categories.html", categories
                ),
                "grid": parts.get("grid", "storefront/_grid.html", grid),
            },
        },
    )


@require_GET
@storefront_page("category", LISTING_TTL)
def category(request, slug: str):
    """A category with everything below it: subcategories, filters, sorted pages."""
    tree = sf.category_tree()
    node = tree.by_slug(slug)
    if node is None:
        raise Http404
    subtree = tuple(tree.subtree_ids(node.id))
    facets = sf.listing_facets(sf.ListingFilters(category_ids=subtree))
    form = ListingFilterForm(request.GET, brands=facets["brands"], merchants=facets["merchants"])
    filters = form.filters(currency=display_currency(request), category_ids=subtree)
    list_key = sf.listing_cache_key(filters, form.page_number)
    parts = Fragments(
        request,
        sf.storefront_cache_version(),
        {"filters": (request.get_full_path(),), "grid": (list_key,)},
        extra_keys=[list_key],
    )
    id_page = sf.listing_product_ids(filters, page=form.page_number, prefetched=parts.found)
    if redirect := _past_the_end(request, id_page):
        return redirect
    return render(
        request,
        "storefront/category.html",
        {
            "category": node,
            "breadcrumbs": tree.ancestors(node.id),
            "subcategories": tree.children(node.id),
            "pagination": _pagination(id_page),
            "fragments": {
                "filters": parts.get("filters", "storefront/_filters.html", _filters_context(form)),
                "grid": parts.get("grid", "storefront/_grid.html", _grid_context(id_page.ids)),
            },
        },
    )


def product_live_keys(meta: dict) -> list[str]:
    """The cache keys ``product_live`` reads: each SKU's stock and the offers' keys."""
    sku_ids = [sku_id for sku_id, _threshold in meta["skus"]]
    return [*sf.stock_keys(sku_ids), *offers.offer_keys(sku_ids)]


def product_live(meta: dict, request) -> dict[str, str]:
    """The product page's live slots, from stock read now: the availability line with the
    warehouses it ships from (``stock``) and each variant's availability cell
    (``sku-<id>``); the visitor's CSRF token for the add-to-cart forms (``csrf``), so
    the page itself stays shareable; and the offers of apps above the catalog (``offers``,
    ``catalog.offers``: a flash sale's price and countdown, made from the clock of this
    response). ``meta["skus"]``: ``(sku id, low-stock threshold)`` pairs."""
    sku_ids = [sku_id for sku_id, _threshold in meta["skus"]]
    # what the page's round trip and a signed-in visitor's menu read along; the rest in one more
    prefetched = {
        **pagecache.prefetched(request),
        **(getattr(request, "account_prefetched", None) or {}),
    }
    wanted = product_live_keys(meta)
    if missing := [key for key in wanted if key not in prefetched]:
        # what is not found is known to be missing (None): not read again
        prefetched.update(dict.fromkeys(missing))
        prefetched.update(cache.get_many(missing))
    stock = sf.sku_stock(meta["skus"], prefetched=prefetched)
    language = _language()
    live = {"stock": _availability_html(stock.state, stock.places, language)}
    live[offers.SLOT] = offers.offer_html(sku_ids, request, prefetched)
    for sku_id, state in stock.state_by_sku.items():
        live[f"sku-{sku_id}"] = _availability_cell(state, language)
        live[f"buy-{sku_id}"] = _buy_button(state, language)
    # the add-to-cart forms' token, masked afresh for this response (never in the cache)
    live["csrf"] = pagecache.csrf_input(request)
    return live


# The few distinct pieces of live HTML, rendered once per process and language.
@lru_cache(maxsize=1024)
def _availability_html(state: str, places: tuple[tuple[str, str], ...], language: str) -> str:
    html = format_html(
        '<p class="availability {0}" data-availability="{0}">{1}</p>',
        state,
        AVAILABILITY_LABELS[state],
    )
    if places:
        html += format_html(
            '\n    <p class="ships-from">{}: {}</p>',
            gettext("Ships from"),
            format_html_join(
                "; ",
                "{} · {}",
                (
                    (WAREHOUSE_KIND_LABELS.get(kind, kind), country_name(country, language))
                    for kind, country in places
                ),
            ),
        )
    return html


@lru_cache(maxsize=16)
def _availability_cell(state: str, language: str) -> str:
    return format_html('<td class="availability {}">{}</td>', state, AVAILABILITY_LABELS[state])


@lru_cache(maxsize=16)
def _buy_button(state: str, language: str) -> str:
    # A sold-out option cannot be added (orders.services says so too); the button says it
    # before the shopper tries, even on a page that comes from the cache.
    if state == sf.Availability.OUT_OF_STOCK:
        return format_html(
            '<button type="submit" class="button" disabled aria-disabled="true">{}</button>',
            pgettext("stock", "Sold out"),
        )
    return format_html('<button type="submit" class="button">{}</button>', gettext("Add to cart"))


@require_GET
@storefront_page(
    "product",
    PRODUCT_TTL,
    live=product_live,
    live_keys=product_live_keys,
)
def product(request, pk: int, slug: str | None = None):
    """The product page: gallery, variants with prices and wholesale tiers, live stock,
    merchant, customs clearance, report link. Stock is a live slot (``product_live``): it
    is read on every request, even when the rest of the page comes from the page cache."""
    version = sf.storefront_cache_version()
    detail_key = sf.detail_cache_key(pk)
    parts = Fragments(request, version, {"top": (pk,), "bottom": (pk,)}, extra_keys=[detail_key])
    detail = sf.product_detail(pk, prefetched=parts.found)
    if detail is None:
        raise Http404
    if slug != detail.slug:
        return HttpResponsePermanentRedirect(
            reverse("storefront:product", args=[detail.id, detail.slug])
        )
    language = parts.language
    variants = [
        {
            "sku": sku,
            # (label, value, whether the label is the merchant's own word, not ours)
            "options": [
                (
                    ATTRIBUTE_LABELS.get(str(key).lower(), key),
                    value,
                    str(key).lower() not in ATTRIBUTE_LABELS,
                )
                for key, value in sku.attributes.items()
            ],
            "stock_slot": pagecache.live_slot(f"sku-{sku.id}"),
            "buy_slot": pagecache.live_slot(f"buy-{sku.id}"),
            "trade_modes": [mode_label(m) for m in sku.trade_modes],
            "origin": country_name(sku.origin_country, language),
        }
        for sku in detail.skus
    ]

    def static_context():
        tree = sf.category_tree()
        node = tree.nodes.get(detail.category_id)
        return {
            "product": detail,
            "breadcrumbs": (tree.ancestors(node.id) + [node]) if node else [],
            "variants": variants,
            "trade_modes": [mode_label(m) for m in detail.trade_modes],
            "bonded": ClearanceMode.BONDED in detail.trade_modes,
        }

    response = render(
        request,
        "storefront/product.html",
        {
            "product": detail,
            "variants": variants,
            "stock_slot": pagecache.live_slot("stock"),
            "offers_slot": pagecache.live_slot(offers.SLOT),
            "csrf_slot": pagecache.live_slot("csrf"),
            "report_url": report_url(detail.id),
            "fragments": {
                "top": parts.get("top", "storefront/_product_top.html", static_context),
                "bottom": parts.get("bottom", "storefront/_product_bottom.html", static_context),
            },
        },
    )
    response.live_meta = {"skus": [(sku.id, sku.low_stock_threshold) for sku in detail.skus]}
    return response


@require_GET
@storefront_page("merchant", LISTING_TTL)
def merchant(request, slug: str):
    """A merchant's shop: their visible products, newest first or by price."""
    shop = sf.merchant_public(slug)
    if shop is None:
        raise Http404
    form = ListingFilterForm(request.GET)
    filters = form.filters(currency=display_currency(request), merchant_id=shop.id)
    list_key = sf.listing_cache_key(filters, form.page_number)
    parts = Fragments(
        request,
        sf.storefront_cache_version(),
        {"filters": (request.get_full_path(),), "grid": (list_key,)},
        extra_keys=[list_key],
    )
    id_page = sf.listing_product_ids(filters, page=form.page_number, prefetched=parts.found)
    if redirect := _past_the_end(request, id_page):
        return redirect
    return render(
        request,
        "storefront/merchant.html",
        {
            "shop": shop,
            "country": country_name(shop.country, _language()),
            "pagination": _pagination(id_page),
            "fragments": {
                "filters": parts.get("filters", "storefront/_filters.html", _filters_context(form)),
                "grid": parts.get("grid", "storefront/_grid.html", _grid_context(id_page.ids)),
            },
        },
    )


@require_GET
@storefront_page("search", SEARCH_TTL)
def search(request):
    """Search results in either language, with filters and sorting."""
    form = ListingFilterForm(request.GET, brands=list(sf.brands_active().values()), search=True)
    filters = form.filters(currency=display_currency(request))
    query = form.query
    if not query:
        return render(request, "storefront/search.html", {"query": "", "form": form})
    search_key = sf.search_cache_key(query, filters)
    page = form.page_number
    parts = Fragments(
        request,
        sf.storefront_cache_version(),
        {"filters": (request.get_full_path(),), "grid": (search_key, page)},
        extra_keys=[search_key],
    )
    id_page = sf.search_product_ids(query, filters, page=page, prefetched=parts.found)
    if redirect := _past_the_end(request, id_page):
        return redirect
    empty = _("Nothing matches your search. Try fewer or other words.")
    return render(
        request,
        "storefront/search.html",
        {
            "query": query,
            # what the shopper typed is theirs, not UI text to translate
            "query_html": format_html('<span translate="no">{}</span>', query),
            "pagination": _pagination(id_page),
            "fragments": {
                "filters": parts.get(
                    "filters", "storefront/_filters.html", _filters_context(form, query)
                ),
                "grid": parts.get(
                    "grid", "storefront/_grid.html", _grid_context(id_page.ids, empty_text=empty)
                ),
            },
        },
    )
