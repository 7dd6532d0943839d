"""Benchmark of matching and offers (免申即享) for talent and enterprise policies, against PostgreSQL.

    .venv/bin/python bench/matching_offers.py [--enterprises 200000 --talents 300000]

Seeds its own database (DATABASE_URL, by default postgres://postgres@127.0.0.1:5432/xfg_bench_offers) with
COPY (bench/district_data.py), fills the enterprises' registered data the enterprise rules read (employees,
revenue, tax credit rating, date of the technology tier) with one UPDATE, and creates ten talent policies
(the demo measures, half of them enjoyed without applying) and ten enterprise policies (all 免申即享).
Then times one full `run_matching()` from scratch (twenty policies matched, the offers of the 免申即享 ones
made in the same transaction, one message per enterprise told) and a second, nightly run over the same
data, after the ANALYZE autovacuum would have made in between. Beside it, in the same run, a per-row
loop judges a slice of talent and enterprises in Python against the same policies (scaled up); the run's
queries are counted (they depend on the policies and on batches of 5,000 enterprises told, not on the rows;
tests/talent/offers/test_scale.py holds them to it).
Targets: the full run under 10 s, at least 20× faster than the per-row loop.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

from bench.common import machine, postgres_facts, setup_django  # noqa: E402 (needs the path above)
from bench.district_data import analyze, existing_sizes, seed, seed_policies, wipe  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/xfg_bench_offers"
SLICE = 2000
TARGET_SECONDS = 10.0
TARGET_SPEEDUP = 20.0

# Ten enterprise measures shaped like a district's (专精特新, 高新培育, 瞪羚, 独角兽, industry and size bands).
ENTERPRISE_POLICIES = [
    ("QY-B01", "专精特新企业奖励", {"tech_tiers": ["specialised"], "in_good_standing": True}, "200000"),
    ("QY-B02", "高新技术企业培育补贴", {"tech_tiers": ["sme_tech"], "min_years_since_founding": 1,
                                         "tax_credit_ratings": ["A", "B"]}, "100000"),
    ("QY-B03", "瞪羚企业成长奖励", {"tech_tiers": ["gazelle"], "min_annual_revenue": "1000"}, "300000"),
    ("QY-B04", "独角兽企业落户奖励", {"tech_tiers": ["unicorn"]}, "5000000"),
    ("QY-B05", "软件和信息服务业房租补贴", {"industries": ["I"], "sizes": ["small", "micro"],
                                            "in_good_standing": True}, "50000"),
    ("QY-B06", "科研和技术服务业研发补助", {"industries": ["M"], "min_employees": 20}, "80000"),
    ("QY-B07", "初创企业开办补贴", {"max_years_since_founding": 3, "sizes": ["micro"]}, "20000"),
    ("QY-B08", "纳税信用A级企业奖励", {"tax_credit_ratings": ["A"], "min_registered_capital": "500"}, "30000"),
    ("QY-B09", "丽泽金融商务区入驻补贴", {"streets": ["lugouqiao"], "industries": ["J"]}, "150000"),
    ("QY-B10", "稳岗扩岗补贴", {"min_employees": 50, "in_good_standing": True,
                                  "not_granted_before": ["QY-B05"]}, "40000"),
]


def configure() -> None:
    os.environ.setdefault("PRIVATE_MEDIA_ROOT", str(Path(tempfile.gettempdir()) / "xfg_bench_media"))
    os.environ["CELERY_BROKER_URL"] = os.environ.get("BENCH_BROKER_URL", "memory://")
    setup_django(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL), debug=False)


def fill_registered_data() -> None:
    """The registered data the enterprise rules read, in one UPDATE (random but stable per row).

    Employees and revenue fall within the enterprise's size band (micro under 10 people, small 10–99,
    medium 100–299, large 300 and more; revenue in 10,000 CNY likewise), so that "at least 50 employees"
    picks out the small, medium and large enterprises it would in a district, not most micro ones.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("""
            UPDATE enterprises_enterprise SET
              employees = CASE size WHEN 'micro' THEN 1 + abs(hashtext(uscc)) % 9
                                    WHEN 'small' THEN 10 + abs(hashtext(uscc)) % 90
                                    WHEN 'medium' THEN 100 + abs(hashtext(uscc)) % 200
                                    ELSE 300 + abs(hashtext(uscc)) % 2000 END,
              annual_revenue = CASE size WHEN 'micro' THEN abs(hashtext(uscc || 'r')) % 300
                                         WHEN 'small' THEN 300 + abs(hashtext(uscc || 'r')) % 1700
                                         WHEN 'medium' THEN 2000 + abs(hashtext(uscc || 'r')) % 8000
                                         ELSE 10000 + abs(hashtext(uscc || 'r')) % 40000 END,
              tax_credit_rating = (ARRAY['A','B','B','M','C','D'])[1 + abs(hashtext(uscc || 't')) % 6],
              tech_tier_since = CASE WHEN tech_tier <> 'none' THEN founded_on + 365 END
        """)
    analyze("enterprises_enterprise")


