"""Benchmark of 免申即享 policy matching at district scale, against PostgreSQL.

    .venv/bin/python bench/policy_matching.py [--enterprises 200000 --talents 300000]

Seeds the enterprises (each with one member user), their talent and the ten demo measures,
times a first matching run from scratch (ten `match_policy` calls, then `notify_new_matches`)
and a second, steady-state run, and compares with a naive per-row Python evaluation of the same
rules on a 2,000-talent slice, scaled up. Prints the machine, the figures and whether the targets
(full run ≤ 5 s, ≥ 20× faster than naive) are met. The database (DATABASE_URL, by default
postgres://postgres@127.0.0.1:5432/xfg_bench) is created if missing; it is the benchmark's own:
data of another size is wiped (only in a database whose name contains "bench").
The synthetic data is made in bench/district_data.py.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, Python puts bench/ first on the path; the project's root is what is wanted,
# so the sibling modules are imported as bench.… (as the worker imports bench.tasks).
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

from bench.common import machine, postgres_facts, setup_django  # noqa: E402 (needs the path above)
from bench.district_data import analyze, existing_sizes, seed, seed_policies, wipe  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/xfg_bench"
# Delivery tasks go to a broker, as in production, rather than running in the process (eager).
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/13"
QUEUES = ("celery", "email", "sms", "webhooks")
NAIVE_SLICE = 2000
TARGET_SECONDS = 5.0
TARGET_SPEEDUP = 20.0


def configure() -> None:
    """Point Django at the benchmark's database and broker, create the database if missing, migrate."""
    # The measures' material templates are files; keep them out of the project's media.
    os.environ.setdefault("PRIVATE_MEDIA_ROOT", str(Path(tempfile.gettempdir()) / "xfg_bench_media"))
    os.environ["CELERY_BROKER_URL"] = os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER_URL)
    # No query log: it would hold every statement in memory.
    setup_django(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL), debug=False)


# --- the runs' bookkeeping ----------------------------------------------------------------------


def clear_matches() -> None:
    """Forget earlier runs, so the next run is a first run."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE talent_policymatch")
        matched = "SELECT id FROM services_notification WHERE kind = 'policy.matched'"
        cursor.execute(f"DELETE FROM services_deliveryattempt WHERE notification_id IN ({matched})")
        cursor.execute("DELETE FROM services_notification WHERE kind = 'policy.matched'")
    analyze("talent_policymatch", "services_notification")
    purge_queues()


def purge_queues() -> int:
    """Drop the delivery tasks the runs queued in the benchmark's broker (no worker consumes them)."""
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis"):
        return 0
    import redis

    client = redis.Redis.from_url(broker)
    queued = sum(client.llen(queue) for queue in QUEUES)
    client.delete(*QUEUES)
    return queued


def notifications_written() -> dict[str, int]:
    """Rows of policy.matched per channel: the notifying part's output, beside its time."""
    from django.db.models import Count

    from notifications.models import Notification

    rows = Notification.objects.filter(kind="policy.matched").values("channel").annotate(n=Count("id"))
    return {row["channel"]: row["n"] for row in rows}


# --- the runs ---------------------------------------------------------------------------------


def timed_run() -> dict[str, Any]:
    """Run `run_matching()` and split its time into the matching part and the notifying part.

    A statement cancelled by the statement timeout ends the run; what it reached is reported.
    """
    from django.db import DatabaseError

    from talent.matching import open_policies, run_matching

    marks: list[tuple[str, float]] = []
    codes = [policy.code for policy in open_policies()]
    started = time.perf_counter()
    try:
        summary = run_matching(progress=lambda policy: marks.append((policy.code, time.perf_counter())))
    except DatabaseError as error:
        failed = codes[len(marks)] if len(marks) < len(codes) else "notify_new_matches"
        return {"error": f"{failed}: {str(error).strip().splitlines()[0]}",
                "total": time.perf_counter() - started, "per_policy": _durations(started, marks)}
    ended = time.perf_counter()
    matched = (marks[-1][1] if marks else started) - started
    return {"total": ended - started, "matching": matched, "notifying": ended - started - matched,
            "policies": summary.policies, "new": summary.new_matches, "lapsed": summary.lapsed,
            "notified": summary.enterprises_notified, "per_policy": _durations(started, marks),
            "per_policy_new": summary.per_policy}


