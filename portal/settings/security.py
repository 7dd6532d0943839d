"""Security settings: HTTPS, cookies, headers, the CSP, the admin's address, the API docs and the
keys of the personal data encrypted at rest.

Production defaults, on unless DEV; each can be turned off where a proxy does the job.
"""

from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from portal.core.field_crypto import parse_encryption_keys, parse_lookup_key
from portal.settings.environment import DEV, env
from portal.settings.environment import read_bool as _bool

SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", not DEV)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEV else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# The preload token lets the domain be submitted to the browsers' HSTS preload list (hard to undo).
SECURE_HSTS_PRELOAD = _bool("SECURE_HSTS_PRELOAD", not DEV)
SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", not DEV)
CSRF_COOKIE_SECURE = _bool("CSRF_COOKIE_SECURE", not DEV)
SESSION_COOKIE_HTTPONLY = True
# Officials and administrators are signed out after this long without a request; a company
# clerk's session lasts SESSION_HOURS from sign-in (Django's default would be two weeks).
STAFF_IDLE_MINUTES = env.int("STAFF_IDLE_MINUTES", default=30)
SESSION_COOKIE_AGE = env.int("SESSION_HOURS", default=12) * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = env.str("SECURE_REFERRER_POLICY", default="same-origin")
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"


def _proxy_ssl_header(raw: str) -> tuple[str, str] | None:
    """`HTTP_X_FORWARDED_PROTO` or `HTTP_X_FORWARDED_PROTO,https`: the header a TLS proxy sets."""
    if not raw.strip():
        return None
    name, _, value = (part.strip() for part in raw.partition(","))
    if not name.startswith("HTTP_") or not name[5:].replace("_", "").isalnum():
        raise ImproperlyConfigured(
            f"SECURE_PROXY_SSL_HEADER={raw!r} is not understood: use the header's META name, "
            "e.g. HTTP_X_FORWARDED_PROTO (optionally followed by ,https)."
        )
    return name, value or "https"


# Only behind a proxy that sets this header itself (and strips it from clients' requests).
SECURE_PROXY_SSL_HEADER = _proxy_ssl_header(env.str("SECURE_PROXY_SSL_HEADER", default=""))

# Content-Security-Policy (django-csp): no inline or foreign scripts. Inline style attributes of
# the templates stay allowed ('unsafe-inline' in style-src only).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
if _csp_report_uri := env.str("CSP_REPORT_URI", default=""):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = [_csp_report_uri]

# Permissions-Policy (portal.core.security): browser features the portal never uses.
PERMISSIONS_POLICY = env.str(
    "PERMISSIONS_POLICY",
    default="accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
            "microphone=(), payment=(), usb=(), browsing-topics=()",
)

# The admin's address: production should choose its own (ADMIN_URL=office-7f3a/).
ADMIN_URL = env.str("ADMIN_URL", default="admin/").strip().lstrip("/")
if not ADMIN_URL.endswith("/") or "//" in ADMIN_URL or not ADMIN_URL.strip("/"):
    raise ImproperlyConfigured(f"ADMIN_URL={ADMIN_URL!r} must be a path ending with a slash, e.g. office/.")

# /api/docs/ and /api/schema/: public in development, for signed-in users in production.
API_DOCS_PUBLIC = _bool("API_DOCS_PUBLIC", DEV)

# Personal data at rest (portal.core.field_crypto): ID numbers, phones and webhook secrets are
# SM4-encrypted. FIELD_ENCRYPTION_KEY lists `id:hex` keys, the current one first and older ones
# after it until `manage.py rotate_field_key` has re-encrypted their values; FIELD_LOOKUP_KEY keys
# the SM3 digests that exact searches and uniqueness compare. Required in production; with DEV a
# published development key of each.
FIELD_ENCRYPTION_KEYS = parse_encryption_keys(env.str("FIELD_ENCRYPTION_KEY", default=""), dev=DEV)
FIELD_LOOKUP_KEY = parse_lookup_key(env.str("FIELD_LOOKUP_KEY", default=""), dev=DEV)
