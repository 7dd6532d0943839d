"""Who may do what with enterprise A's things, for every route under /api/v1/ and every method.

The routes are read from the URL conf: a new endpoint, or a new method on an old one, has no
row in EXPECTED and fails `test_every_route_has_expectations` until someone decides who may
call it. Each cell of the matrix is its own test; a cell whose answer carries A's data to
someone outside A fails whatever its status.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from enterprises.models import Enterprise, Membership
from notifications.models import Notification, WebhookEndpoint
from services.applications import workflow
from services.models import Department, MaterialRequirement, ReviewStep, ServiceItem
from services.ratings.workflow import rate_application
from tests.conftest import VALID_USCCS, id_number, licence_file

API_PREFIX = "api/v1/"
METHODS = ("get", "post", "put", "patch", "delete")

ROLES = ("anonymous", "clerk_a", "clerk_b", "admin_a", "official_responsible", "official_other", "superuser")
MEMBERS_OF_A = {"clerk_a", "admin_a"}

A_USCC = VALID_USCCS[0]
A_NAME = "甲方测试科技有限公司"
TALENT_NAME = "甲方人才欧阳明"
WEBHOOK_URL = "https://hooks.a-enterprise.example/xfg"
NOTE_SUBJECT = "甲方专属消息"


# --- the routes, from the URL conf ---------------------------------------------------------------


def api_routes() -> dict[str, tuple[str, ...]]:
    """Every named route under /api/v1/ with the HTTP methods its view answers (HEAD/OPTIONS aside)."""
    routes: dict[str, tuple[str, ...]] = {}

    def walk(patterns, prefix: str) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern) and route.startswith(API_PREFIX) and "(?P<format>" not in route:
                routes[entry.name] = methods_of(entry.callback)

    walk(get_resolver().url_patterns, "")
    return routes


def methods_of(callback) -> tuple[str, ...]:
    actions = getattr(callback, "actions", None)
    if actions:
        return tuple(m for m in METHODS if m in actions)
    view = callback.view_class if hasattr(callback, "view_class") else callback.cls
    return tuple(m for m in METHODS if hasattr(view, m))


ROUTES = api_routes()


# --- the expected status of every cell -----------------------------------------------------------


def cells(anonymous, clerk_a, clerk_b, admin_a, official_responsible, official_other, superuser) -> dict[str, int]:
    return dict(zip(ROLES, (anonymous, clerk_a, clerk_b, admin_a, official_responsible, official_other, superuser),
                    strict=True))


def everyone(status: int, anonymous: int = 401) -> dict[str, int]:
    return cells(anonymous, status, status, status, status, status, status)


def members_only(status: int, others: int = 404) -> dict[str, int]:
    """A's clerk and admin get `status`; everyone else signed in `others`; anonymous 401."""
    return cells(401, status, others, status, others, others, others)


