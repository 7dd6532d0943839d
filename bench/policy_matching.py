"""Benchmark of 免申即享 policy matching at district scale, against PostgreSQL.

    .venv/bin/python bench/policy_matching.py [--enterprises 200000 --talents 300000]

Seeds the enterprises (each with one member user), their talent and the ten demo measures,
times a first matching run from scratch (ten `match_policy` calls, then `notify_new_matches`)
and a second, steady-state run, and compares with a naive per-row Python evaluation of the same
rules on a 2,000-talent slice, scaled up. Prints the machine, the figures and whether the targets
(full run ≤ 5 s, ≥ 20× faster than naive) are met. The database (DATABASE_URL, by default
postgres://postgres@127.0.0.1:5432/xfg_bench) is created if missing; it is the benchmark's own:
data of another size is wiped (only in a database whose name contains "bench").
"""

import argparse
import datetime
import os
import platform
import random
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/xfg_bench"
# Delivery tasks go to a broker, as in production, rather than running in the process (eager).
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/13"
QUEUES = ("celery", "email", "sms", "webhooks")
NAIVE_SLICE = 2000
TARGET_SECONDS = 5.0
TARGET_SPEEDUP = 20.0


def setup_django() -> None:
    """Point Django at the benchmark's database, create it if missing, and migrate quietly."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    # The measures' material templates are files; keep them out of the project's media.
    os.environ.setdefault("PRIVATE_MEDIA_ROOT", str(Path(tempfile.gettempdir()) / "xfg_bench_media"))
    os.environ["CELERY_BROKER_URL"] = os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER_URL)
    from portal.preflight import ensure_database

    ensure_database(os.environ["DATABASE_URL"])
    import django
    from django.conf import settings

    django.setup()
    settings.DEBUG = False  # no query log: it would hold every statement in memory
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# --- the machine ------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu, cores = platform.processor() or "unknown", os.cpu_count() or 0
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        cpu = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), cpu)
        cores = sum(1 for line in lines if line.startswith("processor")) or cores
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    try:
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        load = "unknown"
    return {"cpu": cpu, "cores": str(cores), "ram": ram, "load": load}


def postgres_facts() -> dict[str, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
        facts = {"version": version}
        for name in ("shared_buffers", "work_mem", "max_parallel_workers_per_gather"):
            cursor.execute(f"SHOW {name}")
            facts[name] = cursor.fetchone()[0]
    return facts


# --- seeding -----------------------------------------------------------------------------------

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建文斌宇浩凯峰思远晓雨子涵海波婉清欣然"
REGIONS = ["110106", "110108", "110105", "120101", "130102", "310115", "320102", "330106", "370202",
           "420111", "440305", "510107", "610113", "210102", "350203"]
TITLES = ["", "工程师", "高级工程师", "正高级工程师", "研究员", "副研究员", "经济师", "高级经济师", "会计师", "技师"]
FIELDS = ["人工智能", "集成电路", "生物医药", "新能源", "软件开发", "数字金融", "智能制造", "轨道交通",
          "新材料", "航空航天", "数据科学", "工业设计"]
STREETS = ["fengtai", "xincun", "lugouqiao", "huaxiang", "fangzhuang", "youanmen", "nanyuan", "donggaodi",
           "liuliqiao", "changxindian", "wanping", "yungang", "majiapu", "wangzuo"]
INDUSTRIES = "ACEFGHIJKLMNOPQR"
INDUSTRY_WEIGHTS = [1, 8, 6, 18, 5, 6, 14, 5, 4, 12, 9, 1, 3, 3, 3, 2]


def weighted(rng: random.Random, table: dict[Any, float]) -> Any:
    return rng.choices(list(table), weights=list(table.values()))[0]


# Realistic shares: most enterprises have no technology tier; most talent are C or D.
TECH_TIERS = {"none": 82, "sme_tech": 9, "high_tech": 5, "specialised": 2.5, "gazelle": 1.2, "unicorn": 0.3}
STATUSES = {"verified": 90, "pending": 6, "suspended": 2.5, "rejected": 1.5}
SIZES = {"micro": 60, "small": 28, "medium": 10, "large": 2}
TIERS = {"D": 60, "C": 33.5, "B": 5, "A": 1.5}
EDUCATION = {"other": 25, "bachelor": 48, "master": 22, "doctorate": 5}


def uscc(index: int) -> str:
    from stdnum.cn import uscc as uscc_number

    body = f"91110106{index:09d}"
    return body + uscc_number.calc_check_digit(body)


def copy_rows(table: str, columns: list[str], rows: Iterable[tuple], total: int, label: str) -> None:
    """Load rows with COPY, the fastest bulk path of PostgreSQL, behind a progress bar."""
    from django.db import connection
    from tqdm import tqdm

    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in tqdm(rows, total=total, desc=label, unit="row", mininterval=0.5):
                copy.write_row(row)


def next_id(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        return cursor.fetchone()[0]


def reset_sequence(table: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")


def existing_sizes() -> tuple[int, int, int]:
    from enterprises.models import Enterprise, Membership
    from talent.models import Talent

    return Enterprise.objects.count(), Talent.objects.count(), Membership.objects.count()


def wipe() -> None:
    """Empty the benchmark's own tables (users, enterprises, talent and what hangs on them)."""
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if "bench" not in name:
        sys.exit(f"The database {name!r} holds data of another size; the benchmark only wipes a database "
                 "whose name contains 'bench'. Point DATABASE_URL at one.")
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE portal_user, enterprises_enterprise, talent_talent RESTART IDENTITY CASCADE")