def _durations(started: float, marks: list[tuple[str, float]]) -> list[tuple[str, float]]:
    previous, durations = started, []
    for code, mark in marks:
        durations.append((code, mark - previous))
        previous = mark
    return durations


def session_settings(statement_timeout: int, work_mem: str) -> None:
    """Bound every statement, so a plan that never ends shows as a failure rather than a hang."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('statement_timeout', %s, false)", [f"{statement_timeout}s"])
        if work_mem:
            cursor.execute("SELECT set_config('work_mem', %s, false)", [work_mem])


def naive(talents: int) -> dict[str, float | int]:
    """Load a slice of talent as a naive implementation would and judge each against each policy in Python."""
    from django.utils import timezone

    from talent.eligibility import rule_failures
    from talent.matching import open_policies
    from talent.models import Talent

    on = timezone.localdate()
    started = time.perf_counter()
    policies = open_policies(on)
    rows = list(Talent.objects.select_related("enterprise").order_by("pk")[:NAIVE_SLICE])
    eligible = sum(1 for talent in rows for policy in policies if not rule_failures(policy, talent, on))
    seconds = time.perf_counter() - started
    scale = talents / len(rows) if rows else 0
    return {"slice": len(rows), "seconds": seconds, "scaled": seconds * scale, "eligible": eligible,
            "scale": scale}


def explain(limit: int) -> None:
    """EXPLAIN ANALYZE the statements of `match_policy` for each policy, rolled back, on a cleared table."""
    from django.db import DatabaseError, connection, transaction
    from django.utils import timezone

    from talent.eligibility import eligible_talent
    from talent.matching import _sql, open_policies
    from talent.models import PolicyMatch, Talent

    on = timezone.localdate()
    table = PolicyMatch._meta.db_table
    for policy in open_policies(on)[:limit]:
        eligible = Talent.objects.filter(eligible_talent(policy, on))
        ids_sql, ids_params = _sql(eligible.values("id"))
        select_sql, select_params = _sql(eligible.values("id", "enterprise_id"))
        statements = [
            ("insert", f"INSERT INTO {table} (policy_id, talent_id, enterprise_id, matched_on) "
                       f"SELECT %s, eligible.id, eligible.enterprise_id, %s FROM ({select_sql}) AS eligible WHERE true "
                       f"ON CONFLICT (policy_id, talent_id) DO NOTHING", (policy.pk, on, *select_params)),
            ("lapse (NOT IN)", f"UPDATE {table} SET lapsed_on = %s WHERE policy_id = %s AND lapsed_on IS NULL "
                               f"AND talent_id NOT IN ({ids_sql})", (on, policy.pk, *ids_params)),
        ]
        print(f"\n--- {policy.code}: EXPLAIN ANALYZE (rolled back)")
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                for label, sql, params in statements:
                    print(f"[{label}]")
                    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}", params)
                    for (line,) in cursor.fetchall():
                        print("  " + line)
                transaction.set_rollback(True)
        except DatabaseError as error:
            print(f"  cancelled: {str(error).strip().splitlines()[0]}")


def report_line(label: str, value: str) -> None:
    """One figure, its value aligned with the others'."""
    print(f"  {label:<44} {value}")


def verdict(met: bool, missed: str) -> str:
    """MET, or MISSED with how far off: a missed target is reported, never failed."""
    return "MET" if met else f"MISSED ({missed})"


