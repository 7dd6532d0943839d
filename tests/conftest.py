"""Shared fixtures: the people of the stories (alice owns, bob is a member, charlie is an outsider)."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from enterprises.models import Enterprise, Membership
from services.models import Department
from tests.helpers import pdf_bytes, token_client, verify_second_factor

PDF = pdf_bytes()  # a real one-page PDF: uploads are checked by content
VALID_USCCS = ["91350100M000100Y43", "91110108551385082Q", "91110106MA01FTCC3R"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Hashing strength is not under test; the suite creates many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def forced_staff_sign_ins_confirm_the_second_factor(monkeypatch):
    """`client.force_login(official)` signs an official in all the way, the one-time code included,
    as it skips the password: the session is confirmed with the official's app (attached if none).
    Tests of the second factor itself sign in through the pages."""
    from django.test import Client

    from portal.core import access

    force_login = Client.force_login

    def signed_in_and_confirmed(client, user, backend=None):
        force_login(client, user, backend)
        if access.is_official(user):
            verify_second_factor(client, user)

    monkeypatch.setattr(Client, "force_login", signed_in_and_confirmed)


@pytest.fixture(autouse=True)
def no_throttling(settings):
    """No rate limits unless a test sets them (tests/portal/api/test_throttling.py does)."""
    rates = dict.fromkeys(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


def licence_file(name: str = "licence.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def enterprise_data(**overrides) -> dict:
    data = {
        "name": "北京测试科技有限公司",
        "uscc": VALID_USCCS[0],
        "legal_representative": "王五",
        "registered_address": "北京市丰台区南四环西路188号",
        "street": "huaxiang",
        "industry": "I",
        "size": "small",
        "tech_tier": "none",
        "founded_on": "2020-01-15",
        "registered_capital": "500.00",
        "contact_name": "赵六",
        "contact_phone": "010-12345678",
        "contact_email": "contact@example.com",
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_user(django_user_model):
    def make(username: str, **fields):
        fields.setdefault("email", f"{username}@example.com")
        return django_user_model.objects.create_user(username=username, password="pw-Secret-123", **fields)

    return make


@pytest.fixture
def make_enterprise():
    def make(owner, uscc: str = VALID_USCCS[0], status: str = Enterprise.Status.VERIFIED, **fields):
        values = dict(
            name=f"企业 {uscc[-4:]}",
            legal_representative="王五",
            registered_address="北京市丰台区",
            street="huaxiang",
            industry="I",
            size="small",
            tech_tier="none",
            founded_on=datetime.date(2020, 1, 1),
            registered_capital=Decimal("100"),
            contact_name="赵六",
            contact_phone="010-12345678",
            contact_email="c@example.com",
        )
        values.update(fields)
        enterprise = Enterprise(uscc=uscc, status=status, created_by=owner, **values)
        enterprise.licence.save("licence.pdf", licence_file(), save=False)
        enterprise.save()
        Membership.objects.create(user=owner, enterprise=enterprise, role=Membership.Role.ADMIN)
        return enterprise

    return make


@pytest.fixture
def alice(make_user):
    return make_user("alice", first_name="Alice")


@pytest.fixture
def bob(make_user):
    return make_user("bob", first_name="Bob")


@pytest.fixture
def charlie(make_user):
    return make_user("charlie", first_name="Charlie")


@pytest.fixture
def alices_enterprise(alice, bob, make_enterprise):
    enterprise = make_enterprise(alice)
    Membership.objects.create(user=bob, enterprise=enterprise, role=Membership.Role.CLERK)
    return enterprise


@pytest.fixture
def departments(db):
    registration = Department.objects.create(code="ZWFW", name="区政务服务和数据管理局")
    hr = Department.objects.create(code="RSJ", name="区人力社保局")
    tech = Department.objects.create(code="KXJ", name="区科信局")
    return {"ZWFW": registration, "RSJ": hr, "KXJ": tech}


@pytest.fixture
def make_official(make_user):
    from django.contrib.auth.models import Permission

    def make(username: str, *departments):
        official = make_user(username, is_staff=True)
        official.user_permissions.add(
            *Permission.objects.filter(
                codename__in=["view_enterprise", "verify_enterprise", "view_department"]
            )
        )
        for department in departments:
            department.officials.add(official)
        return official

    return make


@pytest.fixture
def registration_official(make_official, departments):
    return make_official("reviewer", departments["ZWFW"])


@pytest.fixture
def api():
    return APIClient()


# --- the workflow's world: departments with officials, one item per approval mode -------------


@pytest.fixture
def world(db, make_user, make_official, make_enterprise):
    """Two departments with two officials each, a verified enterprise with its clerk, and items."""
    from services.models import Department, MaterialRequirement, ReviewStep, ServiceItem

    window = Department.objects.create(code="ZJW", name="区住建委")
    fire = Department.objects.create(code="XFJ", name="区消防救援支队")
    market = Department.objects.create(code="SCJGJ", name="区市场监管局")
    officials = {
        "zjw1": make_official("zjw1", window),
        "zjw2": make_official("zjw2", window),
        "xfj1": make_official("xfj1", fire),
        "scj1": make_official("scj1", market),
    }
    clerk = make_user("clerk")
    enterprise = make_enterprise(clerk, uscc=VALID_USCCS[1])

    def item(code, mode, lead, departments, **fields):
        service = ServiceItem.objects.create(
            code=code, name=f"事项{code}", category="enterprise", lead_department=lead,
            approval_mode=mode, statutory_days=20, promised_days=10,
            commitment_text="本单位承诺所填信息真实有效。", **fields,
        )
        service.departments.set(departments)
        MaterialRequirement.objects.create(service=service, code="form", name="申请表", required=True, essential=True)
        MaterialRequirement.objects.create(
            service=service, code="lease", name="租赁合同", required=True, deferrable=(mode == "deferred")
        )
        return service

    standard = item("STD", "standard", window, [window, fire])
    ReviewStep.objects.create(service=standard, order=1, name="初审", department=window)
    ReviewStep.objects.create(service=standard, order=2, name="消防审查", department=fire)
    deferred = item("DEF", "deferred", window, [window])
    parallel = item("PAR", "parallel", window, [window, fire, market])
    ReviewStep.objects.create(service=parallel, order=1, name="规划审查", department=window, promised_days=8)
    ReviewStep.objects.create(service=parallel, order=1, name="消防审查", department=fire, promised_days=12)
    ReviewStep.objects.create(service=parallel, order=1, name="市场审查", department=market, promised_days=5)
    commitment = item("COM", "commitment", market, [market], post_check_ratio="1.000", post_check_window_days=20)
    return {
        "clerk": clerk,
        "enterprise": enterprise,
        "officials": officials,
        "departments": {"ZJW": window, "XFJ": fire, "SCJGJ": market},
        "standard": standard,
        "deferred": deferred,
        "parallel": parallel,
        "commitment": commitment,
    }


@pytest.fixture
def draft(world):
    """Create a draft of an item with every material attached except those named in `skip`."""
    from services.applications import workflow

    def make(mode: str, skip: tuple[str, ...] = ()):
        application = workflow.create_application(world["clerk"], world["enterprise"], world[mode])
        for material in world[mode].materials.all():
            if material.code not in skip:
                workflow.attach_document(world["clerk"], application.pk, material.code, licence_file(f"{material.code}.pdf"))
        return application

    return make


# --- talent and the 丰才十条 ----------------------------------------------------------------


def id_number(birth: datetime.date, sequence: str = "002", region: str = "110105") -> str:
    """A valid resident ID number for a birth date (odd sequence: male, even: female)."""
    from stdnum.cn import ric

    body = f"{region}{birth:%Y%m%d}{sequence}"
    return body + ric.calc_check_digit(body + "0")  # it expects a placeholder check digit


@pytest.fixture
def make_talent():
    def make(enterprise, name: str = "李四", birth: datetime.date = datetime.date(1990, 5, 20), **fields):
        from talent.models import Talent

        values = dict(education="master", tier="C", started_on=datetime.date(2024, 1, 1), returnee=False)
        values.update(fields)
        values.setdefault("id_number", id_number(birth, sequence=f"{Talent.objects.count() % 1000:03d}"))
        return Talent.objects.create(enterprise=enterprise, name=name, **values)

    return make


@pytest.fixture
def talent_department(db, make_official):
    """The talent office (区人才局) with its official, who reviews talent applications."""
    department, _ = Department.objects.get_or_create(code="RCJ", defaults={"name": "区人才工作局"})
    official = make_official("rcj1", department)
    return {"department": department, "official": official}


@pytest.fixture
def make_policy(talent_department):
    def make(code: str = "FC01", rules: dict | None = None, mode: str = "standard", **fields):
        from services.models import ServiceItem
        from talent.models import TalentPolicy

        department = talent_department["department"]
        service = ServiceItem.objects.create(
            code=code, name=f"政策{code}", name_en=f"Policy {code}", category="talent",
            lead_department=department, approval_mode=mode, statutory_days=20, promised_days=10,
            commitment_text="本单位承诺所填信息真实有效。",
        )
        service.departments.set([department])
        values = dict(benefit_kind="cash", amount=Decimal("10000"), rules=rules or {})
        values.update(fields)
        return TalentPolicy.objects.create(service=service, **values)

    return make


@pytest.fixture
def superuser(make_user):
    return make_user("root", is_staff=True, is_superuser=True)


@pytest.fixture
def clerk_api(world) -> APIClient:
    """The clerk of the world's enterprise, by token, as an integrating system."""
    return token_client("clerk")