EXPECTED: dict[tuple[str, str], dict[str, int]] = {
    ("api-root", "get"): everyone(200),
    ("api-token", "post"): everyone(200, anonymous=200),
    ("api-logout", "post"): everyone(204),
    ("api-me", "get"): everyone(200),
    # enterprises: anyone signed in may register one; only members see A
    ("enterprise-list", "get"): everyone(200),
    ("enterprise-list", "post"): everyone(201),
    ("enterprise-detail", "get"): members_only(200),
    # only A's administrator corrects A's registration, and only a rejected one (A's is verified: 409)
    ("enterprise-resubmit", "post"): cells(401, 403, 404, 409, 404, 404, 404),
    # the catalogue and the policies are public
    ("service-list", "get"): everyone(200, anonymous=200),
    ("service-detail", "get"): everyone(200, anonymous=200),
    ("policy-list", "get"): everyone(200, anonymous=200),
    ("policy-detail", "get"): everyone(200, anonymous=200),
    # a policy's waiting list: anyone signed in sees its length, each only their own entries
    ("policy-waiting-list", "get"): everyone(200),
    # applications: naming A in a body is a 400 for strangers, A's application a 404
    ("application-list", "get"): everyone(200),
    ("application-list", "post"): members_only(201, others=400),
    ("application-detail", "get"): members_only(200),
    # A's application is in review: its form can no longer be changed, nor materials reused
    ("application-detail", "patch"): members_only(409),
    ("application-reuse", "post"): members_only(409),
    ("application-reusable", "get"): members_only(200),
    ("application-documents", "post"): members_only(409),
    # a file removed or replaced, the rehearsal: only while a draft (or under correction)
    ("application-remove-document", "delete"): members_only(409),
    ("application-replace-document", "post"): members_only(409),
    ("application-rehearsal", "get"): members_only(409),
    ("application-submit", "post"): members_only(409),
    ("application-resubmit", "post"): members_only(409),
    ("application-withdraw", "post"): members_only(200),
    ("application-supply", "post"): members_only(400),  # nothing of it was deferred
    ("application-events", "get"): members_only(200),
    # 好差评: A's application is still in review, so not ratable yet (409) for A's members
    ("application-rating", "get"): members_only(200),
    ("application-rating", "post"): members_only(409),
    # the notices of A's application (its 受理通知书): A's members and the officials entitled to it
    ("application-notices", "get"): cells(401, 200, 404, 200, 200, 404, 200),
    ("application-notice-download", "get"): cells(401, 200, 404, 200, 200, 404, 200),
    # tasks: the responsible department's officials (and the superuser) decide
    ("task-list", "get"): everyone(200),
    ("task-decide", "post"): cells(401, 404, 404, 404, 200, 404, 200),
    # the open task is nobody's yet: claimed, or handed to the responsible official; nothing to release
    ("task-claim", "post"): cells(401, 404, 404, 404, 200, 404, 200),
    ("task-reassign", "post"): cells(401, 404, 404, 404, 200, 404, 200),
    ("task-release", "post"): cells(401, 404, 404, 404, 409, 404, 409),
    # the intake: the lead department's officials (and the superuser) accept and check deferred materials;
    # A's application is already accepted, and nothing of it was deferred
    ("intake-list", "get"): everyone(200),
    ("intake-accept", "post"): cells(401, 404, 404, 404, 409, 404, 409),
    ("intake-check", "post"): cells(401, 404, 404, 404, 400, 404, 400),
    # the application is in review: too late to refuse it, not too late to ask for corrections or extend
    ("intake-refuse", "post"): cells(401, 404, 404, 404, 409, 404, 409),
    ("intake-request-correction", "post"): cells(401, 404, 404, 404, 200, 404, 200),
    ("intake-extend", "post"): cells(401, 404, 404, 404, 200, 404, 200),
    # a review can be suspended; only an approval (or a suspension) revoked
    ("intake-suspend", "post"): cells(401, 404, 404, 404, 200, 404, 200),
    ("intake-revoke", "post"): cells(401, 404, 404, 404, 409, 404, 409),
    ("intake-resume", "post"): cells(401, 404, 404, 404, 409, 404, 409),  # nothing suspended to lift
    # exports: an official's department's applications (and their decisions); others get headers only
    ("export-applications-list", "get"): everyone(200),
    ("export-decisions-list", "get"): everyone(200),
    # rectifications after a bad rating: the department whose decision was rated (and the superuser)
    ("rectification-list", "get"): everyone(200),
    ("rectification-detail", "get"): cells(401, 404, 404, 404, 200, 404, 200),
    ("rectification-close", "post"): cells(401, 404, 404, 404, 200, 404, 200),
    # the service manager's workbench: A's manager is the responsible official; the superuser oversees all
    ("managed-enterprise-list", "get"): everyone(200),
    ("managed-enterprise-detail", "get"): cells(401, 404, 404, 404, 200, 404, 200),
    ("managed-enterprise-notes", "get"): cells(401, 404, 404, 404, 200, 404, 200),
    ("managed-enterprise-notes", "post"): cells(401, 404, 404, 404, 201, 404, 201),
    ("managed-enterprise-messages", "get"): cells(401, 404, 404, 404, 200, 404, 200),
    ("managed-enterprise-messages", "post"): cells(401, 404, 404, 404, 201, 404, 201),
    # talent of A
    ("talent-list", "get"): everyone(200),
    ("talent-list", "post"): members_only(201, others=400),
    ("talent-detail", "get"): members_only(200),
    ("talent-detail", "put"): members_only(200),
    ("talent-detail", "patch"): members_only(200),
    ("talent-verdicts", "get"): members_only(200),
    ("talent-apply", "post"): members_only(201),
    ("offer-list", "get"): everyone(200),
    ("offer-detail", "get"): members_only(200),
    ("offer-confirm", "post"): members_only(200),
    # turning a policy's messages off is personal: the opt-out in the world is A's clerk's; anyone may add their own
    ("policy-opt-out-list", "get"): everyone(200),
    ("policy-opt-out-list", "post"): everyone(201),
    ("policy-opt-out-detail", "get"): cells(401, 200, 404, 404, 404, 404, 404),
    ("policy-opt-out-detail", "delete"): cells(401, 204, 404, 404, 404, 404, 404),
    # the inbox is personal: the message is A's clerk's, not A's admin's
    ("notification-list", "get"): everyone(200),
    ("notification-detail", "get"): cells(401, 200, 404, 404, 404, 404, 404),
    ("notification-read", "post"): cells(401, 200, 404, 404, 404, 404, 404),
    # webhooks of A
    ("webhook-list", "get"): everyone(200),
    ("webhook-list", "post"): members_only(201, others=400),
    ("webhook-detail", "get"): members_only(200),
    ("webhook-detail", "delete"): members_only(204),
    ("webhook-deliveries", "get"): members_only(200),
    ("webhook-resend", "post"): members_only(202),
    # tokens are personal too: the one in the world is A's clerk's
    ("token-list", "get"): everyone(200),
    ("token-detail", "delete"): cells(401, 204, 404, 404, 404, 404, 404),
}


