"""Request rate limits of the API: per user, per anonymous IP, and stricter named scopes.

The rates are REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (set from API_THROTTLE_* variables) and
are read at each request rather than once at import, so a changed setting takes effect at once
(tests rely on that). A rate of None turns that limit off. A throttled request gets 429 with
`Retry-After` (seconds) in the error shape, code `throttled`.

Scopes: a view (or one action, through `@action(throttle_scope=...)`) names its scope in
`throttle_scope`: "token" for token creation (counted per IP, as nobody is signed in yet) and
"submissions" for submit/resubmit (counted per user).

The counts live in the cache (Redis in production). When it cannot be reached the limits are not
applied, with a warning in the log: a clerk's submission must not fail because Redis is down.
"""

import logging

from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import (
    AnonRateThrottle,
    ScopedRateThrottle,
    SimpleRateThrottle,
    UserRateThrottle,
)

log = logging.getLogger(__name__)


class _CurrentRates:
    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError) as error:
            log.warning("rate limit %r not applied: the cache is unreachable (%s)", self.scope, error)
            return True


class AnonThrottle(_CurrentRates, AnonRateThrottle):
    """Callers without credentials, by IP address."""


class UserThrottle(_CurrentRates, UserRateThrottle):
    """Signed-in callers, by user (anonymous ones by IP, which AnonThrottle also counts)."""


class ScopedThrottle(_CurrentRates, ScopedRateThrottle):
    """The view's `throttle_scope`, if it has one, on top of the two above."""


class AddressThrottle(_CurrentRates, SimpleRateThrottle):
    """A limit per client address, signed in or not, for pages that must not be walked through
    (a subclass names its `scope`). It reads only the request's headers, so a plain Django view
    uses it too: `allow_request(request, None)`, then `wait()` for Retry-After."""

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
