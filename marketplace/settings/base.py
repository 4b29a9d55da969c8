"""Core Django settings: apps, middleware, database, cache, templates, static files."""

import os
from pathlib import Path

import dj_database_url

from .env import env_bool, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# Without SECRET_KEY we are in the embedded development default: a fixed, clearly unsafe
# key and DEBUG on, so `make run` works with nothing configured. Production sets both.
SECRET_KEY = env_str("SECRET_KEY") or "django-insecure-silkway-embedded-default-do-not-deploy"
DEBUG = env_bool("DEBUG", default=not env_str("SECRET_KEY"))
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # modeltranslation must come before admin to patch its forms.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "accounts.apps.AxesConfig",
    "marketplace",
    "accounts",
    "merchants",
    "catalog",
    "payments",
    "orders",
    "customs",
    "logistics",
    "logistics.fulfilment",
    "logistics.returns",
    "marketing",
    "customs.declarations",
]

MIDDLEWARE = [
    "marketplace.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "marketplace.tenancy.CurrentMerchantMiddleware",
    # Last: turns a log-in refused by the lockout into its page (marketplace/lockout.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "marketplace.urls"
WSGI_APPLICATION = "marketplace.wsgi.application"
# The front door (marketplace/frontdoor.py): routes answered ahead of Django's request cycle,
# by dotted path (the kernel imports no app): requests that need nothing the middleware gives.
FRONT_DOOR_ROUTES = [
    "marketing.flash.door.SOLD_OUT",  # "grab it" once the gate says sold out
    "logistics.fulfilment.door.WEBHOOK",  # a carrier's signed tracking push
]
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "storefront:home"
LOGOUT_REDIRECT_URL = "storefront:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "marketplace.context_processors.silkway",
            ],
        },
    }
]

# Embedded default: SQLite next to the code. DATABASE_URL switches to PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default's runserver answers requests in threads, and two of them may write
    # at once (Stripe's webhooks come in pairs): a transaction takes SQLite's write lock when
    # it starts and waits for it, instead of failing with "database is locked" on its first
    # write after a read.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
# pytest-xdist workers share one Redis: each gets its own key space (cache and broker).
TEST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis backend, reusing one client per process (marketplace/cache.py)
            "BACKEND": "marketplace.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "silkway") + TEST_WORKER,
            "TIMEOUT": 300,
        }
    }
    # cached_db, whose cache entry the page cache can read with the page (marketplace/sessions.py)
    SESSION_ENGINE = "marketplace.sessions"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Silkway <no-reply@silkway.local>")
# Where the site is reached from outside: links in emails (and anything else sent off the
# site) start with it, whichever request or worker builds them. No trailing slash.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Money: the operator's base currency for FX tables and the platform's accounts.
BASE_CURRENCY = env_str("BASE_CURRENCY", "CNY")
# Commission (percent of the sale) when the operator set none for the merchant or category.
PLATFORM_COMMISSION_RATE = env_str("PLATFORM_COMMISSION_RATE", "5.00")
DEFAULT_DISPLAY_CURRENCY = {"zh-hans": "CNY", "en": "USD"}

# Stripe (docs/PAYMENTS.md). Production sets the three keys of its account and nothing else.
# The embedded default (DEBUG, no key set: `make run`) talks to localstripe, which `make run`
# starts on LOCALSTRIPE_PORT, with its test keys; tests start their own (tests/payments).
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY")
STRIPE_PUBLISHABLE_KEY = env_str("STRIPE_PUBLISHABLE_KEY")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET")
# Points the SDK at a local stand-in (localstripe) in tests and demos.
STRIPE_API_BASE = env_str("STRIPE_API_BASE")
LOCALSTRIPE_PORT = env_str("LOCALSTRIPE_PORT", "8420")
if DEBUG and not STRIPE_SECRET_KEY:
    STRIPE_SECRET_KEY = "sk_test_localstripe"
    STRIPE_PUBLISHABLE_KEY = STRIPE_PUBLISHABLE_KEY or "pk_test_localstripe"
    STRIPE_WEBHOOK_SECRET = STRIPE_WEBHOOK_SECRET or "whsec_localstripe_demo"
    STRIPE_API_BASE = STRIPE_API_BASE or f"http://127.0.0.1:{LOCALSTRIPE_PORT}"
# Stripe.js, the one script that comes from its provider: Stripe's in production, the copy
# localstripe serves when the SDK points at it. The CSP allows exactly this script's origin
# and the API's (marketplace/settings/security.py).
STRIPE_JS_URL = env_str("STRIPE_JS_URL") or (
    f"{STRIPE_API_BASE.rstrip('/')}/js.stripe.com/v3/"
    if STRIPE_API_BASE
    else "https://js.stripe.com/v3/"
)

# Key for encrypting identity numbers at rest (Fernet, urlsafe base64 of 32 bytes).
# Derived from SECRET_KEY when unset so the embedded default works; production sets it.
FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY")