def may_see_a(role: str, name: str) -> bool:
    if role in MEMBERS_OF_A:
        return True
    if name.startswith(("task-", "intake-", "export-", "rectification-", "application-notice", "managed-enterprise")):
        return role in {"official_responsible", "superuser"}
    # The responsible department's officials are told of the task in their own inbox.
    return name == "notification-list" and role == "official_responsible"


# --- one world: enterprise A with an application in review, talent, a webhook, a message ------


def build_world(tmp_path) -> dict:
    def user(username: str, **fields):
        from portal.models import User

        return User.objects.create_user(username=username, password="pw-Secret-123",
                                        email=f"{username}@example.com", **fields)

    def enterprise(owner, uscc: str, name: str) -> Enterprise:
        firm = Enterprise(
            uscc=uscc, name=name, status=Enterprise.Status.VERIFIED, created_by=owner, legal_representative="王五",
            registered_address="北京市丰台区", street="huaxiang", industry="I", size="small", tech_tier="none",
            founded_on=datetime.date(2020, 1, 1), registered_capital=Decimal("100"), contact_name="赵六",
            contact_phone="010-12345678", contact_email="c@example.com",
        )
        firm.licence.save("licence.pdf", licence_file(), save=False)
        firm.save()
        Membership.objects.create(user=owner, enterprise=firm, role=Membership.Role.ADMIN)
        return firm

    admin_a, clerk_a, clerk_b, owner_b = user("alice"), user("bob"), user("charlie"), user("dora")
    firm_a = enterprise(admin_a, A_USCC, A_NAME)
    Membership.objects.create(user=clerk_a, enterprise=firm_a, role=Membership.Role.CLERK)
    firm_b = enterprise(owner_b, VALID_USCCS[1], "乙方企业")
    Membership.objects.create(user=clerk_b, enterprise=firm_b, role=Membership.Role.CLERK)

    window = Department.objects.create(code="ZJW", name="区住建委")
    market = Department.objects.create(code="SCJGJ", name="区市场监管局")
    talent_office = Department.objects.create(code="RCJ", name="区人才工作局")
    official_responsible = user("zjw1", is_staff=True)
    window.officials.add(official_responsible)
    official_other = user("scj1", is_staff=True)
    market.officials.add(official_other)
    superuser = user("root", is_staff=True, is_superuser=True)
    firm_a.service_manager = official_responsible  # A's 服务管家
    firm_a.save(update_fields=["service_manager"])

    service = ServiceItem.objects.create(
        code="STD", name="事项STD", category="enterprise", lead_department=window, approval_mode="standard",
        statutory_days=20, promised_days=10, commitment_text="本单位承诺所填信息真实有效。",
    )
    service.departments.set([window])
    MaterialRequirement.objects.create(service=service, code="form", name="申请表", required=True, essential=True)
    ReviewStep.objects.create(service=service, order=1, name="初审", department=window)
    application = workflow.create_application(clerk_a, firm_a, service)
    workflow.attach_document(clerk_a, application.pk, "form", licence_file("form.pdf"))
    workflow.submit(clerk_a, application.pk)
    application = workflow.accept(official_responsible, application.pk)
    task = application.tasks.get(status="open")
    # A second application of A, refused at intake and rated 1: the window rectifies.
    refused = workflow.create_application(clerk_a, firm_a, service)
    workflow.attach_document(clerk_a, refused.pk, "form", licence_file("form.pdf"))
    workflow.submit(clerk_a, refused.pk)
    workflow.refuse(official_responsible, refused.pk, "不属于本部门职权。")
    rectification = rate_application(clerk_a, refused.pk, 1, "甲方的差评").rectification
    # Its 受理通知书, as the task queued after the commit issues it (the world is built in one transaction).
    from portal.models import AuditEvent
    from services.applications.notices import issuing

    notice = issuing.issue(AuditEvent.objects.get(action="application.accepted", target_id=application.pk).pk)

    from talent.models import Talent, TalentPolicy

    policy_service = ServiceItem.objects.create(
        code="FC01", name="政策FC01", category="talent", lead_department=talent_office, approval_mode="standard",
        statutory_days=20, promised_days=10, commitment_text="本单位承诺所填信息真实有效。",
    )
    policy_service.departments.set([talent_office])
    TalentPolicy.objects.create(service=policy_service, benefit_kind="cash", amount=Decimal("10000"), rules={})
    talent = Talent.objects.create(
        enterprise=firm_a, name=TALENT_NAME, id_number=id_number(datetime.date(1990, 5, 20)), education="master",
        tier="C", started_on=datetime.date(2024, 1, 1), returnee=False,
    )

    from talent.offers.models import EnterprisePolicy, Offer, PolicyMessageOptOut

    measure_service = ServiceItem.objects.create(
        code="QY-01", name="企业政策QY-01", category="enterprise", lead_department=window, approval_mode="standard",
        statutory_days=20, promised_days=10)
    measure = EnterprisePolicy.objects.create(service=measure_service, amount=Decimal("1000"), no_application=True)
    offer = Offer.objects.create(enterprise_policy=measure, enterprise=firm_a, offered_on=datetime.date(2026, 1, 5),
                                 basis={"status": "verified"})
    opt_out = PolicyMessageOptOut.objects.create(user=clerk_a, talent_policy=TalentPolicy.objects.get())

    webhook = WebhookEndpoint.objects.create(enterprise=firm_a, url=WEBHOOK_URL, events=["application.status_changed"],
                                             secret="s" * 32, created_by=clerk_a)
    delivery = Notification.objects.create(endpoint=webhook, channel=Notification.Channel.WEBHOOK,
                                           kind="application.status_changed", subject=NOTE_SUBJECT, body=application.reference,
                                           status=Notification.Status.TEMPORARY_FAILURE, idempotency_key="matrix-delivery")
    message = Notification.objects.create(recipient=clerk_a, channel=Notification.Channel.INBOX,
                                          kind="application.status_changed", subject=NOTE_SUBJECT, body=application.reference,
                                          idempotency_key="matrix-message")
    token, _ = AuthToken.objects.create(clerk_a)

    users = {"clerk_a": clerk_a, "clerk_b": clerk_b, "admin_a": admin_a, "official_responsible": official_responsible,
             "official_other": official_other, "superuser": superuser}
    return {
        "private": tmp_path, "users": users, "firm_a": firm_a, "application": application, "task": task,
        "notice": notice, "talent": talent, "rectification": rectification, "offer": offer, "opt_out": opt_out,
        "webhook": webhook, "delivery": delivery, "message": message, "token_key": token.token_key,
        "secrets": [A_USCC, A_NAME, application.reference, TALENT_NAME, WEBHOOK_URL, NOTE_SUBJECT, token.token_key,
                    refused.reference, "甲方的差评"],
    }


