"""Exports of applications and decisions: exactly the filtered rows the official may see, ID numbers
masked, formula-like text made harmless, and every export in the audit trail."""

import csv
import io
from collections import Counter

import pytest
from openpyxl import load_workbook

from enterprises.models import Enterprise
from portal.models import AuditEvent
from services.models import Application, Task
from talent.identity import mask
from tests.helpers import at, token_client

pytestmark = pytest.mark.django_db
LIST_EXPORT = "/admin/services/application/export/{kind}/{fmt}/"
DASHBOARD_EXPORT = "/admin/services/application/dashboard/export/{kind}/{fmt}/"
DECISIONS = {"approved", "rejected", "returned"}


def body(response) -> bytes:
    assert response.status_code == 200, response.content[:500] if not response.streaming else response
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[list[str]]:
    text = body(response).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def xlsx_rows(response) -> tuple[list[list], object]:
    sheet = load_workbook(io.BytesIO(body(response))).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()], sheet


def references(rows: list[list], column: int = 0) -> set[str]:
    return {row[column] for row in rows[1:]}


def led_by(code: str, **filters) -> set[str]:
    return set(Application.objects.filter(service__lead_department__code=code, **filters)
               .values_list("reference", flat=True))


def exports_of(user) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="report.exported", actor=user).order_by("id"))


def test_the_list_export_holds_exactly_the_filtered_applications_of_the_officials_department(
    world, month, as_official
):
    zjw = world["officials"]["zjw1"]
    with at(2026, 3, 31):
        client = as_official("zjw1", "en")
        listed = client.get("/admin/services/application/", {"state__exact": "approved"})
        response = client.get(LIST_EXPORT.format(kind="applications", fmt="csv"), {"state__exact": "approved"})
    # The list offers the export of what it shows, with its filters.
    assert LIST_EXPORT.format(kind="applications", fmt="csv").encode() + b"?state__exact=approved" in listed.content
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0][:3] == ["Reference", "Enterprise", "Unified social credit code"]
    assert references(rows) == led_by("ZJW", state="approved") == {
        month["february"].reference, month["on_time"].reference, month["late"].reference}
    statuses = {row[rows[0].index("Status")] for row in rows[1:]}
    assert statuses == {"Approved"}

    (event,) = exports_of(zjw)
    assert event.target_id == zjw.pk
    assert event.data == {"export": "applications", "format": "csv", "source": "admin",
                          "filters": {"state__exact": "approved"}, "rows": 3}


def test_another_departments_applications_never_appear(world, month, as_official):
    with at(2026, 3, 31):
        zjw_rows = csv_rows(as_official("zjw1").get(LIST_EXPORT.format(kind="applications", fmt="csv")))
        scj_rows = csv_rows(as_official("scj1").get(LIST_EXPORT.format(kind="applications", fmt="csv")))
    theirs = {month[name].reference for name in ("commitment_checked", "commitment_pending", "talent")}
    assert not theirs & references(zjw_rows)
    assert references(zjw_rows) == led_by("ZJW")
    # The market department leads the commitment item and reviews a step of the parallel one.
    assert references(scj_rows) == led_by("SCJGJ") | {month["parallel"].reference} == {
        month["commitment_checked"].reference, month["commitment_pending"].reference, month["parallel"].reference}


def test_the_dashboard_export_as_xlsx_masks_the_id_number_and_holds_the_period(world, month, superuser, client):
    client.force_login(superuser)
    talent_office = month["policy"].service.lead_department
    with at(2026, 3, 31):
        response = client.get(DASHBOARD_EXPORT.format(kind="applications", fmt="xlsx"),
                              {"start": "2026-03-01", "end": "2026-03-31", "department": talent_office.pk},
                              headers={"accept-language": "en"})
    rows, _sheet = xlsx_rows(response)
    header = rows[0]
    assert references(rows) == {month["talent"].reference}
    (row,) = rows[1:]
    person = month["talent_person"]
    assert row[header.index("Talent")] == person.name
    assert row[header.index("Talent's ID number (masked)")] == mask(person.id_number) != person.id_number
    assert person.id_number not in str(rows)
    (event,) = exports_of(superuser)
    assert (event.data["source"], event.data["format"], event.data["rows"]) == ("dashboard", "xlsx", 1)
    assert event.data["filters"] == {"start": "2026-03-01", "end": "2026-03-31", "department": str(talent_office.pk)}


