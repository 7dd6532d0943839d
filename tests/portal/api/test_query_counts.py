"""Every list of the API costs the same number of queries for one row as for a full page of 50."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken
from rest_framework.test import APIClient

from enterprises.models import Membership
from notifications.models import DeliveryAttempt, Notification, WebhookEndpoint
from services.applications import workflow
from services.models import Application, DeferredMaterial, MaterialRequirement, ReviewStep, ServiceItem, Task
from tests.conftest import id_number, licence_file

pytestmark = pytest.mark.django_db

FEW, MANY = 1, 50


def queries_for(client: APIClient, url: str) -> tuple[int, list[str], dict]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured), [query["sql"] for query in captured.captured_queries], response.json()


def rows(body) -> list:
    return body["results"] if isinstance(body, dict) and "results" in body else body


def assert_flat(client: APIClient, url: str, add_rows) -> None:
    """`add_rows(n)` brings the list to n rows; the queries must not grow with them."""
    add_rows(FEW)
    few, few_sql, body = queries_for(client, url)
    assert len(rows(body)) == FEW
    add_rows(MANY - FEW)
    many, many_sql, body = queries_for(client, url)
    assert len(rows(body)) == MANY
    assert few == many, (
        f"GET {url}: {few} queries for {FEW} row, {many} for {MANY}.\n"
        f"--- {FEW} row:\n" + "\n".join(few_sql) + f"\n--- {MANY} rows:\n" + "\n".join(many_sql)
    )


@pytest.fixture
def clerk_client(world) -> APIClient:
    client = APIClient()
    client.force_authenticate(world["clerk"])
    return client


def counter():
    count = iter(range(1, 10_000))
    return lambda: next(count)


# --- the catalogue and the policies, which anyone may read -----------------------------------


def test_the_catalogue_lists_fifty_items_in_as_many_queries_as_one(world, api):
    ServiceItem.objects.exclude(code="STD").delete()
    ServiceItem.objects.filter(code="STD").update(is_active=False)
    window, fire = world["departments"]["ZJW"], world["departments"]["XFJ"]
    serial = counter()

    def add(n):
        for _ in range(n):
            number = serial()
            service = ServiceItem.objects.create(
                code=f"Q{number:03d}", name=f"事项{number}", category="enterprise", lead_department=window,
                approval_mode="standard", statutory_days=20, promised_days=10, commitment_text="承诺。",
            )
            service.departments.set([window, fire])
            MaterialRequirement.objects.create(service=service, code="form", name="申请表", required=True)
            ReviewStep.objects.create(service=service, order=1, name="初审", department=window)

    assert_flat(api, "/api/v1/services/", add)


def test_the_policies_list_fifty_policies_in_as_many_queries_as_one(make_policy, api):
    serial = counter()
    assert_flat(api, "/api/v1/policies/", lambda n: [make_policy(f"FC{serial():02d}", annual_quota=10)
                                                    for _ in range(n)])


# --- an enterprise's own lists -----------------------------------------------------------------


def test_a_clerk_of_fifty_enterprises_lists_them_in_as_many_queries_as_one(world, clerk_client, make_enterprise):
    from enterprises.models import Enterprise

    Enterprise.objects.exclude(pk=world["enterprise"].pk).delete()
    Membership.objects.filter(enterprise=world["enterprise"]).delete()
    serial = counter()

    def add(n):
        for _ in range(n):
            make_enterprise(world["clerk"], uscc=f"9111000000{serial():08d}")

    assert_flat(clerk_client, "/api/v1/enterprises/", add)


def test_fifty_talent_are_listed_in_as_many_queries_as_one(world, clerk_client, make_talent):
    serial = counter()

    def add(n):
        for _ in range(n):
            number = serial()
            make_talent(world["enterprise"], name=f"人才{number:02d}",
                        id_number=id_number(datetime.date(1990, 1, 1) + datetime.timedelta(days=number)))

    assert_flat(clerk_client, "/api/v1/talents/", add)


def test_fifty_applications_are_listed_in_as_many_queries_as_one(world, clerk_client):
    def add(n):
        for _ in range(n):
            application = workflow.create_application(world["clerk"], world["enterprise"], world["standard"])
            Task.objects.create(application=application, department=world["departments"]["ZJW"], name="初审",
                                status=Task.Status.OPEN, due_date=datetime.date(2026, 12, 1))
            Task.objects.create(application=application, department=world["departments"]["XFJ"], name="消防审查",
                                status=Task.Status.OPEN, due_date=datetime.date(2026, 12, 2), order=2)

    assert_flat(clerk_client, "/api/v1/applications/", add)


def test_an_officials_queue_of_fifty_tasks_costs_as_many_queries_as_one(world):
    official = APIClient()
    official.force_authenticate(world["officials"]["zjw1"])
    services = [world["standard"], world["deferred"], world["parallel"]]
    serial = counter()

    def add(n):
        for _ in range(n):
            application = workflow.create_application(world["clerk"], world["enterprise"],
                                                      services[serial() % len(services)])
            Task.objects.create(application=application, department=world["departments"]["ZJW"], name="初审",
                                status=Task.Status.OPEN, due_date=datetime.date(2026, 12, 1))

    assert_flat(official, "/api/v1/tasks/", add)


def test_an_officials_intake_of_fifty_applications_costs_as_many_queries_as_one(world):
    official = APIClient()
    official.force_authenticate(world["officials"]["zjw1"])
    lease = MaterialRequirement.objects.get(service=world["deferred"], code="lease")

    def add(n):
        for _ in range(n):
            application = workflow.create_application(world["clerk"], world["enterprise"], world["deferred"])
            Application.objects.filter(pk=application.pk).update(state="submitted", received_on=datetime.date(2026, 11, 30))
            DeferredMaterial.objects.create(application=application, material=lease, due_date=datetime.date(2026, 12, 1))
            Task.objects.create(application=application, department=world["departments"]["ZJW"], name="初审",
                                status=Task.Status.OPEN, due_date=datetime.date(2026, 12, 1))

    assert_flat(official, "/api/v1/intake/", add)


def test_the_timeline_of_fifty_events_costs_as_many_queries_as_one(world, clerk_client, make_user):
    application = workflow.create_application(world["clerk"], world["enterprise"], world["standard"])
    colleagues = [world["clerk"]]
    for index in range(3):
        colleague = make_user(f"colleague{index}")
        Membership.objects.create(user=colleague, enterprise=world["enterprise"], role=Membership.Role.CLERK)
        colleagues.append(colleague)
    serial = counter()

    def add(n):
        # The draft's creation is the first event; every attachment by a colleague is one more.
        for _ in range(n if serial() > 1 else n - 1):
            number = serial()
            workflow.attach_document(colleagues[number % len(colleagues)], application.pk, "form",
                                     licence_file(f"form{number}.pdf"))

    assert_flat(clerk_client, f"/api/v1/applications/{application.pk}/events/", add)


# --- the inbox, the webhooks, the tokens ------------------------------------------------------


def test_an_inbox_of_fifty_messages_costs_as_many_queries_as_one(world, clerk_client):
    serial = counter()

    def add(n):
        for _ in range(n):
            number = serial()
            Notification.objects.create(recipient=world["clerk"], channel=Notification.Channel.INBOX,
                                        kind="application.status_changed", subject=f"消息{number}", body="正文",
                                        idempotency_key=f"inbox-{number}")

    assert_flat(clerk_client, "/api/v1/notifications/", add)


def test_fifty_webhooks_are_listed_in_as_many_queries_as_one(world, clerk_client):
    serial = counter()

    def add(n):
        for _ in range(n):
            WebhookEndpoint.objects.create(enterprise=world["enterprise"], url=f"https://hooks.example/{serial()}",
                                           events=["application.status_changed"], secret="s" * 32,
                                           created_by=world["clerk"])

    assert_flat(clerk_client, "/api/v1/webhooks/", add)


def test_a_delivery_log_of_fifty_events_costs_as_many_queries_as_one(world, clerk_client):
    endpoint = WebhookEndpoint.objects.create(enterprise=world["enterprise"], url="https://hooks.example/log",
                                              events=["application.status_changed"], secret="s" * 32)
    serial = counter()

    def add(n):
        for _ in range(n):
            number = serial()
            delivery = Notification.objects.create(
                endpoint=endpoint, channel=Notification.Channel.WEBHOOK, kind="application.status_changed",
                subject="", body="{}", status=Notification.Status.TEMPORARY_FAILURE, attempts=2,
                idempotency_key=f"hook-{number}",
            )
            for attempt in (1, 2):
                DeliveryAttempt.objects.create(notification=delivery, number=attempt, outcome=Notification.Status.TEMPORARY_FAILURE,
                                               status_code=503, latency_ms=120)

    assert_flat(clerk_client, f"/api/v1/webhooks/{endpoint.pk}/deliveries/", add)


def test_fifty_tokens_are_listed_in_as_many_queries_as_one(world, clerk_client):
    assert_flat(clerk_client, "/api/v1/auth/tokens/", lambda n: [AuthToken.objects.create(world["clerk"])
                                                              for _ in range(n)])


def test_a_departments_fifty_rectifications_cost_as_many_queries_as_one(world):
    """Each row with its application, item, enterprise, department and rating."""
    from services.ratings.models import Rating, Rectification

    official = APIClient()
    official.force_authenticate(world["officials"]["xfj1"])
    fire = world["departments"]["XFJ"]

    def add(n):
        for _ in range(n):
            application = workflow.create_application(world["clerk"], world["enterprise"], world["standard"])
            rating = Rating.objects.create(application=application, score=1, department=fire, rated_by=world["clerk"])
            Rectification.objects.create(rating=rating, application=application, department=fire,
                                         opened_on=datetime.date(2026, 9, 21), due_date=datetime.date(2026, 10, 19))

    assert_flat(official, "/api/v1/rectifications/", add)


def test_a_waiting_list_of_fifty_applications_costs_as_many_queries_as_one(
    alice, alices_enterprise, make_talent, make_policy, talent_department
):
    """The official of the policy's department sees every entry, each with its talent and enterprise."""
    from talent.applications import apply_for_policy

    official = talent_department["official"]
    policy = make_policy(annual_quota=0)  # every application at its final decision waits
    client = APIClient()
    client.force_authenticate(official)
    url = f"/api/v1/policies/{policy.code}/waiting-list/"
    serial = counter()

    def add(n):
        for _ in range(n):
            number = serial()
            talent = make_talent(alices_enterprise, f"人才{number}",
                                 id_number=id_number(datetime.date(1990, 1, 1), f"{number:03d}"))
            application = apply_for_policy(alice, talent, policy)
            workflow.submit(alice, application.pk)
            workflow.accept(official, application.pk)

    add(FEW)
    few, few_sql, body = queries_for(client, url)
    assert body["count"] == len(body["entries"]) == FEW
    add(MANY - FEW)
    many, many_sql, body = queries_for(client, url)
    assert body["count"] == len(body["entries"]) == MANY
    assert few == many, "\n".join(few_sql) + "\n---\n" + "\n".join(many_sql)