@pytest.fixture(scope="module")
def world_of_a(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once per module (and per worker); every cell runs in a savepoint rolled back after it."""
    private = tmp_path_factory.mktemp("private")
    with django_db_blocker.unblock(), override_settings(
        PRIVATE_MEDIA_ROOT=private, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world(private)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def url_of(name: str, world: dict) -> str:
    if name.startswith("export-"):
        return reverse(name) + "?format=csv"
    kwargs = {
        "enterprise-detail": {"pk": world["firm_a"].pk},
        "enterprise-resubmit": {"pk": world["firm_a"].pk},
        "service-detail": {"code": "STD"},
        "policy-detail": {"code": "FC01"},
        "policy-waiting-list": {"code": "FC01"},
        "task-decide": {"pk": world["task"].pk},
        "task-claim": {"pk": world["task"].pk},
        "task-reassign": {"pk": world["task"].pk},
        "task-release": {"pk": world["task"].pk},
        "notification-detail": {"pk": world["message"].pk},
        "notification-read": {"pk": world["message"].pk},
        "token-detail": {"token_key": world["token_key"]},
        "rectification-detail": {"pk": world["rectification"].pk},
        "rectification-close": {"pk": world["rectification"].pk},
        "webhook-resend": {"pk": world["webhook"].pk, "notification_id": world["delivery"].pk},
        "application-notice-download": {"pk": world["application"].pk, "notice_id": world["notice"].pk},
        "policy-opt-out-detail": {"pk": world["opt_out"].pk},
        "managed-enterprise-detail": {"pk": world["firm_a"].pk},
        "managed-enterprise-notes": {"pk": world["firm_a"].pk},
        "managed-enterprise-messages": {"pk": world["firm_a"].pk},
        "application-remove-document": {"pk": world["application"].pk, "document_id": 1},
        "application-replace-document": {"pk": world["application"].pk, "document_id": 1},
    }.get(name)
    if kwargs is None and name.endswith("-list") is False and "-" in name:
        resource = name.split("-")[0]
        owner = {"application": "application", "intake": "application", "talent": "talent",
                     "webhook": "webhook", "offer": "offer"}.get(resource)
        if owner:
            kwargs = {"pk": world[owner].pk}
    return reverse(name, kwargs=kwargs or {})


def body_of(name: str, method: str, world: dict) -> tuple[dict, str]:
    """A valid request body for the route, and its format."""
    firm = world["firm_a"].pk
    bodies = {
        ("api-token", "post"): ({"username": "bob", "password": "pw-Secret-123"}, "json"),
        ("enterprise-list", "post"): ({
            "name": "新注册企业", "uscc": VALID_USCCS[2], "legal_representative": "王五",
            "registered_address": "北京市丰台区南四环西路188号", "street": "huaxiang", "industry": "I",
            "size": "small", "tech_tier": "none", "founded_on": "2020-01-15", "registered_capital": "500.00",
            "contact_name": "赵六", "contact_phone": "010-12345678", "contact_email": "contact@example.com",
            "licence": licence_file(),
        }, "multipart"),
        ("application-list", "post"): ({"service": "STD", "enterprise": firm}, "json"),
        ("application-documents", "post"): ({"material": "form", "file": licence_file("form.pdf")}, "multipart"),
        ("application-supply", "post"): ({"material": "form", "file": licence_file("form.pdf")}, "multipart"),
        ("application-withdraw", "post"): ({"reason": "不再需要"}, "json"),
        ("application-detail", "patch"): ({"form": {"note": "补充说明"}}, "json"),
        ("application-reuse", "post"): ({"document": 1}, "json"),
        ("application-replace-document", "post"): ({"file": licence_file("form.pdf")}, "multipart"),
        ("task-decide", "post"): ({"decision": "approve", "comment": "材料齐全"}, "json"),
        ("intake-check", "post"): ({"material": "form"}, "json"),
        ("intake-refuse", "post"): ({"reason": "不属于本部门职权。"}, "json"),
        ("intake-request-correction", "post"): ({"items": ["租赁合同缺少盖章页"]}, "json"),
        ("intake-extend", "post"): ({"reason": "需组织专家论证。"}, "json"),
        ("intake-suspend", "post"): ({"reason": "现场核查发现问题，暂停审查。"}, "json"),
        ("intake-revoke", "post"): ({"reason": "以欺骗手段取得许可。"}, "json"),
        ("intake-resume", "post"): ({"reason": "整改到位。"}, "json"),
        ("application-rating", "post"): ({"score": 4, "comment": "办理顺利"}, "json"),
        ("managed-enterprise-notes", "post"): ({"text": "回访记录"}, "json"),
        ("managed-enterprise-messages", "post"): ({"text": "您好，有需要请随时联系。"}, "json"),
        ("rectification-close", "post"): ({"outcome": "已约谈窗口人员并回访企业。"}, "json"),
        ("task-reassign", "post"): ({"to": world["users"]["official_responsible"].pk}, "json"),
        ("talent-list", "post"): ({
            "enterprise": firm, "name": "新入职人才", "id_number": id_number(datetime.date(1992, 3, 4), "005"),
            "education": "master", "tier": "C", "started_on": "2024-01-01", "returnee": False,
        }, "json"),
        ("talent-detail", "put"): ({
            "enterprise": firm, "name": TALENT_NAME, "education": "doctorate", "tier": "C", "started_on": "2024-01-01",
            "returnee": False,
        }, "json"),
        ("talent-detail", "patch"): ({"education": "doctorate"}, "json"),
        ("talent-apply", "post"): ({"policy": "FC01"}, "json"),
        ("offer-confirm", "post"): ({"commitment_accepted": True}, "json"),
        ("policy-opt-out-list", "post"): ({"level": "enterprise", "policy": "QY-01"}, "json"),
        ("webhook-list", "post"): ({
            "enterprise": firm, "url": "https://hooks.new.example/xfg", "events": ["application.status_changed"],
            "secret": "t" * 32,
        }, "json"),
    }
    return bodies.get((name, method), ({}, "json"))


CELLS = [(name, method, role) for name, methods in sorted(ROUTES.items()) for method in methods for role in ROLES]


def test_every_route_has_expectations():
    missing = [f"{name} {method.upper()}" for name, methods in sorted(ROUTES.items()) for method in methods
               if (name, method) not in EXPECTED]
    assert not missing, f"routes with no row in the authorization matrix: {', '.join(missing)}"
    stale = [f"{name} {method.upper()}" for name, method in EXPECTED if method not in ROUTES.get(name, ())]
    assert not stale, f"rows in the authorization matrix for routes that no longer exist: {', '.join(stale)}"


def test_the_matrix_covers_the_whole_api():
    assert {"application-list", "task-decide", "webhook-resend", "token-detail", "api-me"} <= set(ROUTES)


@pytest.fixture
def settings_for_cells(settings, world_of_a):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    settings.PRIVATE_MEDIA_ROOT = world_of_a["private"]  # where the world's notice was stored


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "role"), CELLS, ids=[f"{n}-{m}-{r}" for n, m, r in CELLS])
def test_cell(world_of_a, settings_for_cells, name, method, role):
    expected = EXPECTED.get((name, method))
    if expected is None:
        pytest.fail(f"{name} {method.upper()} has no row in the authorization matrix")
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(world_of_a["users"][role])
    data, fmt = body_of(name, method, world_of_a)
    url = url_of(name, world_of_a)
    response = getattr(client, method)(url, data, format=fmt) if method != "get" else client.get(url)

    assert response.status_code == expected[role], (
        f"{method.upper()} {url} as {role}: {response.status_code}, expected {expected[role]}: "
        f"{response.content[:500]!r}"
    )
    if role == "clerk_b" or (role != "anonymous" and not may_see_a(role, name)):
        assert response.status_code != 403, f"{method.upper()} {url} as {role} reveals that A's object exists"
    if not may_see_a(role, name):
        raw = b"".join(response.streaming_content) if response.streaming else response.content  # an export is a file
        content = raw.decode("utf-8", errors="replace")
        leaked = [secret for secret in world_of_a["secrets"] if secret in content]
        assert not leaked, f"{method.upper()} {url} as {role} shows A's data {leaked}: {content[:500]}"
