"""URLs. Pages carry the language (/zh-hans/…, /en/…); the API and probes do not."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import currency, health, views

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("i18n/switch/<str:code>/", views.switch_language, name="switch_language"),
    path("currency/switch/<str:code>/", currency.switch_currency, name="switch_currency"),
    path("api/v1/", include("marketplace.api.urls")),
    path("payments/", include("payments.urls")),
    path("tracking/", include("logistics.fulfilment.urls")),
    # customs' real-time data checks (announcement 179) call this, unprefixed, without a session
    path("customs/", include("customs.declarations.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns += i18n_patterns(
    # The storefront first: its pages are most of the traffic, and the resolver tries these
    # patterns in order (last, a product page walked ~37 others first, ~5% of its CPU). None
    # of its prefixes (c/, p/, store/<slug>/, search/, the home page) overlaps another's.
    path("", include("catalog.urls")),
    path("ops/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("seller/", include("merchants.urls")),
    path("seller/catalog/", include("catalog.seller_urls")),
    path("report/", include("catalog.report_urls")),
    path("seller/stock/warehouses/", include("logistics.seller_urls")),
    path("seller/stock/", include("catalog.stock_urls")),
    path("seller/shipping/", include("logistics.shipping.urls")),
    path("seller/marketing/flash/", include("marketing.seller_urls")),
    path("seller/marketing/coupons/", include("marketing.seller_coupon_urls")),
    path("seller/marketing/gifts/", include("marketing.seller_gift_urls")),
    path("seller/marketing/distribution/", include("marketing.seller_distribution_urls")),
    path("seller/marketing/stores/", include("marketing.seller_o2o_urls")),
    path("seller/marketing/points/", include("marketing.seller_points_urls")),
    path("apply/", include("merchants.apply_urls")),
    path("cart/", include("orders.urls")),
    path("flash/", include("marketing.urls")),
    path("checkout/", include("orders.checkout_urls")),
    path("account/orders/", include("logistics.returns.account_urls")),
    path("account/orders/", include("orders.account_urls")),
    path("account/addresses/", include("orders.account_address_urls")),
    path("account/points/", include("marketing.points.urls")),
    path("seller/orders/", include("orders.seller_urls")),
    path("seller/parcels/", include("logistics.fulfilment.print_urls")),
    path("seller/shipments/", include("logistics.fulfilment.seller_urls")),
    path("seller/returns/", include("logistics.returns.seller_urls")),
    path("coupons/", include("marketing.coupon_urls")),
    path("", include("marketing.distribution_urls")),
    path("", include("marketing.o2o_urls")),
    path("track/", include("logistics.fulfilment.page_urls")),
    path("store/", include("logistics.returns.store_urls")),
)

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Error pages in the layout of the area the address belongs to (marketplace/errors.py).
handler400 = "marketplace.errors.bad_request"
handler403 = "marketplace.errors.permission_denied"
handler404 = "marketplace.errors.page_not_found"
handler500 = "marketplace.errors.server_error"
