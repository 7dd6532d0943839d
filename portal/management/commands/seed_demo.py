"""Demo data for `make run`: departments, officials, two verified enterprises and their clerks.

Then the catalogue's and the talent policies' demonstration content, from the data files that
`services/catalogue/demo.py` and `talent/demo.py` load (`services/catalogue/demo_data/catalogue.json`,
`talent/demo_data/policies.json`, `talent/demo_data/talent.json`).
Idempotent: a second run finds everything in place and changes nothing.
All demo passwords come from DEMO_PASSWORD.
"""

import datetime
import io
import os
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from pypdf import PdfWriter

from enterprises.models import Enterprise, Membership
from portal.core import access
from services.catalogue.demo import seed_catalogue
from services.catalogue.demo_files import DemoDataError
from services.models import Department
from talent.demo import seed_demo_talent, seed_talent_policies
from talent.offers.demo import seed_enterprise_policies

DEFAULT_DEMO_PASSWORD = "xfg-demo-2026"

DEPARTMENTS = [
    ("RSJ", "区人力社保局", "District Human Resources and Social Security Bureau"),
    ("KXJ", "区科信局", "District Science, Technology and Informatization Bureau"),
    ("SCJGJ", "区市场监管局", "District Market Regulation Administration"),
    ("ZJW", "区住建委", "District Housing and Urban-Rural Development Commission"),
    ("JW", "区教委", "District Education Commission"),
    ("WJW", "区卫健委", "District Health Commission"),
    ("ZWFW", "区政务服务和数据管理局", "District Government Services and Data Administration"),
    ("SWJ", "区商务局", "District Commerce Bureau"),
    ("RCJ", "区委人才工作局", "District Talent Work Bureau"),
]

ENTERPRISES = [
    {
        "username": "clerk1",
        "clerk_name": "李文静",
        "name": "北京丰泽智能科技有限公司",
        "uscc": "91110106MA01FTAA16",
        "legal_representative": "王建国",
        "registered_address": "北京市丰台区汽车博物馆东路6号院3号楼",
        "street": "huaxiang",
        "industry": "I",
        "size": "small",
        "tech_tier": "high_tech",
        "founded_on": datetime.date(2018, 5, 20),
        "registered_capital": Decimal("1000.00"),
        "contact_phone": "010-63800001",
    },
    {
        "username": "clerk2",
        "clerk_name": "张海峰",
        "name": "北京丽泽数字金融服务有限公司",
        "uscc": "91110106MA01FTBB20",
        "legal_representative": "陈晓梅",
        "registered_address": "北京市丰台区丽泽路18号院1号楼",
        "street": "lugouqiao",
        "industry": "J",
        "size": "medium",
        "tech_tier": "specialised",
        "founded_on": datetime.date(2015, 9, 1),
        "registered_capital": Decimal("5000.00"),
        "contact_phone": "010-63800002",
    },
]

# What an official may look at in the admin; department scoping narrows the rows.
OFFICIAL_PERMISSIONS = [
    "enterprises.view_enterprise",
    "enterprises.verify_enterprise",
    "services.view_department",
    "services.view_serviceitem",
    "services.view_application",
    "services.change_application",
    "services.view_task",
    "services.view_postcheck",
    "services.change_postcheck",
    "services.view_rating",
    "services.view_rectification",
    "services.change_rectification",
    "services.view_calendarday",
    "services.view_calendaryear",
]

def demo_licence() -> bytes:
    """A one-page PDF that stands in for a scanned business licence (it parses, as uploads must)."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=100)
    writer.add_metadata({"/Title": "营业执照（演示）"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


class Command(BaseCommand):
    help = "Create the demo departments, officials, enterprises and clerks (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--allow-debug-off", action="store_true",
            help="Seed even with DEBUG off: it creates an 'admin' superuser and logins with a published password.",
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG and not options["allow_debug_off"]:
            # The demo logins share one published password: never on a real database by accident.
            raise CommandError(
                "DEBUG is off: seed_demo would create an 'admin' superuser and demo logins with the published "
                "password on what looks like a production database. Pass --allow-debug-off if that is meant."
            )
        password = os.environ.get("DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD)
        try:
            with transaction.atomic():
                logins = self._seed(password)
        except DemoDataError as error:  # a malformed data file: its name and entry, nothing written
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Logins (password: {password}):"))
        for role, username in logins:
            staff = access.is_official(get_user_model().objects.get(username=username))
            self.stdout.write(f"  {role:<40} {username}" + ("  *" if staff else ""))
        self.stdout.write(
            "  * officials and the administrator set up an authenticator app (any TOTP app) at their "
            "first sign-in on the pages, and confirm every sign-in with its code; their API tokens "
            "need it too (otp_code)."
        )

    def _user(self, username: str, password: str, **fields):
        User = get_user_model()
        user, created = User.objects.get_or_create(username=username, defaults=fields)
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        return user

    def _seed(self, password: str) -> list[tuple[str, str]]:
        logins: list[tuple[str, str]] = []
        self._user(
            "admin", password, is_staff=True, is_superuser=True,
            first_name="系统管理员", email="admin@xianfenggang.example",
        )
        logins.append(("administrator (superuser)", "admin"))

        officials = Group.objects.get_or_create(name="Officials")[0]
        for label in OFFICIAL_PERMISSIONS:
            app_label, codename = label.split(".")
            officials.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )

        for code, name, name_en in DEPARTMENTS:
            department, _ = Department.objects.get_or_create(
                code=code, defaults={"name": name, "name_en": name_en}
            )
            username = f"official_{code.lower()}"
            official = self._user(
                username, password, is_staff=True,
                first_name=f"{name}审批员", email=f"{username}@xianfenggang.example",
            )
            official.groups.add(officials)
            department.officials.add(official)
            logins.append((f"official, {name}", username))

        admin = get_user_model().objects.get(username="admin")
        for spec in ENTERPRISES:
            spec = dict(spec)
            username = spec.pop("username")
            clerk_name = spec.pop("clerk_name")
            clerk = self._user(username, password, first_name=clerk_name,
                               email=f"{username}@xianfenggang.example")
            enterprise = Enterprise.objects.filter(uscc=spec["uscc"]).first()
            if enterprise is None:
                enterprise = Enterprise(
                    **spec,
                    contact_name=clerk_name,
                    contact_email=clerk.email,
                    created_by=clerk,
                    status=Enterprise.Status.VERIFIED,
                    decided_at=timezone.now(),
                    decided_by=admin,
                )
                enterprise.licence.save(f"{spec['uscc']}.pdf", ContentFile(demo_licence()), save=False)
                enterprise.save()
            Membership.objects.get_or_create(
                user=clerk, enterprise=enterprise, defaults={"role": Membership.Role.ADMIN}
            )
            logins.append((f"clerk, {enterprise.name}", username))
        seed_catalogue()
        seed_talent_policies()
        seed_demo_talent()
        seed_enterprise_policies()
        return logins