def seed_all_policies() -> None:
    from services.models import Department, ServiceItem
    from talent.models import TalentPolicy
    from talent.offers.models import EnterprisePolicy

    seed_policies()
    for index, policy in enumerate(TalentPolicy.objects.order_by("service__code")):
        policy.no_application = index % 2 == 0
        policy.save(update_fields=["no_application"])
    department = Department.objects.get(code="KXJ")
    for code, name, rules, amount in ENTERPRISE_POLICIES:
        service, _ = ServiceItem.objects.get_or_create(code=code, defaults={
            "name": name, "name_en": code, "category": "enterprise", "lead_department": department,
            "approval_mode": "standard", "statutory_days": 20, "promised_days": 10})
        EnterprisePolicy.objects.update_or_create(service=service, defaults={
            "rules": rules, "amount": Decimal(amount), "no_application": True})


def clear() -> None:
    """Forget earlier runs, so the next run is a first run."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE talent_policymatch, talent_enterprisepolicymatch, talent_disbursement, talent_offer")
        cursor.execute("DELETE FROM services_notification WHERE kind IN ('policy.matched', 'manager.matched')")
    analyze("talent_policymatch", "talent_enterprisepolicymatch", "talent_offer", "services_notification")


def counted_run() -> tuple[float, int, object]:
    from django.db import connection

    from talent.matching import run_matching

    queries = [0]

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(count):
        summary = run_matching()
    return time.perf_counter() - started, queries[0], summary


def per_row(talents: int, enterprises: int) -> float:
    """The per-row way: every row loaded and judged in Python against every policy, scaled up."""
    from django.utils import timezone

    from enterprises.models import Enterprise
    from talent.eligibility import rule_failures
    from talent.matching import open_policies
    from talent.models import Talent
    from talent.offers import enterprise_rules
    from talent.offers.matching import open_enterprise_policies

    on = timezone.localdate()
    started = time.perf_counter()
    policies = open_policies(on)
    people = list(Talent.objects.select_related("enterprise").order_by("pk")[:SLICE])
    sum(1 for talent in people for policy in policies if not rule_failures(policy, talent, on))
    talent_seconds = time.perf_counter() - started
    started = time.perf_counter()
    measures = open_enterprise_policies(on)
    companies = list(Enterprise.objects.order_by("pk")[:SLICE])
    sum(1 for company in companies for policy in measures if not enterprise_rules.rule_failures(policy, company, on))
    enterprise_seconds = time.perf_counter() - started
    return talent_seconds * talents / max(len(people), 1) + enterprise_seconds * enterprises / max(len(companies), 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enterprises", type=int, default=200_000)
    parser.add_argument("--talents", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args(argv)
    configure()
    facts = machine()
    if existing_sizes() != (args.enterprises, args.talents, args.enterprises) or args.reseed:
        if any(existing_sizes()):
            wipe()
        seed(args.enterprises, args.talents, random.Random(args.seed))
        analyze("portal_user", "enterprises_enterprise", "enterprises_membership", "talent_talent")
    fill_registered_data()
    seed_all_policies()
    clear()
    seconds, queries, summary = counted_run()
    from talent.offers.models import Offer

    offers = Offer.objects.count()
    # The next night: autovacuum has analysed the tables the first run filled; the data are unchanged.
    analyze("talent_policymatch", "talent_enterprisepolicymatch", "talent_offer", "services_notification")
    nightly, nightly_queries, again = counted_run()
    clear()
    loop = per_row(args.talents, args.enterprises)
    speedup = loop / seconds if seconds else float("inf")
    nightly_speedup = loop / nightly if nightly else float("inf")
    print("\n=== matching and offers (免申即享) benchmark ===")
    print(f"  machine: {facts['cpu']}, {facts['cores']} cores, {facts['ram']} RAM, load {facts['load']}")
    print(f"  PostgreSQL: {postgres_facts('shared_buffers', 'work_mem')}")
    print(f"  rows: {args.enterprises:,} enterprises, {args.talents:,} talent; policies: {summary.policies}")
    print(f"  per-row loop (scaled from {SLICE:,} rows of each): {loop:.1f} s")
    print(f"  first run_matching() (everything new): {seconds:.2f} s, {queries} queries; {summary.new_matches:,} "
          f"new matches, {offers:,} offers, {summary.enterprises_notified:,} enterprises told → {speedup:.0f}×")
    print(f"  nightly run_matching() (same data, matched the night before): {nightly:.2f} s, {nightly_queries} "
          f"queries; {again.new_matches:,} new matches → {nightly_speedup:.0f}×")
    for label, value, fast in (("first run", seconds, speedup), ("nightly run", nightly, nightly_speedup)):
        print(f"  {label}: target ≤ {TARGET_SECONDS:.0f} s: {'MET' if value <= TARGET_SECONDS else 'MISSED'}; "
              f"target ≥ {TARGET_SPEEDUP:.0f}×: {'MET' if fast >= TARGET_SPEEDUP else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