# The permissions seed_demo gives officials on applications, tasks and post-checks.
OFFICIAL_PERMISSIONS = ["view_application", "change_application", "view_task", "view_postcheck", "change_postcheck"]


@pytest.fixture
def as_official(world):
    """Sign one of the world's officials in to the admin: one client each, so two can act in one test."""
    from django.contrib.auth.models import Permission
    from django.test import Client

    permissions = Permission.objects.filter(content_type__app_label="services", codename__in=OFFICIAL_PERMISSIONS)
    assert permissions.count() == len(OFFICIAL_PERMISSIONS)

    def login(name: str, language: str | None = None) -> Client:
        world["officials"][name].user_permissions.add(*permissions)
        client = Client(headers={"accept-language": language} if language else {})
        client.force_login(world["officials"][name])
        return client

    return login


# --- the browser journeys' artefacts (tests/browser/) ------------------------------------------

_SESSION_STARTED = datetime.datetime.now().timestamp()


def pytest_terminal_summary(terminalreporter) -> None:
    """Where the browser journeys left their screenshots, when this run made some."""
    from tests.helpers import ROOT

    folder = ROOT / "test-artifacts" / "browser"
    made = [path for path in folder.glob("*/*.png") if path.stat().st_mtime >= _SESSION_STARTED] if folder.exists() else []
    if made:
        terminalreporter.write_line(f"Browser journeys: {len(made)} screenshots in {folder}/")
