"""Benchmark: fan-out of inbox + e-mail notifications through a real Celery worker, against a no-op task.

    .venv/bin/python bench/notifications.py [--count 10000]

Both rates are measured in the same run, on the same Redis broker, the same worker (prefork, two
processes, queues email and periodic) and the same queue, so their ratio says how much of the
worker's capacity the delivery itself costs. The issue's target is a ratio of at least 0.5.
Deliveries are counted per e-mail; the portal hands them to the worker in batches
(NOTIFICATION_BATCH_SIZES, 50 e-mails per task by default), as it does in production.

The database (default xfg_bench_notify) is created if missing and migrated; the broker's Redis
database (default 14) is flushed first. Rows of earlier runs are deleted at the start.
"""

import argparse
import importlib
import os
import secrets
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, Python puts bench/ first on the path; the project's root is what is wanted.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

from bench.common import machine, postgres_facts, setup_django  # noqa: E402 (needs the path above)
from bench.worker import LOCMEM, Worker, wait_for  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/xfg_bench_notify"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/14"
KIND = "task.opened"  # e-mail on by default, SMS off: exactly one inbox and one e-mail row each
TARGET = 0.5
WARM_UP = 20


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="tasks and recipients (default 10000)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--broker-url", default=os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER_URL))
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds each phase may take at most")
    parser.add_argument("--conn-max-age", type=int, default=None,
                        help="DATABASE_CONN_MAX_AGE for the worker (default: the settings' default)")
    parser.add_argument("--profile", type=int, default=300, metavar="N",
                        help="also time N deliveries in this process to show where the time goes (0: skip)")
    parser.add_argument("--variant", action="append", default=[], metavar="MODULE",
                        help="a module imported by this process and by the worker (-I) before measuring, "
                             "to try a variant of the delivery code")
    return parser.parse_args()


def configure(args: argparse.Namespace) -> None:
    """Point Django and Celery at the benchmark's database and broker, before Django loads settings."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    os.environ["CELERY_BROKER_URL"] = args.broker_url
    os.environ["EMAIL_BACKEND"] = LOCMEM
    os.environ.pop("REDIS_URL", None)  # the cache is not under test; keep it in process memory
    # As in production: with DEBUG on, every query is also recorded in memory.
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    setup_django(args.database_url)
    for module in args.variant:
        importlib.import_module(module)


# --- the services ----------------------------------------------------------------------------------


def versions(redis_client: Any) -> dict[str, str]:
    """PostgreSQL, Redis, Django and Celery versions, printed beside the rates."""
    import celery
    import django

    return {"postgresql": postgres_facts()["version"], "redis": redis_client.info("server")["redis_version"],
            "django": django.get_version(), "celery": celery.__version__}


# --- the two measurements ----------------------------------------------------------------------------


def run_noops(count: int, redis_client: Any, worker: Worker, timeout: float) -> dict[str, float]:
    """Publish `count` no-op tasks to the e-mail queue and time them until the worker has run all."""
    from bench.tasks import NOOP_COUNTER, noop

    redis_client.delete(NOOP_COUNTER)
    started = time.monotonic()
    for _ in range(count):
        noop.apply_async(queue="email", retry=False)
    published = time.monotonic()
    finished = wait_for(lambda: int(redis_client.get(NOOP_COUNTER) or 0), count, what="no-op tasks",
                        timeout=timeout, worker=worker)
    return {"publish_s": published - started, "total_s": finished - started, "rate": count / (finished - started)}


def bench_users(count: int) -> list[Any]:
    """`count` people with an e-mail address (made once, kept for later runs)."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    names = [f"bench-{i:05d}" for i in range(count)]
    existing = set(user_model.objects.filter(username__in=names).values_list("username", flat=True))
    user_model.objects.bulk_create(
        [user_model(username=name, email=f"{name}@bench.example", password="!", language="zh-hans")
         for name in names if name not in existing],
        batch_size=2000,
    )
    return list(user_model.objects.filter(username__in=names).order_by("username"))


def clear_earlier_runs() -> None:
    from notifications.models import DeliveryAttempt, Notification

    DeliveryAttempt.objects.filter(notification__recipient__username__startswith="bench-").delete()
    Notification.objects.filter(recipient__username__startswith="bench-").delete()


