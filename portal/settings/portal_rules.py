"""The portal's own rules: who verifies registrations, the address links point to, where a refusal
is contested, and how often a password reset may be asked for."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from portal.settings.environment import env

# The department whose officials verify enterprise registrations.
REGISTRATION_DEPARTMENT_CODE = env.str("REGISTRATION_DEPARTMENT_CODE", default="ZWFW")

# The address people reach the portal at: every link in an e-mail (notifications, password resets)
# starts with it. `make run` and `make serve` set it from their PORT.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000").strip().rstrip("/")
_base = urlsplit(PORTAL_BASE_URL)
if _base.scheme not in ("http", "https") or not _base.netloc or _base.query or _base.fragment:
    raise ImproperlyConfigured(
        f"PORTAL_BASE_URL={PORTAL_BASE_URL!r} is not an address: use e.g. https://qiye.example.gov.cn "
        "(http or https, a host, optionally a port and a path)."
    )

# Where an applicant contests a refusal (行政复议, 行政诉讼), as the refusal's page names them; empty:
# the district's people's government and "the people's court with jurisdiction", in the reader's language.
RECONSIDERATION_BODY = env.str("RECONSIDERATION_BODY", default="")
ADMINISTRATIVE_COURT = env.str("ADMINISTRATIVE_COURT", default="")

# A reset link works once and for this long (Django's default would be three days).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_MINUTES", default=60) * 60
# Reset e-mails asked for per hour, per address and per client IP; beyond, the answer stays the
# same and nothing is sent (so the limit tells nobody whether an address has an account).
PASSWORD_RESET_PER_ADDRESS = env.int("PASSWORD_RESET_PER_ADDRESS", default=3)
PASSWORD_RESET_PER_IP = env.int("PASSWORD_RESET_PER_IP", default=20)