def test_the_decisions_export_lists_each_decision_with_who_and_when(world, month, as_official):
    with at(2026, 3, 31):
        response = as_official("xfj1", "en").get(LIST_EXPORT.format(kind="decisions", fmt="xlsx"))
    rows, _sheet = xlsx_rows(response)
    header = rows[0]
    # The fire department sees the standard items through its review step: every decision on them.
    seen = Application.objects.filter(tasks__department__code="XFJ").distinct()
    expected = [t for t in Task.objects.select_related("decided_by") if t.application_id in {a.pk for a in seen}
                and t.status in DECISIONS]
    assert len(rows) - 1 == len(expected)
    column = header.index("Decided by")
    assert Counter(row[column] for row in rows[1:]) == Counter(task.decided_by.username for task in expected)
    assert set(Counter(row[column] for row in rows[1:])) == {"zjw1", "xfj1"}  # both departments' steps


def test_formula_like_text_is_neutralised_in_csv_and_stored_as_text_in_xlsx(world, month, as_official):
    Enterprise.objects.filter(pk=world["enterprise"].pk).update(name='=HYPERLINK("http://evil.example","点我")')
    Task.objects.filter(status="approved").update(comment="@SUM(A1:A9)")
    client = as_official("zjw1", "en")
    with at(2026, 3, 31):
        rows = csv_rows(client.get(LIST_EXPORT.format(kind="applications", fmt="csv")))
        decisions = csv_rows(client.get(LIST_EXPORT.format(kind="decisions", fmt="csv")))
        workbook_rows, sheet = xlsx_rows(client.get(LIST_EXPORT.format(kind="applications", fmt="xlsx")))
    assert {row[1] for row in rows[1:]} == {"'=HYPERLINK(\"http://evil.example\",\"点我\")"}
    assert "'@SUM(A1:A9)" in {row[-1] for row in decisions[1:]}
    cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert {cell.value for cell in cells} == {'=HYPERLINK("http://evil.example","点我")'}
    assert {cell.data_type for cell in cells} == {"s"}  # text, never a formula
    assert len(workbook_rows) == len(rows)


def test_the_api_export_follows_the_applications_filters_and_is_audited(world, month):
    scj = world["officials"]["scj1"]
    api = token_client("scj1")
    with at(2026, 3, 31):
        response = api.get("/api/v1/exports/applications/", {"format": "csv", "decided_after": "2026-03-10"},
                           HTTP_ACCEPT_LANGUAGE="en")
        empty = token_client("clerk").get("/api/v1/exports/applications/", {"format": "xlsx"})
    rows = csv_rows(response)
    assert references(rows) == led_by("SCJGJ", decided_on__gte="2026-03-10") == {month["commitment_pending"].reference}
    (event,) = exports_of(scj)
    assert event.data == {"export": "applications", "format": "csv", "source": "api",
                          "filters": {"decided_after": "2026-03-10", "format": "csv"}, "rows": 1}
    # Someone who is no official sees no application: the file has its headers only.
    assert len(xlsx_rows(empty)[0]) == 1


def test_a_bad_format_or_filter_is_refused_naming_the_field_and_nothing_is_recorded(world, month):
    api = token_client("zjw1")
    for query, field in (({"format": "pdf"}, "format"), ({}, "format"),
                         ({"format": "csv", "status": "lost"}, "status"),
                         ({"format": "csv", "decided_after": "yesterday"}, "decided")):
        response = api.get("/api/v1/exports/decisions/", query)
        assert response.status_code == 400, query
        assert response.json()["field"] == field
    assert not AuditEvent.objects.filter(action="report.exported").exists()