def fan_out(users: list[Any], run: str) -> dict[str, float]:
    """One transaction writes an inbox and an e-mail row per user; the commit queues the e-mail ids."""
    from django.db import transaction

    from notifications.outbox import notify_many

    messages = [
        (user, {"reference": f"XFG-BENCH-{i:05d}", "service": "基准测试事项"}, f"{run}:{i}", "/applications/")
        for i, user in enumerate(users)
    ]
    started = time.monotonic()
    with transaction.atomic():
        written = notify_many(KIND, messages)
        written_at = time.monotonic()
    queued_at = time.monotonic()  # on_commit has published every e-mail id by now
    return {"rows": written, "started": started, "write_s": written_at - started,
            "commit_and_publish_s": queued_at - written_at, "committed": written_at}


def run_fan_out(users: list[Any], worker: Worker, timeout: float, run: str) -> dict[str, Any]:
    from django.db.models import Count, Max, Min

    from notifications.models import Notification

    timing = fan_out(users, run)
    count = len(users)
    # Keys are f"{kind}:{channel}:{user}:{run}:{i}"; after one search by key, polling uses the id range.
    bounds = Notification.objects.filter(kind=KIND, channel=Notification.Channel.EMAIL,
                                         idempotency_key__contains=f":{run}:").aggregate(
        low=Min("id"), high=Max("id"), n=Count("id"))
    if bounds["n"] != count:
        raise RuntimeError(f"expected {count} e-mail rows, found {bounds['n']}")
    of_run = Notification.objects.filter(channel=Notification.Channel.EMAIL, kind=KIND,
                                         id__gte=bounds["low"], id__lte=bounds["high"])

    def finished() -> int:
        by_status = dict(of_run.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
        failed = {s: n for s, n in by_status.items()
                  if s not in (Notification.Status.SENT, Notification.Status.CREATED, Notification.Status.SENDING)}
        if failed:
            raise RuntimeError(f"deliveries failed: {failed}: "
                               f"{of_run.exclude(last_error='').values_list('last_error', flat=True).first()}")
        return by_status.get(Notification.Status.SENT, 0)

    done = wait_for(finished, count, what="e-mail deliveries", timeout=timeout, worker=worker, interval=0.25)
    inbox = Notification.objects.filter(kind=KIND, channel=Notification.Channel.INBOX,
                                        idempotency_key__contains=f":{run}:").count()
    return {
        **timing,
        "inbox": inbox,
        "emails": count,
        "deliver_s": done - timing["committed"],
        "rate": count / (done - timing["committed"]),
        "end_to_end_rate": count / (done - timing["started"]),
    }


# --- where the time goes: deliveries timed in this process -------------------------------------------------


def profile_deliver(users: list[Any], sample: int, run: str) -> dict[str, float]:
    """Time delivery without Celery, opening a new database connection per task as the worker does
    (CONN_MAX_AGE=0: Celery closes the connection after each task): one message per task, then the
    channel's batches."""
    from django.conf import settings
    from django.core import mail
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from notifications.delivery import deliver_batch
    from notifications.models import Notification
    from notifications.outbox import notify_many

    sample = min(sample, len(users) // 2)
    batch = settings.NOTIFICATION_BATCH_SIZES[Notification.Channel.EMAIL]
    halves = {"single": (users[:sample], 1), "batched": (users[sample:2 * sample], batch)}
    result: dict[str, float] = {"batch": batch}
    for label, (people, size) in halves.items():
        with transaction.atomic():
            notify_many(KIND, [(u, {"reference": "XFG-PROFILE", "service": "基准"}, f"{run}p:{label}", "/")
                               for u in people])
        ids = list(Notification.objects.filter(channel=Notification.Channel.EMAIL,
                                               idempotency_key__contains=f":{run}p:{label}")
                   .values_list("id", flat=True))
        mail.outbox = []
        started = time.monotonic()
        with CaptureQueriesContext(connection) as queries:
            for start in range(0, len(ids), size):
                connection.close()
                deliver_batch(ids[start:start + size])
        elapsed = time.monotonic() - started
        result[f"{label}_ms"] = elapsed * 1000 / len(ids)
        result[f"{label}_queries"] = len(queries) / len(ids)
    opened = time.monotonic()
    for _ in range(50):
        connection.close()
        connection.ensure_connection()
    result["connect_ms"] = (time.monotonic() - opened) * 1000 / 50

    from django.template.loader import render_to_string

    row = Notification.objects.filter(channel=Notification.Channel.EMAIL).select_related("recipient").first()
    started = time.monotonic()
    for _ in range(200):
        render_to_string("email/notification.txt", {"notification": row, "link": "x"})
        render_to_string("email/notification.html", {"notification": row, "link": "x"})
    result["render_ms"] = (time.monotonic() - started) * 1000 / 200
    return result


# --- the report ----------------------------------------------------------------------------------------------


def report(args: argparse.Namespace, info: dict[str, str], worker: Worker, noops: dict[str, float],
           fanout: dict[str, Any], profile: dict[str, float] | None) -> None:
    from django.conf import settings

    ratio = fanout["rate"] / noops["rate"]
    lines = [
        "Notification fan-out benchmark (bench/notifications.py)",
        f"  machine     {info['cpu']}; cores {info['cores']} (usable by this process: {info['usable']}); "
        f"RAM {info['ram']}",
        f"  software    {info['os']}; Python {info['python']}; Django {info['django']}; Celery {info['celery']}",
        f"  services    PostgreSQL {info['postgresql']}; Redis {info['redis']}",
        f"  worker      prefork, concurrency {args.concurrency}, queues email+periodic, prefetch 1, acks_late; "
        f"DATABASE_CONN_MAX_AGE={worker.env.get('DATABASE_CONN_MAX_AGE', 'default (0)')}; "
        f"DEBUG={worker.env['DEBUG']}" + "".join(f"; variant {module}" for module in args.variant),
        f"  delivery    up to {settings.NOTIFICATION_BATCH_SIZES['email']} e-mails per task, "
        "each outcome committed as it is known",
        f"  warm-up     {WARM_UP} no-op tasks and {WARM_UP} deliveries before measuring",
        "",
        f"  no-op tasks           {args.count:>6}   published in {noops['publish_s']:.2f} s, all run after "
        f"{noops['total_s']:.2f} s   -> {noops['rate']:8.1f} tasks/s",
        f"  fan-out               {fanout['rows']:>6} rows ({fanout['inbox']} inbox + {fanout['emails']} e-mail) "
        f"written in {fanout['write_s']:.2f} s; commit + publishing {fanout['commit_and_publish_s']:.2f} s",
        f"  e-mail deliveries     {fanout['emails']:>6}   all sent {fanout['deliver_s']:.2f} s after the commit "
        f"-> {fanout['rate']:8.1f} e-mails/s   (end to end, writing included: {fanout['end_to_end_rate']:.1f}/s)",
        "",
        f"  ratio fan-out / no-op: {ratio:.3f}   target >= {TARGET}: "
        + ("met" if ratio >= TARGET else f"MISSED by {TARGET - ratio:.3f} "
           f"(needs {TARGET * noops['rate']:.0f} e-mails/s, {TARGET * noops['rate'] / fanout['rate']:.2f}x faster)"),
    ]
    if profile:
        lines += [
            "",
            f"  where the time goes (delivery in this process, {args.profile} e-mails each way, no Celery,",
            "  a new database connection per task as in the worker):",
            f"    one e-mail per task             {profile['single_ms']:.2f} ms and "
            f"{profile['single_queries']:.1f} queries per e-mail",
            f"    {profile['batch']:.0f} e-mails per task            {profile['batched_ms']:.2f} ms and "
            f"{profile['batched_queries']:.1f} queries per e-mail",
            f"    opening a PostgreSQL connection {profile['connect_ms']:.2f} ms",
            f"    rendering the two templates     {profile['render_ms']:.2f} ms",
        ]
    print("\n".join(lines))


def main() -> int:
    args = parse_args()
    configure(args)

    import redis
    from django.db import connection

    redis_client = redis.Redis.from_url(args.broker_url)
    redis_client.flushdb()
    info = {**machine(), **versions(redis_client)}
    clear_earlier_runs()
    users = bench_users(args.count + WARM_UP + 2 * max(args.profile, 0))
    measured, spare = users[:args.count], users[args.count:]
    connection.close()  # the worker forks no connection of ours, but keep the count of clients honest

    worker = Worker(args, Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-notifications-{os.getpid()}.log")
    worker.start()
    run = f"r{int(time.time())}"
    try:
        run_noops(WARM_UP, redis_client, worker, args.timeout)
        run_fan_out(spare[:WARM_UP], worker, args.timeout, f"{run}w")
        noops = run_noops(args.count, redis_client, worker, args.timeout)
        fanout = run_fan_out(measured, worker, args.timeout, run)
    finally:
        worker.stop()
    profile = profile_deliver(spare[WARM_UP:], args.profile, run) if args.profile > 0 else None
    report(args, info, worker, noops, fanout, profile)
    print(f"  worker log  {worker.log_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
