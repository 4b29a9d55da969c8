"""Django REST framework and the OpenAPI schema."""

from .env import env_int, env_str

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "marketplace.api.pagination.StandardPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("THROTTLE_ANON", "120/min"),
        "user": env_str("THROTTLE_USER", "600/min"),
        "auth": env_str("THROTTLE_AUTH", "10/min"),
        "quote": env_str("THROTTLE_QUOTE", "60/min"),
        # the public tracking page's look-ups (order number + email), per address
        "track": env_str("THROTTLE_TRACK", "10/min"),
        # merchant applications submitted or updated (each with a licence upload), per user
        "applications": env_str("THROTTLE_APPLICATIONS", "10/hour"),
        # Stripe's webhook deliveries, per sending address (Stripe sends from a few)
        "stripe_webhook": env_str("THROTTLE_STRIPE_WEBHOOK", "1200/min"),
    },
    "EXCEPTION_HANDLER": "marketplace.api.errors.exception_handler",
    # JSON with a nesting limit (marketplace/api/parsers.py), then DRF's form parsers.
    "DEFAULT_PARSER_CLASSES": [
        "marketplace.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "marketplace.api.schema.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": None,
}

# Deepest nesting a JSON body may have (a product with SKUs with tiers needs 4).
API_JSON_MAX_DEPTH = env_int("API_JSON_MAX_DEPTH", 32)

SPECTACULAR_SETTINGS = {
    "TITLE": "Silkway API",
    "DESCRIPTION": (
        "Public and seller REST API of the Silkway cross-border marketplace. "
        "Send Accept-Language: zh-hans or en for translated content and errors. "
        "Seller endpoints act for one merchant: the X-Merchant header (merchant id) picks it "
        "when the user belongs to several."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Assets come from drf-spectacular-sidecar: no CDN at run time.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "kind", "status" or "reason"; name each enum after its owner.
    "ENUM_NAME_OVERRIDES": {
        "MerchantKindEnum": "merchants.models.Merchant.Kind",
        "ApplicationKindEnum": "merchants.models.MerchantApplication.Kind",
        "WarehouseKindEnum": "logistics.models.Warehouse.Kind",
        "ImportJobKindEnum": "catalog.models.ImportJob.Kind",
        "QuotaEntryKindEnum": "customs.models.QuotaEntry.Kind",
        "StockAdjustmentReasonEnum": "catalog.models.StockAdjustment.Reason",
        "ListingReportReasonEnum": "catalog.models.ListingReport.Reason",
        "ManualStockReasonEnum": "catalog.services.stock.MANUAL_REASON_CHOICES",
    },
}