@pytest.mark.parametrize("export", ["applications", "decisions"])
def test_an_export_of_fifty_rows_costs_as_many_queries_as_one(world, export):
    """An export is a file, not a page: its rows are counted in the CSV it answers."""
    official = APIClient()
    official.force_authenticate(world["officials"]["zjw1"])

    def add(n):
        for _ in range(n):
            application = workflow.create_application(world["clerk"], world["enterprise"], world["standard"])
            Application.objects.filter(pk=application.pk).update(state="in_review", received_on=datetime.date(2026, 11, 30))
            Task.objects.create(application=application, department=world["departments"]["ZJW"], name="初审",
                                status=Task.Status.APPROVED, due_date=datetime.date(2026, 12, 1),
                                decided_by=world["officials"]["zjw1"], decided_at=datetime.datetime(2026, 12, 1, 2, 0,
                                                                                      tzinfo=datetime.UTC))

    def export_rows() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = official.get(f"/api/v1/exports/{export}/?format=csv")
            body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200, body
        return len(captured), len(body.decode("utf-8-sig").strip().splitlines()) - 1

    add(FEW)
    few, rows_few = export_rows()
    add(MANY - FEW)
    many, rows_many = export_rows()
    assert (rows_few, rows_many) == (FEW, MANY)
    assert few == many, f"{few} queries for {FEW} row, {many} for {MANY}"