def report_run(title: str, run: dict[str, Any]) -> None:
    print(title)
    if "error" in run:
        report_line("  did not finish", f"after {run['total']:.1f} s: {run['error']}")
    else:
        report_line("  matching: 10 × match_policy", f"{run['matching']:.2f} s")
        report_line("  notify_new_matches", f"{run['notifying']:.2f} s")
        report_line("  full run_matching()", f"{run['total']:.2f} s")
        report_line("  new matches / enterprises notified", f"{run['new']:,} / {run['notified']:,}")
    new = run.get("per_policy_new", {})
    report_line("  per policy (s, new matches)", "  ".join(
        f"{code} {seconds:.2f}" + (f" ({new[code]:,})" if code in new else "") for code, seconds in run["per_policy"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enterprises", type=int, default=200_000)
    parser.add_argument("--talents", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=2026, help="random seed of the generated data")
    parser.add_argument("--reseed", action="store_true", help="wipe and seed even when the sizes match")
    parser.add_argument("--statement-timeout", type=int, default=300, metavar="SECONDS",
                        help="cancel any statement of the runs that takes longer (default 300)")
    parser.add_argument("--work-mem", default="", metavar="SIZE",
                        help="set work_mem for the runs, e.g. 64MB (default: the server's setting)")
    parser.add_argument("--explain", type=int, default=0, metavar="N",
                        help="also print EXPLAIN ANALYZE of the first N policies' statements")
    args = parser.parse_args(argv)

    configure()
    from django.db import connection

    facts = machine()
    sizes = existing_sizes()
    if sizes == (args.enterprises, args.talents, args.enterprises) and not args.reseed:
        print(f"Reusing the data already in {connection.settings_dict['NAME']}: "
              f"{sizes[0]:,} enterprises, {sizes[1]:,} talent.")
    else:
        if any(sizes):
            print(f"Found {sizes[0]:,} enterprises and {sizes[1]:,} talent; wiping and reseeding.")
            wipe()
        started = time.perf_counter()
        seed(args.enterprises, args.talents, random.Random(args.seed))
        analyze("portal_user", "enterprises_enterprise", "enterprises_membership", "talent_talent")
        print(f"Seeded in {time.perf_counter() - started:.1f} s.")
    policies = seed_policies()

    clear_matches()
    session_settings(args.statement_timeout, args.work_mem)
    pg = postgres_facts("shared_buffers", "work_mem", "max_parallel_workers_per_gather")
    first = timed_run()
    written, queued = notifications_written(), purge_queues()
    second = timed_run() if "error" not in first else None
    purge_queues()
    slow = naive(args.talents)
    if args.explain:
        clear_matches()
        explain(args.explain)
        clear_matches()

    finished = "error" not in first
    speedup = slow["scaled"] / first["total"] if first["total"] else float("inf")
    print("\n=== 免申即享 policy matching benchmark ===")
    report_line("machine", f"{facts['cpu']}, {facts['cores']} cores, {facts['ram']} RAM, "
                           f"load average {facts['load']} at the start")
    report_line("PostgreSQL", f"PostgreSQL {pg['version']} (shared_buffers {pg['shared_buffers']}, work_mem "
                              f"{pg['work_mem']}, parallel workers/gather {pg['max_parallel_workers_per_gather']})")
    report_line("data", f"{args.enterprises:,} enterprises (one member each), {args.talents:,} talent, "
                        f"{len(policies)} policies")
    report_run("first run (from scratch)", first)
    report_line("  notifications written (by channel)", ", ".join(
        f"{channel} {count:,}" for channel, count in sorted(written.items())) or "none")
    report_line("  delivery tasks queued", f"{queued:,} (broker {os.environ['CELERY_BROKER_URL'] or 'eager'})")
    if second:
        report_run("second run (steady state: nothing new)", second)
    print("naive per-row Python (rule_failures, loading included, writing matches not)")
    report_line(f"  {slow['slice']:,} talent × {len(policies)} policies",
                f"{slow['seconds']:.2f} s ({slow['eligible']:,} eligible pairs)")
    report_line(f"  scaled ×{slow['scale']:.0f} to {args.talents:,} talent", f"{slow['scaled']:.1f} s")
    if finished and slow["scaled"]:
        pace = f"{speedup:.1f}× faster" if speedup >= 1 else f"{1 / speedup:.1f}× slower"
        report_line("ratio full run / naive", f"{first['total'] / slow['scaled']:.4f} (the full run is {pace})")
    else:
        report_line("ratio full run / naive", f"≥ {first['total'] / slow['scaled']:.4f} (the run did not finish)")
    print("targets")
    report_line(f"  full run ≤ {TARGET_SECONDS:.0f} s", verdict(
        finished and first["total"] <= TARGET_SECONDS,
        f"{first['total']:.2f} s, {first['total'] - TARGET_SECONDS:.2f} s over" if finished
        else f"did not finish within the {args.statement_timeout} s statement timeout"))
    report_line(f"  ≥ {TARGET_SPEEDUP:.0f}× faster than naive", verdict(
        finished and speedup >= TARGET_SPEEDUP,
        f"{speedup:.1f}×, {TARGET_SPEEDUP - speedup:.1f}× short" if finished else "the run did not finish"))
    return 0 if finished else 1


if __name__ == "__main__":
    sys.exit(main())
