"""The environment the settings are read from, and DEV, which the other settings modules follow."""

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()


def read_bool(name: str, default: bool) -> bool:
    raw = env.str(name, default=str(default)).strip().lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false).")


# Development, not production: DEBUG by default, a development key, no HTTPS requirements.
DEV = read_bool("DEV", False)
