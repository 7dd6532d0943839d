"""The synthetic district of bench/policy_matching.py: enterprises (each with one member user),
their talent and the ten demo measures, loaded in bulk into the benchmark's own database.

The rows themselves are made by portal/seeding/district.py, which `manage.py seed_scale` uses too.
"""

import random
import sys
from typing import Any


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
    """Users, enterprises, memberships and talent in bulk (portal/seeding/district.py)."""
    from portal.seeding import district

    district.seed(enterprises, talents, rng, prefix="bench", password="bench-only-password")


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