def test_fifty_policies_turned_off_cost_as_many_queries_as_one(alice, make_policy, talent_department):
    """Talent and enterprise policies alike, each with its code and title."""
    from talent.offers.models import EnterprisePolicy, PolicyMessageOptOut

    def make_enterprise_policy(code: str) -> EnterprisePolicy:
        service = ServiceItem.objects.create(
            code=code, name=f"企业政策{code}", category="enterprise", lead_department=talent_department["department"],
            approval_mode="standard", statutory_days=20, promised_days=10)
        return EnterprisePolicy.objects.create(service=service, amount=1000)

    client = APIClient()
    client.force_authenticate(alice)
    serial = counter()

    def add(n):
        for _ in range(n):
            number = serial()
            if number % 2:
                PolicyMessageOptOut.objects.create(user=alice, talent_policy=make_policy(f"FC{number:03d}"))
            else:
                PolicyMessageOptOut.objects.create(user=alice,
                                                   enterprise_policy=make_enterprise_policy(f"QY-{number:03d}"))

    assert_flat(client, "/api/v1/policy-opt-outs/", add)


def test_the_lists_here_are_every_list_of_the_api():
    from tests.portal.api.test_authorization_matrix import ROUTES

    lists = {name for name, methods in ROUTES.items() if "get" in methods and name.endswith(("-list", "-events",
                                                                                           "-deliveries"))}
    assert lists == {
        "enterprise-list", "service-list", "policy-list", "talent-list", "application-list", "task-list",
        "notification-list", "webhook-list", "webhook-deliveries", "application-events", "token-list",
        "intake-list", "policy-waiting-list", "rectification-list", "export-applications-list",
        "export-decisions-list", "managed-enterprise-list", "offer-list", "policy-opt-out-list",
    }, "a list endpoint has no query-count test here"


