"""The synthetic district of bench/policy_matching.py: enterprises (each with one member user),
their talent and the ten demo measures, loaded in bulk into the benchmark's own database.

Names, regions, titles and the weights of the distributions are made up but shaped like a real
district (most enterprises have no technology tier, most talent are tier C or D, a few
enterprises employ many people), so the matching statements meet realistic selectivities.
"""

import datetime
import random
import sys
from collections.abc import Iterable, Iterator
from typing import Any

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
    """One key of `table`, drawn with its value as the weight."""
    return rng.choices(list(table), weights=list(table.values()))[0]


# Realistic shares: most enterprises have no technology tier; most talent are C or D.
TECH_TIERS = {"none": 82, "sme_tech": 9, "high_tech": 5, "specialised": 2.5, "gazelle": 1.2, "unicorn": 0.3}
STATUSES = {"verified": 90, "pending": 6, "suspended": 2.5, "rejected": 1.5}
SIZES = {"micro": 60, "small": 28, "medium": 10, "large": 2}
TIERS = {"D": 60, "C": 33.5, "B": 5, "A": 1.5}
EDUCATION = {"other": 25, "bachelor": 48, "master": 22, "doctorate": 5}


def uscc(index: int) -> str:
    """A valid unified social credit code, unique per index: the portal validates the check digit."""
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
    """The first id above the rows already there: COPY writes the ids itself."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        return cursor.fetchone()[0]


def reset_sequence(table: str) -> None:
    """Move the id sequence past the copied rows, so rows the runs create get fresh ids."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")


def existing_sizes() -> tuple[int, int, int]:
    """Enterprises, talent and memberships already seeded: equal sizes let a run reuse them."""
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

    from enterprises.models import Enterprise
    from portal.models import User
    from talent.models import Talent

    # Personal data goes in encrypted, with its lookup digest, as the portal stores it.
    contact_field, id_field = Enterprise._meta.get_field("contact_phone"), Talent._meta.get_field("id_number")
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
                   rng.choice(SURNAMES), f"bench-{i:06d}@bench.example", False, True, now, "", "", language,
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
                   weighted(rng, TECH_TIERS), founded, rng.randint(10, 100000), "联系人",
                   contact_field.get_prep_value("010-63800000"), contact_field.lookup_of("010-63800000"), f"bench-{i:06d}@bench.example", "", status, "", credit, now,
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
            yield (first_talent + i, rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                   id_field.get_prep_value(number), id_field.lookup_of(number), birth,
                   gender, weighted(rng, EDUCATION), rng.choice(TITLES), rng.choice(FIELDS), weighted(rng, TIERS),
                   rng.random() < 0.06, started, now, now, enterprise)

    with transaction.atomic():
        copy_rows("portal_user", ["id", "password", "is_superuser", "username", "first_name", "last_name", "email",
                                  "is_staff", "is_active", "date_joined", "phone", "phone_lookup", "language", "sms_quiet_from",
                                  "sms_quiet_until"],
                  users(), enterprises, "users")
        copy_rows("enterprises_enterprise", [
            "id", "name", "uscc", "legal_representative", "registered_address", "street", "industry", "size",
            "tech_tier", "founded_on", "registered_capital", "contact_name", "contact_phone", "contact_phone_lookup",
            "contact_email",
            "licence", "status", "status_reason", "credit_listed_until", "created_at", "decided_at",
            "created_by_id"], companies(), enterprises, "enterprises")
        copy_rows("enterprises_membership", ["id", "role", "created_at", "enterprise_id", "user_id"],
                  memberships(), enterprises, "memberships")
        copy_rows("talent_talent", ["id", "name", "id_number", "id_number_lookup", "birth_date", "gender", "education", "title", "field",
                                    "tier", "returnee", "started_on", "created_at", "updated_at", "enterprise_id"],
                  people(), talents, "talent")
        for table in ("portal_user", "enterprises_enterprise", "enterprises_membership", "talent_talent"):
            reset_sequence(table)


def seed_policies() -> list[Any]:
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
    """Fresh statistics after bulk changes, or the planner judges the tables by their old sizes."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")
