"""The baseline task of bench/notifications.py, importable by the worker (`-I bench.tasks`).

It does nothing but count itself in Redis: there is no result backend, and one INCR is the
cheapest way for the benchmark to know when every task has run.
"""

import redis

from portal.celery import app

NOOP_COUNTER = "bench:noop:done"

_client: redis.Redis | None = None


@app.task(name="bench.noop", ignore_result=True)
def noop() -> None:
    """No work, so the measured rate is Celery's own overhead on this broker and worker."""
    global _client
    if _client is None:
        _client = redis.Redis.from_url(app.conf.broker_url)
    _client.incr(NOOP_COUNTER)