def test_a_managers_fifty_enterprises_cost_as_many_queries_as_one(world, make_enterprise, make_official):
    """Each with its count per section of the workbench (one query per section, whatever the rows)."""
    from tests.conftest import VALID_USCCS

    manager = make_official("guanjia_counts", world["departments"]["ZJW"])
    client = APIClient()
    client.force_authenticate(manager)

    def add(n):
        for _ in range(n):
            # Rejected registrations hold no code, so fifty may share one.
            firm = make_enterprise(world["clerk"], uscc=VALID_USCCS[0], status="rejected", service_manager=manager)
            assert firm.service_manager == manager

    assert_flat(client, "/api/v1/managed-enterprises/?page_size=100", add)



def test_the_offers_list_costs_the_same_queries_for_few_and_many_offers(alice, alices_enterprise, make_talent,
                                                                          make_policy):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from talent.matching import run_matching
    from tests.helpers import token_client

    make_policy(no_application=True, annual_quota=1)
    api = token_client("alice")

    def queries_with(count: int) -> int:
        for index in range(count):
            make_talent(alices_enterprise, f"人才{count}-{index}")
        run_matching()
        with CaptureQueriesContext(connection) as listed:
            assert api.get("/api/v1/offers/").status_code == 200
        return len(listed.captured_queries)

    assert queries_with(1) == queries_with(12)
