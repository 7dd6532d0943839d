"""The synthetic district: enterprises (each with one member user) and their talent, loaded with COPY.

Names, regions, titles and the weights of the distributions are made up but shaped like a real
district (most enterprises have no technology tier, most talent are tier C or D, a few
enterprises employ many people), so statements meet realistic selectivities. Used by
`manage.py seed_scale` and by bench/policy_matching.py.
"""

import datetime
import random
from collections.abc import Iterator
from typing import Any

from portal.seeding.copying import copy_rows, next_id, reset_sequence

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


def seed(enterprises: int, talents: int, rng: random.Random, prefix: str = "bench", password: str | None = None,
         progress: bool = True) -> None:
    """Users, enterprises, memberships and talent in bulk, with realistic distributions.

    Usernames and e-mail addresses are `<prefix>-000123`; one transaction for the lot. `password`:
    one for everyone (hashed once), or None for passwords nobody can sign in with.
    """
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
    password = make_password(password)  # one hash for everyone: hashing is not under test
    first_user, first_enterprise = next_id("portal_user"), next_id("enterprises_enterprise")
    first_membership, first_talent = next_id("enterprises_membership"), next_id("talent_talent")

    def users() -> Iterator[tuple]:
        for i in range(enterprises):
            language = "en" if rng.random() < 0.08 else "zh-hans"
            yield (first_user + i, password, False, f"{prefix}-{i:06d}", rng.choice(GIVEN) + rng.choice(GIVEN),
                   rng.choice(SURNAMES), f"{prefix}-{i:06d}@bench.example", False, True, now, "", "", language,
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
                   contact_field.get_prep_value("010-63800000"), contact_field.lookup_of("010-63800000"), f"{prefix}-{i:06d}@bench.example", "", status, "", credit, now,
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
                  users(), enterprises, "users", progress=progress)
        copy_rows("enterprises_enterprise", [
            "id", "name", "uscc", "legal_representative", "registered_address", "street", "industry", "size",
            "tech_tier", "founded_on", "registered_capital", "contact_name", "contact_phone", "contact_phone_lookup",
            "contact_email",
            "licence", "status", "status_reason", "credit_listed_until", "created_at", "decided_at",
            "created_by_id"], companies(), enterprises, "enterprises", progress=progress)
        copy_rows("enterprises_membership", ["id", "role", "created_at", "enterprise_id", "user_id"],
                  memberships(), enterprises, "memberships", progress=progress)
        copy_rows("talent_talent", ["id", "name", "id_number", "id_number_lookup", "birth_date", "gender", "education", "title", "field",
                                    "tier", "returnee", "started_on", "created_at", "updated_at", "enterprise_id"],
                  people(), talents, "talent", progress=progress)
        for table in ("portal_user", "enterprises_enterprise", "enterprises_membership", "talent_talent"):
            reset_sequence(table)
