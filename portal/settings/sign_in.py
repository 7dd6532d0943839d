"""Signing in: the authentication backends, the lockout, and the city's unified login (OIDC).

The unified login (统一身份认证) is off unless OIDC_RP_CLIENT_ID, OIDC_RP_CLIENT_SECRET and
OIDC_OP_ISSUER are all set; then its backend is added after the password backend and the sign-in
pages offer it. Its endpoints come from the provider's discovery document unless given one by one.
"""

from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

from portal.settings.environment import DEV, env

# Lockout after repeated failures, on every sign-in path (the portal's and the admin's pages, the
# API's token): keyed on the user name together with the address, so a stranger cannot lock a
# user out from elsewhere. Attempts are kept in the database, so the lockout holds while Redis is
# down; a superuser unlocks by deleting the user's "access attempts" in the admin.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first, as django-axes asks: it refuses locked-out users
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("SIGN_IN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("SIGN_IN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.core.sign_in.lockout_response"
AXES_WHITELIST_CALLABLE = "portal.core.sign_in.proves_no_password"
AXES_VERBOSE = False

# --- The city's unified login (mozilla-django-oidc) ------------------------------------
UNIFIED_LOGIN_BACKEND = "portal.unified_login.backend.UnifiedLoginBackend"
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
# The provider's issuer exactly as its ID tokens name it; discovery is read from
# <issuer>/.well-known/openid-configuration (cached for an hour).
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="")
# Each of these, when set, is used instead of the discovered one.
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
# ID tokens are signed by the provider's key (its JWKS), never by the shared client secret.
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email")
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_ALLOW_UNSECURED_JWT = False
# Company users register on the portal; the unified login only signs in existing accounts.
OIDC_CREATE_USER = False
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=5.0)
OIDC_AUTHENTICATION_CALLBACK_URL = "unified_login_callback"

_unified_login = {
    "OIDC_RP_CLIENT_ID": OIDC_RP_CLIENT_ID, "OIDC_RP_CLIENT_SECRET": OIDC_RP_CLIENT_SECRET,
    "OIDC_OP_ISSUER": OIDC_OP_ISSUER,
}
if any(_unified_login.values()):
    if _missing := [name for name, value in _unified_login.items() if not value]:
        raise ImproperlyConfigured(
            f"The unified login needs {', '.join(_missing)} as well (or none of "
            f"{', '.join(_unified_login)}, to leave it off)."
        )
    # Plain http only for a development run against a local provider.
    if not OIDC_OP_ISSUER.startswith(("https://", "http://") if DEV else "https://"):
        raise ImproperlyConfigured(f"OIDC_OP_ISSUER={OIDC_OP_ISSUER!r} must be the provider's https:// URL.")
    AUTHENTICATION_BACKENDS.append(UNIFIED_LOGIN_BACKEND)
