"""Fixtures of the integration tests: a real Celery worker on the real Redis, and webhook receivers.

Redis or PostgreSQL down makes these tests fail, never skip: the promise under test is delivery
by the worker that production runs.
"""

import os

import pytest
import redis
from django.db import connection

from tests.integration.support import (
    TIMINGS,
    VISIBILITY_TIMEOUT,
    Receiver,
    Worker,
    broker_url_for_this_process,
    database_url,
    point_celery_at,
)


def pytest_collection_modifyitems(items):
    """Tests that use the worker carry the `integration` marker (`-m "not integration"` leaves them out)."""
    for item in items:
        if "live" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def delivery_worker(django_db_setup, tmp_path_factory):
    """A worker on all delivery queues, started once per test process and stopped at the end."""
    if connection.vendor != "postgresql":
        pytest.fail("The integration tests share the test database with a worker process: set DATABASE_URL "
                    "to PostgreSQL (as `make test` does).")
    if os.environ.get("CELERY_BROKER_URL"):
        pytest.fail("Unset CELERY_BROKER_URL: the suite runs tasks in-process, and these tests start their own "
                    "worker on a broker database of their own (Celery reads that variable before any setting).")
    broker_url = broker_url_for_this_process(os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL", ""))
    with redis.Redis.from_url(broker_url) as client:
        client.flushdb()  # what an earlier, interrupted run left
    workdir = tmp_path_factory.mktemp("celery-worker")
    (workdir / "mail").mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": database_url(connection.settings_dict),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(workdir / "mail"),
        "SMS_BACKEND": "notifications.sms.FileBackend",
        "SMS_FILE_PATH": str(workdir / "sms.jsonl"),
        "WEBHOOKS_ALLOW_PRIVATE_ADDRESSES": "true",
        **{name: str(value) for name, value in TIMINGS.items()},
    }
    worker = Worker(broker_url, env, workdir, label=f"itest-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}")
    worker.start()
    yield worker
    worker.close()


@pytest.fixture
def live(delivery_worker, settings, transactional_db):
    """This process publishes to the worker's broker and shares its timings; in-process again after."""
    for name, value in TIMINGS.items():
        setattr(settings, name, value)
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    if not delivery_worker.running:
        delivery_worker.process = None
        delivery_worker.start()
    delivery_worker.clear_outbox()
    point_celery_at(delivery_worker.broker_url)
    yield delivery_worker
    point_celery_at(None)
    if delivery_worker.overrides:  # a test changed the worker's environment: the next one gets the usual worker
        delivery_worker.restart()


@pytest.fixture
def receiver():
    """Make webhook receivers on 127.0.0.1; all are shut down after the test."""
    made: list[Receiver] = []

    def make(*answers: int | str) -> Receiver:
        made.append(Receiver(*answers))
        return made[-1]

    yield make
    for each in made:
        each.close()
