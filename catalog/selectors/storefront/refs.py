"""What every storefront read builds on: which products shoppers may see, the category tree,
brands, and the small name references cards and pages carry."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from catalog.models import Brand, Category, Product, ProductImage
from marketplace.cacheversion import storefront_cache_version
from marketplace.i18n import pick
from merchants.models import Merchant

from .cache import TREE_TTL, cache_key, cached_small

# --- visibility ----------------------------------------------------------------------------


def products_visible() -> QuerySet[Product]:
    """Products shoppers may see: approved, from an approved merchant."""
    return Product.objects.filter(
        status=Product.Status.APPROVED, merchant__status=Merchant.Status.APPROVED
    )


def merchant_public(slug: str) -> Merchant | None:
    """An approved merchant by slug, or None."""
    return Merchant.objects.filter(slug=slug, status=Merchant.Status.APPROVED).first()


# --- the category tree -----------------------------------------------------------------


@dataclass(frozen=True)
class CategoryNode:
    id: int
    parent_id: int | None
    slug: str
    name_en: str
    name_zh_hans: str

    @property
    def name(self) -> str:
        return pick(self.name_en, self.name_zh_hans)


@dataclass
class CategoryTree:
    """Active categories as a tree; built once per version and cached whole."""

    nodes: dict[int, CategoryNode]
    children_of: dict[int | None, list[int]]

    @property
    def roots(self) -> list[CategoryNode]:
        return [self.nodes[i] for i in self.children_of.get(None, [])]

    def children(self, node_id: int) -> list[CategoryNode]:
        return [self.nodes[i] for i in self.children_of.get(node_id, [])]

    def by_slug(self, slug: str) -> CategoryNode | None:
        return next((n for n in self.nodes.values() if n.slug == slug), None)

    def subtree_ids(self, node_id: int) -> list[int]:
        ids, todo = [], [node_id]
        while todo:
            current = todo.pop()
            ids.append(current)
            todo.extend(self.children_of.get(current, []))
        return ids

    def ancestors(self, node_id: int) -> list[CategoryNode]:
        """From the root down to the node's parent (breadcrumbs)."""
        chain = []
        current = self.nodes.get(node_id)
        while current is not None and current.parent_id is not None:
            current = self.nodes.get(current.parent_id)
            if current is not None:
                chain.append(current)
        return list(reversed(chain))


def category_tree() -> CategoryTree:
    """The active category tree in the operator's order (1 query, cached per version)."""
    return cached_small(cache_key("tree", storefront_cache_version()), TREE_TTL, _load_tree)


def _load_tree() -> CategoryTree:
    rows = Category.objects.filter(is_active=True).order_by("position", "slug")
    nodes, children_of = {}, {}
    fields = ("id", "parent_id", "slug", "name_en", "name_zh_hans")
    for row in rows.values(*fields):
        nodes[row["id"]] = CategoryNode(
            row["id"], row["parent_id"], row["slug"], row["name_en"] or "",
            row["name_zh_hans"] or "",
        )  # fmt: skip
    for node in nodes.values():
        # a child of an inactive parent is unreachable, like its parent
        if node.parent_id is None or node.parent_id in nodes:
            children_of.setdefault(node.parent_id, []).append(node.id)
    return CategoryTree(nodes, children_of)


# --- brands and merchants (small lists, cached) ----------------------------------------------


@dataclass(frozen=True)
class NamedRef:
    id: int
    slug: str
    name_en: str
    name_zh_hans: str
    self_operated: bool = False
    kind: str = ""  # a merchant's kind (``Merchant.Kind``); empty for a brand

    @property
    def name(self) -> str:
        return pick(self.name_en, self.name_zh_hans)


def brands_active() -> dict[int, NamedRef]:
    """Active brands by id (cached per version)."""
    return cached_small(cache_key("brands", storefront_cache_version()), TREE_TTL, _load_brands)


def _load_brands() -> dict[int, NamedRef]:
    rows = Brand.objects.filter(is_active=True).values_list("id", "slug", "name_en", "name_zh_hans")
    return {r[0]: NamedRef(r[0], r[1], r[2] or "", r[3] or "") for r in rows}


def merchant_ref(merchant: Merchant) -> NamedRef:
    return NamedRef(
        merchant.id,
        merchant.slug,
        merchant.name_en or "",
        merchant.name_zh_hans or "",
        merchant.kind == Merchant.Kind.SELF_OPERATED,
        merchant.kind,
    )


def brand_ref(brand: Brand | None) -> NamedRef | None:
    if brand is None:
        return None
    return NamedRef(brand.id, brand.slug, brand.name_en or "", brand.name_zh_hans or "")


def image_url(image: ProductImage) -> str:
    """The image's thumbnail URL (the full image when there is no thumbnail yet)."""
    field_file = image.thumbnail or image.image
    return field_file.url if field_file else ""
