"""The hot paths at scale: the plain representations write what the serializers describe, and the
detail, the filtered list, the floor and the admin's change lists cost as many queries for 50 rows
as for one (the lists of the API: tests/portal/api/test_query_counts.py)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import clear_url_caches
from knox.models import AuthToken
from rest_framework import serializers as drf
from rest_framework.test import APIClient

from services.applications import workflow
from services.applications.serializers import (
    ApplicationDetailSerializer,
    ApplicationSerializer,
    DeferredSerializer,
    QueueTaskSerializer,
    TaskSerializer,
)
from services.models import Application, DeferredMaterial, Document, MaterialRequirement, Task
from tests.conftest import licence_file
from tests.helpers import verify_second_factor

pytestmark = pytest.mark.django_db
FEW, MANY = 1, 50


def queries(client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(captured), [query["sql"] for query in captured.captured_queries]


def assert_flat(client, url: str, add) -> None:
    add(FEW)
    queries(client, url)  # the first visit fills caches (the session, the calendar's warning)
    few, few_sql = queries(client, url)
    add(MANY - FEW)
    many, many_sql = queries(client, url)
    assert few == many, f"GET {url}: {few} queries for {FEW}, {many} for {MANY}:\n" + "\n".join(many_sql)


def in_review(world, official, holder=None) -> Application:
    """A deferred-mode application accepted with its steps, one held, one deferral: every nested part."""
    application = workflow.create_application(world["clerk"], world["enterprise"], world["deferred"])
    Application.objects.filter(pk=application.pk).update(
        state="in_review", received_on=datetime.date(2026, 11, 30), accepted_on=datetime.date(2026, 12, 1),
        decision_due=datetime.date(2026, 12, 15), acceptance_due=datetime.date(2026, 12, 7))
    department = world["departments"]["ZJW"]
    Task.objects.create(application=application, department=department, name="初审", status=Task.Status.APPROVED,
                        due_date=datetime.date(2026, 12, 1), decided_by=official,
                        decided_at=datetime.datetime(2026, 12, 1, 2, tzinfo=datetime.UTC))
    Task.objects.create(application=application, department=department, name="复审", status=Task.Status.OPEN, order=2,
                        due_date=datetime.date(2026, 12, 15), claimed_by=holder,
                        claimed_at=datetime.datetime(2026, 12, 2, 3, tzinfo=datetime.UTC) if holder else None)
    lease = MaterialRequirement.objects.get(service=world["deferred"], code="lease")
    DeferredMaterial.objects.create(application=application, material=lease, due_date=datetime.date(2026, 12, 20))
    return application


def as_drf_writes_it(serializer_class, instance, **context):
    """What DRF's own to_representation (the fields declared) writes for `instance`."""
    serializer = serializer_class(instance, context=context)
    return drf.ModelSerializer.to_representation(serializer, instance)


def test_the_plain_representations_write_what_the_serializers_describe(world, rf):
    official = world["officials"]["zjw1"]
    application = in_review(world, official, holder=world["officials"]["zjw2"])
    workflow_material = world["deferred"].materials.get(code="form")
    Document.objects.create(application=application, material=workflow_material, file=licence_file().name,
                            original_name="form.pdf", uploaded_by=world["clerk"])
    from services.applications.serializers import with_details

    row = with_details(Application.objects.filter(pk=application.pk)).prefetch_related("documents").get()
    request = rf.get("/")
    request.user = world["clerk"]
    assert ApplicationSerializer(row).data == as_drf_writes_it(ApplicationSerializer, row)
    assert ApplicationDetailSerializer(row, context={"request": request}).data == as_drf_writes_it(
        ApplicationDetailSerializer, row, request=request)
    for task in row.tasks.all():
        assert TaskSerializer(task).data == as_drf_writes_it(TaskSerializer, task)
        assert QueueTaskSerializer(task).data == as_drf_writes_it(QueueTaskSerializer, task)
    for deferred in row.deferred.all():
        assert DeferredSerializer(deferred).data == as_drf_writes_it(DeferredSerializer, deferred)


def test_a_list_filtered_by_status_costs_as_many_queries_for_fifty_rows_as_for_one(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(world['clerk'])[1]}")
    official = world["officials"]["zjw1"]
    assert_flat(client, "/api/v1/applications/?status=in_review&page_size=50",
                lambda n: [in_review(world, official, holder=official) for _ in range(n)])


