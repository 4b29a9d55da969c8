from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    name = "marketing"
    verbose_name = _("Marketing")

    def ready(self) -> None:
        from catalog.offers import register_product_offers
        from marketing import signals  # noqa: F401 - connects the share-click binding at log-in
        from marketing.distribution import sharing
        from marketing.flash.selectors import OFFERS_KEY
        from marketing.views import product_flash_html

        # the product page's flash-sale box: a live slot the catalog owns (catalog/offers.py)
        register_product_offers(keys=lambda sku_ids: [OFFERS_KEY], live=product_flash_html)
        # the share buttons carry a signed-in distributor's own link (marketplace/sharing.py)
        sharing.connect()
