"""Search: one selector, ``search_product_ids``, over the visible products.

PostgreSQL full-text search over an expression GIN index (English stemmed, Chinese as
character unigrams + bigrams, the way a CJK analyser indexes it), or ``icontains`` on SQLite.
Moving to OpenSearch replaces ``search_product_ids`` and keeps its signature.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import BooleanField, Case, F, Func, IntegerField, Q, QuerySet, Value, When

from catalog.models import Product
from marketplace.cacheversion import storefront_cache_version
from marketplace.currency import rates_for_display

from .cache import MAX_CACHED_IDS, PAGE_SIZE, SEARCH_TTL, cache_key
from .listing import IdPage, ListingFilters, Sort, apply_filters, ordered, page_bounds
from .refs import brands_active, category_tree, products_visible

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+")
# Dropped from queries: PostgreSQL's English configuration ignores them anyway, and a term
# that can only match nothing would empty the whole result.
STOP_WORDS = frozenset(
    ("a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "of",
     "on", "or", "the", "to", "with")
)  # fmt: skip
MAX_TERMS = 8


@dataclass(frozen=True)
class Term:
    """One query term: a run of Chinese characters or one word."""

    text: str
    cjk: bool

    @property
    def grams(self) -> list[str]:
        """Chinese terms match as character bigrams (one character matches as itself)."""
        if len(self.text) == 1:
            return [self.text]
        return [self.text[i : i + 2] for i in range(len(self.text) - 1)]


def normalise_query(raw: str) -> str:
    """NFKC (full-width to half-width), case-folded, single spaces, at most 100 characters."""
    text = unicodedata.normalize("NFKC", raw or "").casefold()
    return " ".join(text.split())[:100]


def query_terms(normalised: str) -> list[Term]:
    terms = []
    for token in _TOKEN.findall(normalised):
        cjk = bool(re.match(rf"[{_CJK}]", token))
        if not cjk and token in STOP_WORDS:
            continue
        term = Term(token, cjk)
        if term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


class NameMatches(Func):
    """``silkway_product_search(name_en, name_zh_hans) @@ <tsquery>``: the expression the
    GIN index (migration 0006 storefront search) is built on, so PostgreSQL uses it."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, term: Term, *, last: bool):
        if term.cjk:
            tsquery = " & ".join(term.grams)
            query = Func(Value(tsquery), function="", template="%(expressions)s::tsquery")
        else:
            # the last word may be half-typed: match it as a prefix
            text = term.text + (":*" if last and len(term.text) >= 3 else "")
            query = Func(Value("english"), Value(text), function="to_tsquery")
        super().__init__(F("name_en"), F("name_zh_hans"), query)

    def as_sql(self, compiler, connection, **extra):
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, sql_params = compiler.compile(expression)
            parts.append(sql)
            params.extend(sql_params)
        vector = f"silkway_product_search({parts[0]}::text, {parts[1]}::text)"
        return f"({vector} @@ {parts[2]})", params


def _word_matches(word: str, term: Term) -> bool:
    if term.cjk:
        return term.text in word
    # a light stem so "wines" finds the "Wine" category
    return word.startswith(term.text) or (
        len(word) >= 3 and term.text.startswith(word) and len(term.text) - len(word) <= 2
    )


def _name_has(names: tuple[str, str], term: Term) -> bool:
    for name in names:
        folded = unicodedata.normalize("NFKC", name).casefold()
        if term.cjk:
            if term.text in folded:
                return True
        elif any(_word_matches(w, term) for w in re.findall(r"[^\W_]+", folded)):
            return True
    return False


def _brand_ids_for(term: Term) -> list[int]:
    return [b.id for b in brands_active().values() if _name_has((b.name_en, b.name_zh_hans), term)]


def _category_ids_for(term: Term) -> list[int]:
    tree = category_tree()
    ids: set[int] = set()
    for node in tree.nodes.values():
        if node.id not in ids and _name_has((node.name_en, node.name_zh_hans), term):
            ids.update(tree.subtree_ids(node.id))
    return sorted(ids)


def full_text_available() -> bool:
    """PostgreSQL has the full-text index (migration 0006); SQLite matches substrings."""
    return connection.vendor == "postgresql"


def _term_rule(term: Term, *, last: bool) -> Q:
    """A product matches a term by its name (either language), its brand or its category."""
    if full_text_available():
        rule = Q(NameMatches(term, last=last))
    else:
        # SQLite (embedded default): substring matching, a light plural stem for words
        text = term.text
        stem = text[:-1] if not term.cjk and len(text) > 3 and text.endswith("s") else text
        rule = Q(name_en__icontains=stem) | Q(name_zh_hans__icontains=stem)
    brands = _brand_ids_for(term)
    if brands:
        rule |= Q(brand_id__in=brands)
    categories = _category_ids_for(term)
    if categories:
        rule |= Q(category_id__in=categories)
    return rule


def _search_queryset(
    normalised: str, terms: list[Term], filters: ListingFilters, rates
) -> QuerySet[Product]:
    qs = products_visible()
    for index, term in enumerate(terms):
        qs = qs.filter(_term_rule(term, last=index == len(terms) - 1))
    qs = apply_filters(qs, filters, rates)
    if filters.sort in (Sort.RELEVANCE, ""):
        # names holding the whole query first, then the rest; newest first within each
        phrase = Q(name_en__icontains=normalised) | Q(name_zh_hans__icontains=normalised)
        qs = qs.annotate(
            rank=Case(When(phrase, then=Value(0)), default=Value(1), output_field=IntegerField())
        ).order_by("rank", "-published_at", "-id")
    else:
        qs = ordered(qs, filters.sort)
    return qs


def search_cache_key(raw_query: str, filters: ListingFilters) -> str:
    normalised = normalise_query(raw_query)
    return cache_key("search", storefront_cache_version(), normalised, filters.cache_part())


def search_product_ids(
    raw_query: str,
    filters: ListingFilters,
    *,
    page: int = 1,
    per_page: int = PAGE_SIZE,
    rates=None,
    prefetched: dict | None = None,
) -> IdPage:
    """Visible products matching every term of ``raw_query`` (Chinese or English) by name in
    either language, brand or category, with ``filters``; ranked (names holding the whole
    query first, then newest) unless another sort is asked for.

    The first ``MAX_CACHED_IDS`` ids per normalised query and filters are cached
    (``SEARCH_TTL``), so paging through results costs one cache read per page.
    """
    normalised = normalise_query(raw_query)
    terms = query_terms(normalised)
    if not terms:
        return IdPage([], 0, page, per_page)
    start, end = page_bounds(page, per_page)
    key = search_cache_key(raw_query, filters)
    cached = (prefetched or {}).get(key) or cache.get(key)
    rates = rates if rates is not None else rates_for_display()
    if cached is None:
        qs = _search_queryset(normalised, terms, filters, rates)
        ids = list(qs.values_list("id", flat=True)[: MAX_CACHED_IDS + 1])
        total = len(ids) if len(ids) <= MAX_CACHED_IDS else qs.count()
        cached = (ids[:MAX_CACHED_IDS], total)
        cache.set(key, cached, SEARCH_TTL)
    ids, total = cached
    if end <= MAX_CACHED_IDS or total <= MAX_CACHED_IDS:
        return IdPage(ids[start:end], total, page, per_page)
    qs = _search_queryset(normalised, terms, filters, rates)
    return IdPage(list(qs.values_list("id", flat=True)[start:end]), total, page, per_page)