def test_one_application_costs_as_many_queries_with_fifty_tasks_as_with_one(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(world['clerk'])[1]}")
    official = world["officials"]["zjw1"]
    application = in_review(world, official)
    Task.objects.filter(application=application).delete()

    def add(n):
        for order in range(n):
            Task.objects.create(application=application, department=world["departments"]["XFJ"], name=f"步骤{order}",
                                status=Task.Status.WAITING, order=order + 3, claimed_by=official)

    assert_flat(client, f"/api/v1/applications/{application.pk}/", add)


def test_a_token_costs_two_queries_however_many_tokens_its_owner_has(world):
    clerk = world["clerk"]
    for _ in range(5):
        AuthToken.objects.create(clerk)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(clerk)[1]}")
    from portal.core.api.authentication import TokenAuthentication

    header = client._credentials["HTTP_AUTHORIZATION"].split()[1].encode()
    with CaptureQueriesContext(connection) as captured:
        user, _ = TokenAuthentication().authenticate_credentials(header)
    # The token (with its verification), then its user by primary key.
    assert user == clerk and len(captured) == 2, [query["sql"] for query in captured.captured_queries]


def test_an_expired_token_is_refused_and_deleted(world):
    import time_machine

    token, text = AuthToken.objects.create(world["clerk"], expiry=datetime.timedelta(hours=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {text}")
    assert client.get("/api/v1/me/").status_code == 200
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=2)):
        assert client.get("/api/v1/me/").status_code == 401
    assert not AuthToken.objects.filter(pk=token.pk).exists()


@pytest.fixture
def floor(settings):
    """The urls with BENCH_FLOOR on, and as they were afterwards."""
    import importlib

    import portal.api.urls
    import portal.urls

    def load(on: bool) -> None:
        settings.BENCH_FLOOR = on
        importlib.reload(portal.api.urls)
        importlib.reload(portal.urls)
        clear_url_caches()

    load(True)
    yield
    load(False)


def test_the_floor_answers_a_constant_without_a_query_of_its_own(world, floor):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(world['clerk'])[1]}")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/bench/floor/")
    assert response.status_code == 200 and response.json()["floor"] is True
    # Only the authentication's two: the token, then its user.
    own = [query["sql"] for query in captured.captured_queries
           if not query["sql"].startswith(('SELECT "knox_authtoken"', 'SELECT "portal_user"'))]
    assert own == [] and len(captured) == 2, own
    assert APIClient().get("/api/v1/bench/floor/").status_code == 401


def test_the_floor_is_not_there_unless_asked_for(world):
    client = APIClient()
    client.force_authenticate(world["clerk"])
    assert client.get("/api/v1/bench/floor/").status_code == 404


# --- the admin at scale -------------------------------------------------------------------------


def admin_client(client, user):
    from django.contrib.auth.models import Permission

    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_application", "view_task"]))
    client.force_login(user)
    verify_second_factor(client, user)
    return client


@pytest.mark.parametrize("who", ["superuser", "official"])
def test_the_applications_change_list_costs_as_many_queries_for_fifty_rows_as_for_one(world, client, make_user, who):
    official = world["officials"]["zjw1"]
    user = make_user("root", is_staff=True, is_superuser=True) if who == "superuser" else official
    admin_client(client, user)
    assert_flat(client, "/admin/services/application/", lambda n: [in_review(world, official) for _ in range(n)])


def test_the_officials_queue_costs_as_many_queries_for_fifty_tasks_as_for_one(world, client):
    official = world["officials"]["zjw1"]
    admin_client(client, official)
    assert_flat(client, "/admin/services/task/", lambda n: [in_review(world, official, holder=official)
                                                            for _ in range(n)])


def test_the_change_lists_never_count_the_whole_table(world, client, make_user):
    admin_client(client, make_user("root", is_staff=True, is_superuser=True))
    in_review(world, world["officials"]["zjw1"])
    for url in ("/admin/services/application/", "/admin/services/task/"):
        _, statements = queries(client, url)
        # Bounded counts (… LIMIT 10001) are what the paginator does below its threshold.
        whole = [sql for sql in statements if sql.startswith("SELECT COUNT(*)") and " WHERE " not in sql
                 and " LIMIT " not in sql]
        assert whole == [], whole