def seed(enterprises: int, talents: int, rng: random.Random) -> None:
    """Users, enterprises, memberships and talent in bulk, with realistic distributions."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone
    from stdnum.cn import ric

    from portal.models import User

    quiet_from, quiet_until = (User._meta.get_field(name).default for name in ("sms_quiet_from", "sms_quiet_until"))
    now = timezone.now()
    today = timezone.localdate()
    password = make_password("bench-only-password")  # one hash for everyone: hashing is not under test
    first_user, first_enterprise = next_id("portal_user"), next_id("enterprises_enterprise")
    first_membership, first_talent = next_id("enterprises_membership"), next_id("talent_talent")

    def users() -> Iterator[tuple]:
        for i in range(enterprises):
            language = "en" if rng.random() < 0.08 else "zh-hans"
            yield (first_user + i, password, False, f"bench-{i:06d}", rng.choice(GIVEN) + rng.choice(GIVEN),
                   rng.choice(SURNAMES), f"bench-{i:06d}@bench.example", False, True, now, "", language,
                   quiet_from, quiet_until)

    def companies() -> Iterator[tuple]:
        for i in range(enterprises):
            status = weighted(rng, STATUSES)
            roll = rng.random()
            if roll < 0.02:  # on the credit list now
                credit = today + datetime.timedelta(days=rng.randint(1, 365))
            elif roll < 0.04:  # was, and is no longer
                credit = today - datetime.timedelta(days=rng.randint(1, 730))
            else:
                credit = None
            founded = datetime.date(1995, 1, 1) + datetime.timedelta(days=rng.randint(0, (today - datetime.date(1995, 1, 1)).days))
            yield (first_enterprise + i, f"北京基准{i:06d}科技有限公司", uscc(i), rng.choice(SURNAMES) + rng.choice(GIVEN),
                   f"北京市丰台区基准路{i % 999 + 1}号", rng.choice(STREETS),
                   rng.choices(INDUSTRIES, weights=INDUSTRY_WEIGHTS)[0], weighted(rng, SIZES),
                   weighted(rng, TECH_TIERS), founded, rng.randint(10, 100000), "联系人", "010-63800000",
                   f"bench-{i:06d}@bench.example", "", status, "", credit, now,
                   now if status != "pending" else None, first_user + i)

    def memberships() -> Iterator[tuple]:
        for i in range(enterprises):
            yield (first_membership + i, "admin", now, first_enterprise + i, first_user + i)

    def people() -> Iterator[tuple]:
        taken: set[tuple[int, str]] = set()
        for i in range(talents):
            # Skewed: a few enterprises employ many talent, most employ none or one.
            enterprise = first_enterprise + int(enterprises * rng.random() ** 1.6)
            age = int(rng.triangular(22, 66, 30))
            birth = today - datetime.timedelta(days=age * 365 + rng.randint(0, 364))
            sequence = rng.randint(0, 999)
            while True:
                body = f"{rng.choice(REGIONS)}{birth:%Y%m%d}{sequence:03d}"
                number = body + ric.calc_check_digit(body + "0")
                if (enterprise, number) not in taken:
                    break
                sequence = (sequence + 1) % 1000
            taken.add((enterprise, number))
            earliest = max(birth + datetime.timedelta(days=22 * 365), datetime.date(2000, 1, 1))
            span = max((today - earliest).days, 0)
            started = today - datetime.timedelta(days=min(int(rng.expovariate(1 / 1500)), span))
            gender = "male" if int(number[16]) % 2 else "female"
            yield (first_talent + i, rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), number, birth,
                   gender, weighted(rng, EDUCATION), rng.choice(TITLES), rng.choice(FIELDS), weighted(rng, TIERS),
                   rng.random() < 0.06, started, now, now, enterprise)

    with transaction.atomic():
        copy_rows("portal_user", ["id", "password", "is_superuser", "username", "first_name", "last_name", "email",
                                  "is_staff", "is_active", "date_joined", "phone", "language", "sms_quiet_from",
                                  "sms_quiet_until"],
                  users(), enterprises, "users")
        copy_rows("enterprises_enterprise", [
            "id", "name", "uscc", "legal_representative", "registered_address", "street", "industry", "size",
            "tech_tier", "founded_on", "registered_capital", "contact_name", "contact_phone", "contact_email",
            "licence", "status", "status_reason", "credit_listed_until", "created_at", "decided_at",
            "created_by_id"], companies(), enterprises, "enterprises")
        copy_rows("enterprises_membership", ["id", "role", "created_at", "enterprise_id", "user_id"],
                  memberships(), enterprises, "memberships")
        copy_rows("talent_talent", ["id", "name", "id_number", "birth_date", "gender", "education", "title", "field",
                                    "tier", "returnee", "started_on", "created_at", "updated_at", "enterprise_id"],
                  people(), talents, "talent")
        for table in ("portal_user", "enterprises_enterprise", "enterprises_membership", "talent_talent"):
            reset_sequence(table)


def seed_policies() -> list:
    """The ten demo measures; their departments are created first, as seed_demo would."""
    from portal.management.commands.seed_demo import DEPARTMENTS
    from services.models import Department
    from talent.demo import department_codes, seed_talent_policies

    names = {code: (name, name_en) for code, name, name_en in DEPARTMENTS}
    for code in sorted(department_codes()):
        name, name_en = names.get(code, (code, code))
        Department.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en})
    return seed_talent_policies()


def analyze(*tables: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")


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
    from django.db.models import Count

    from services.models import Notification

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
    print(f"  {label:<44} {value}")


def verdict(met: bool, missed: str) -> str:
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

    setup_django()
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
    pg = postgres_facts()
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
    report_line("PostgreSQL", f"{pg['version']} (shared_buffers {pg['shared_buffers']}, work_mem "
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
