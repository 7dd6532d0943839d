"""The test configuration's environment, set before pytest-django reads the settings.

Production is the default of the settings (DEBUG off, SECRET_KEY required, HTTPS only); the suite
runs as a development set-up (DEV=1) unless the environment says otherwise. Tests of the
production defaults start subprocesses without it (tests/portal/test_safe_defaults.py).
Loaded with `-p tests.pytest_environment` from the pytest configuration in pyproject.toml.
"""

import os

os.environ.setdefault("DEV", "1")
# The suite's Redis outlives each test's rolled-back rows: the catalogue's cache is off but where a
# test turns it on (tests/services/catalogue/test_catalogue_cache.py).
os.environ.setdefault("CATALOGUE_CACHE_SECONDS", "0")
# A connection per request, as before persistent connections became the default: the suite's threads
# must not keep theirs open past their test (the test databases are dropped at the end).
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "0")
