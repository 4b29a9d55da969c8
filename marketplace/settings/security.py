"""Security settings. Strict whenever DEBUG is off (production)."""

from datetime import timedelta
from urllib.parse import urlsplit

from csp.constants import NONCE, NONE, SELF

from .base import DEBUG, MEDIA_URL, STRIPE_API_BASE, STRIPE_JS_URL
from .env import env_bool, env_int, env_str

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # forms read it from the cookie-less template tag; API uses header
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Log-in lockout (django-axes, marketplace/lockout.py) on every log-in door: the accounts page,
# the back office and the API token endpoint. Failures are counted per account and, apart,
# per client (IP address) in the database (axes' AccessAttempt rows); the limit is over the
# token endpoint's 10/min throttle, which keeps its own 429.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "marketplace.lockout.login_name"
AXES_LOCKOUT_CALLABLE = "marketplace.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "marketplace.lockout.client_address"
# The request.META key holding the client's address: REMOTE_ADDR, or the header a trusted
# proxy sets (HTTP_X_REAL_IP). Only name a header the proxy always overwrites.
LOGIN_CLIENT_ADDRESS_META = env_str("LOGIN_CLIENT_ADDRESS_META", "REMOTE_ADDR")
# A success does not wipe the count: axes would delete the client's rows too, so an attacker
# could reset their count by logging in to an account of their own between guesses.
AXES_RESET_ON_SUCCESS = False
# Failures are what the lock needs; successful log-ins are not logged (no IP history kept).
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False  # accounts/admin.py shows the failures, translated

# Content-Security-Policy (django-csp) on every response. Scripts and styles come from us,
# or inline with the request's nonce (``{{ request.csp_nonce }}``: the API docs page is the
# one inline script); never 'unsafe-inline'. Stripe.js (its configured origin) is allowed
# for the checkout, and the pages may call the configured Stripe API.
_MEDIA_ORIGIN = (
    "{0.scheme}://{0.netloc}".format(urlsplit(MEDIA_URL)) if urlsplit(MEDIA_URL).netloc else None
)


def _origin(url: str) -> str:
    return "{0.scheme}://{0.netloc}".format(urlsplit(url))


def csp_directives(*, stripe_js_url: str, stripe_api_base: str) -> dict:
    """The policy, allowing exactly the configured Stripe.js (``STRIPE_JS_URL``) and the
    API it calls (``STRIPE_API_BASE``, else Stripe's). Stripe's own Stripe.js draws card
    fields and 3-D Secure in frames from js.stripe.com and hooks.stripe.com; localstripe's
    copy uses no frame. (Tests that start localstripe on a port of their own rebuild the
    policy with it: tests/payments/localstripe.py.)"""
    js_origin = _origin(stripe_js_url)
    api_origin = _origin(stripe_api_base) if stripe_api_base else "https://api.stripe.com"
    frames = [js_origin, "https://hooks.stripe.com"] if js_origin == "https://js.stripe.com" else []
    return {
        "default-src": [SELF],
        "script-src": [SELF, NONCE, js_origin],
        "style-src": [SELF, NONCE],
        # Swagger UI's stylesheet draws its icons as data: images.
        "img-src": [SELF, "data:", *([_MEDIA_ORIGIN] if _MEDIA_ORIGIN else [])],
        "connect-src": [SELF, api_origin],
        "frame-src": frames or [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }


_CSP_DIRECTIVES = csp_directives(stripe_js_url=STRIPE_JS_URL, stripe_api_base=STRIPE_API_BASE)
# Report-only (the browser reports, blocks nothing) is for trying a change in development;
# with DEBUG off the policy is always enforced.
# (django-csp's check refuses settings named CSP_*: the old format's.)
if DEBUG and env_bool("CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY = None
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": _CSP_DIRECTIVES}
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": _CSP_DIRECTIVES}

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
