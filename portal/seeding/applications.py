"""A million applications over two years, with what the workflow would have left beside each, by COPY.

Each application is drawn in one piece: its item (by demand), its enterprise (skewed: a few
enterprises file thousands), its state (by mode and age: recent ones are still open, old ones
finished), then the rows the workflow writes on the way there: the acceptance task and the review
tasks in the statuses that state implies, the attached materials (metadata rows sharing one small
stored file), the deferred materials of 容缺 items, the signed commitment and the post-check of
告知承诺 items, the correction notice of one sent back at intake. Due dates count working days as
7/5 calendar days (the calendar's holidays are not looked up for a million rows).

Rows are drawn in chunks (`Chunk`); the chunk's random generator is seeded by its first index, so a
run stopped half-way goes on where it stopped and writes the same data it would have written in
one go (`loading.py` writes them).
"""

import datetime
import itertools
import math
import random
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

SHARED_FILE = "scale/material.pdf"
ACCEPTANCE_DAYS = 5
WARNING_SHARE = 0.8
SPAN_DAYS = 730

# The share of each state, by approval mode (weights, not percentages). A state the item cannot
# reach (in review without a second step, pending documents without a deferrable material) is
# left out of its draw.
STATE_WEIGHTS: dict[str, dict[str, float]] = {
    "standard": {"draft": 4, "submitted": 1.5, "correction_requested": 1, "not_accepted": 2, "accepted": 1.5,
                 "in_review": 6, "approved": 18, "rejected": 5, "completed": 56, "withdrawn": 4.5, "revoked": 0.5},
    "parallel": {"draft": 4, "submitted": 1.5, "correction_requested": 1, "not_accepted": 2, "accepted": 1.5,
                 "in_review": 6, "approved": 18, "rejected": 5, "completed": 56, "withdrawn": 4.5, "revoked": 0.5},
    "deferred": {"draft": 4, "submitted": 1.5, "correction_requested": 1, "not_accepted": 2, "accepted": 1.5,
                 "in_review": 5, "approved_pending_documents": 3, "suspended": 0.4, "approved": 17, "rejected": 5,
                 "completed": 54, "withdrawn": 4.5, "revoked": 0.6},
    "commitment": {"draft": 5, "approved": 55, "completed": 36, "withdrawn": 3, "revoked": 1},
}
OPEN = {"submitted", "correction_requested", "accepted", "in_review", "approved_pending_documents", "suspended"}
# How many days ago an application in each state was created, at most (finished ones: any time).
RECENT_DAYS = {"draft": 60, "submitted": 8, "correction_requested": 15, "accepted": 20, "in_review": 30,
               "approved_pending_documents": 45, "suspended": 90}


@dataclass
class Item:
    id: int
    code: str
    mode: str
    lead: int
    promised: int
    statutory: int
    correction_days: int
    deferral_days: int
    grace_days: int
    ratio: float
    window: int
    commitment_text: str
    steps: list[tuple[int, str, str, int, int | None]]  # order, name, English name, department, promised days
    materials: list[tuple[int, str]]  # id, code: the first two attached
    deferrable: tuple[int, str] | None
    weight: float = 1.0
    states: dict[str, float] = field(default_factory=dict)
    # The states and their cumulative weights: random.choices' fast path.
    state_names: list[str] = field(default_factory=list)
    state_cumulative: list[float] = field(default_factory=list)


def working(start: datetime.date, days: int) -> datetime.date:
    return start + datetime.timedelta(days=math.ceil(days * 7 / 5))


def catalogue() -> list[Item]:
    """The demonstration catalogue (departments, 17 items), created if missing, read as `Item`s."""
    from portal.management.commands.seed_demo import DEPARTMENTS
    from services.catalogue.demo import seed_catalogue
    from services.models import Department, ServiceItem

    if not ServiceItem.objects.exists():
        for code, name, name_en in DEPARTMENTS:
            Department.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en})
        seed_catalogue()
    items = []
    services = ServiceItem.objects.prefetch_related("review_steps", "materials").order_by("code")
    for position, service in enumerate(services):
        materials = sorted(service.materials.all(), key=lambda m: m.id)
        deferrable = next((m for m in materials if m.deferrable), None)
        attached = [(m.id, m.code) for m in materials if m.required and m is not deferrable][:2]
        steps = [(s.order, s.name, s.name_en, s.department_id, s.promised_days) for s in service.review_steps.all()]
        item = Item(
            service.id, service.code, service.approval_mode, service.lead_department_id, service.promised_days,
            service.statutory_days, service.correction_days, service.deferral_days, service.deferral_grace_days,
            float(service.post_check_ratio), service.post_check_window_days, service.commitment_text, steps,
            attached, (deferrable.id, deferrable.code) if deferrable else None,
            # Demand is uneven: a few items (the common licences) take most applications.
            weight=1 / (1 + position % 7),
        )
        states = dict(STATE_WEIGHTS[item.mode])
        if len(steps) < 2:
            states.pop("in_review", None)
        if item.mode == "deferred" and deferrable is None:
            states.pop("approved_pending_documents", None)
            states.pop("suspended", None)
        item.states = states
        item.state_names = list(states)
        item.state_cumulative = list(itertools.accumulate(states.values()))
        items.append(item)
    return items


def officials(prefix: str) -> dict[int, list[int]]:
    """Two officials per department (group "Officials", unusable passwords): the user ids by department."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission

    from portal.management.commands.seed_demo import OFFICIAL_PERMISSIONS
    from services.models import Department

    group = Group.objects.get_or_create(name="Officials")[0]
    for label in OFFICIAL_PERMISSIONS:
        app_label, codename = label.split(".")
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    User = get_user_model()
    by_department: dict[int, list[int]] = {}
    for department in Department.objects.order_by("id"):
        ids = []
        for n in (1, 2):
            username = f"{prefix}-official-{department.code.lower()}-{n}"
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, is_staff=True, first_name=f"{department.name}审批员{n}")
                user.set_unusable_password()
                user.save()
                user.groups.add(group)
                department.officials.add(user)
            ids.append(user.id)
        by_department[department.id] = ids
    return by_department


def applicants() -> list[tuple[int, int]]:
    """(enterprise id, member user id) of every verified enterprise, in id order."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT e.id, MIN(m.user_id) FROM enterprises_enterprise e JOIN enterprises_membership m "
                       "ON m.enterprise_id = e.id WHERE e.status = 'verified' GROUP BY e.id ORDER BY e.id")
        return cursor.fetchall()


class Chunk:
    """The rows of applications [start, stop): drawn once, then copied table by table."""

    def __init__(self, start: int, stop: int, *, items: list[Item], filers: list[tuple[int, int]],
                 staff: dict[int, list[int]], seed: int, now: datetime.datetime) -> None:
        self.rng = random.Random(seed * 1_000_003 + start)
        self.items, self.filers, self.staff, self.now = items, filers, staff, now
        self.today = timezone.localdate(now)
        self.local_now = timezone.localtime(now)
        self.cumulative = list(itertools.accumulate(item.weight for item in items))
        self.applications: list[tuple] = []
        self.tasks: list[tuple] = []
        self.documents: list[tuple] = []
        self.deferred: list[tuple] = []
        self.commitments: list[tuple] = []
        self.corrections: list[tuple] = []
        self.post_checks: list[tuple] = []
        for index in range(start, stop):
            self._application(index + 1)

    # --- one application ---------------------------------------------------------------------
    def _application(self, pk: int) -> None:
        rng = self.rng
        item = rng.choices(self.items, cum_weights=self.cumulative)[0]
        enterprise, applicant = self.filers[int(len(self.filers) * rng.random() ** 3)]
        state = rng.choices(item.state_names, cum_weights=item.state_cumulative)[0]
        # Finished ones at any time over two years (a little more recently: demand grows).
        age = rng.randint(0, RECENT_DAYS[state]) if state in OPEN or state == "draft" else \
            int(SPAN_DAYS * rng.random() ** 1.2) + 20
        created = self.local_now - datetime.timedelta(days=age, seconds=rng.randint(0, 86_399))
        created_on = created.date()
        a: dict[str, Any] = dict(received_on=None, acceptance_due=None, accepted_on=None, decision_due=None,
                                 statutory_due=None, warning_on=None, decided_on=None, sla_level="",
                                 suspended_on=None, revocation_due=None, post_check_sampled=False)
        withdrawn_early = state == "withdrawn" and (item.mode == "commitment" or rng.random() < 0.5)
        submitted = state != "draft" and not (withdrawn_early and rng.random() < 0.5)
        if item.mode == "commitment":
            self._commitment(pk, item, state, created, created_on, submitted, applicant, a)
        elif submitted:
            self._reviewed(pk, item, state, created_on, withdrawn_early, a)
        attach = item.materials if submitted else item.materials[: rng.randint(0, len(item.materials))]
        for material, code in attach:
            self.documents.append((SHARED_FILE, f"{code}.pdf", created + datetime.timedelta(minutes=5), pk,
                                   applicant, material))
        year = created_on.year
        self.applications.append((
            pk, f"FT-{year}-{pk:06d}", "{}", state, created, a["received_on"], a["acceptance_due"],
            a["accepted_on"], a["decision_due"], a["statutory_due"], False, False, "", a["decided_on"],
            a["sla_level"], a["suspended_on"], a["post_check_sampled"], applicant, enterprise, item.id,
            a["revocation_due"], a["warning_on"]))

    def _commitment(self, pk: int, item: Item, state: str, created: datetime.datetime,
                    created_on: datetime.date, submitted: bool, applicant: int, a: dict) -> None:
        """告知承诺: approved on the spot on the signed commitment; a share is drawn for a post-check."""
        if not submitted or state in ("draft", "withdrawn"):
            return
        a["received_on"] = a["accepted_on"] = a["decided_on"] = created_on
        signed = created + datetime.timedelta(minutes=10)
        self.commitments.append((item.commitment_text, signed, f"{pk:064x}", pk, applicant))
        a["post_check_sampled"] = created_on < self.today
        drawn = state == "revoked" or (a["post_check_sampled"] and self.rng.random() < item.ratio)
        if drawn:
            due = working(created_on, item.window)
            assignee = self.rng.choice(self.staff[item.lead])
            if state == "revoked":
                result, done = "failed", signed + datetime.timedelta(days=3)
                a["decided_on"] = created_on
            elif due < self.today or self.rng.random() < 0.5:
                result, done = "passed", signed + datetime.timedelta(days=self.rng.randint(1, max(item.window, 1)))
            else:
                result, done = "pending", None
            self.post_checks.append((due, result, "", done, False, pk, assignee, item.lead))

    def _reviewed(self, pk: int, item: Item, state: str, created_on: datetime.date, withdrawn_early: bool,
                  a: dict) -> None:
        """The standard, parallel and deferred modes: acceptance, then the review steps."""
        rng, today, decided_at = self.rng, self.today, self.now
        received = min(created_on + datetime.timedelta(days=rng.randint(0, 2)), today)
        a["received_on"], a["acceptance_due"] = received, working(received, ACCEPTANCE_DAYS)
        accept_warning = working(received, math.ceil(WARNING_SHARE * ACCEPTANCE_DAYS))
        lead_staff = self.staff[item.lead]
        # The acceptance task's status, by how the intake ended.
        intake = {"submitted": "open", "correction_requested": "returned", "not_accepted": "rejected",
                  "withdrawn": "cancelled" if withdrawn_early else "approved"}.get(state, "approved")
        decider = None if intake in ("open", "cancelled") else rng.choice(lead_staff)
        self.tasks.append((0, "受理", intake, a["acceptance_due"], "", None if decider is None else decided_at, pk,
                           decider, item.lead, "", accept_warning, "acceptance", None, None, ""))
        if item.mode == "deferred" and item.deferrable and rng.random() < 0.6 or state in (
                "approved_pending_documents", "suspended"):
            self._deferral(pk, item, state, received)
        if intake == "returned":
            self.corrections.append(('["请补正申请材料"]', self.now - datetime.timedelta(days=rng.randint(0, 5)),
                                     None, pk, rng.choice(lead_staff), None,
                                     today + datetime.timedelta(days=item.correction_days), "", None))
        if intake == "rejected":
            a["decided_on"] = min(received + datetime.timedelta(days=rng.randint(0, 6)), today)
        if intake != "approved":
            return
        accepted = min(received + datetime.timedelta(days=rng.randint(0, 6)), today)
        a["accepted_on"], a["decision_due"] = accepted, working(accepted, item.promised)
        a["statutory_due"], a["warning_on"] = working(accepted, item.statutory), working(
            accepted, math.ceil(WARNING_SHARE * item.promised))
        steps = item.steps or [(1, "审查", "", item.lead, None)]
        parallel = item.mode == "parallel"
        # How many steps are approved, and what the rest are.
        if state in ("accepted",):
            approved, rest = 0, "open"
        elif state == "in_review":
            approved, rest = rng.randint(1, len(steps) - 1), "open"
        elif state == "rejected":
            approved, rest = rng.randint(0, len(steps) - 1), "rejected"
        elif state == "withdrawn":
            approved, rest = rng.randint(0, len(steps) - 1), "cancelled"
        else:
            approved, rest = len(steps), ""
        for position, (order, name, name_en, department, promised) in enumerate(steps):
            days = promised or item.promised
            due, warning = (working(accepted, days), working(accepted, math.ceil(WARNING_SHARE * days))) \
                if parallel else (a["decision_due"], a["warning_on"])
            if position < approved:
                status = "approved"
            elif rest == "open":
                status = "open" if parallel or position == approved else "waiting"
            elif rest == "rejected":
                status = "rejected" if position == approved else "cancelled"
            else:
                status = rest
            decider = rng.choice(self.staff[department]) if status in ("approved", "rejected") else None
            level = ""
            if status == "open":
                level = "red" if due < today else "yellow" if warning <= today else ""
            holder = rng.choice(self.staff[department]) if status == "open" and rng.random() < 0.4 else None
            self.tasks.append((order, name, status, due, "", decided_at if decider else None, pk, decider,
                               department, level, warning, "review", decided_at if holder else None, holder, name_en))
        if state in ("accepted", "in_review"):
            a["sla_level"] = ("escalated" if a["statutory_due"] < today else "red" if a["decision_due"] < today
                              else "yellow" if a["warning_on"] <= today else "")
        elif state != "withdrawn":
            a["decided_on"] = min(accepted + datetime.timedelta(days=rng.randint(1, math.ceil(item.promised * 7 / 5))),
                                  today)
        if state == "suspended":
            a["suspended_on"] = min(a["decided_on"] + datetime.timedelta(days=math.ceil(item.deferral_days * 7 / 5)),
                                    today)
            a["revocation_due"] = working(a["suspended_on"], item.grace_days)

    def _deferral(self, pk: int, item: Item, state: str, received: datetime.date) -> None:
        """容缺: the material supplied later, due `deferral_days` after the submission."""
        material, code = item.deferrable
        due = working(received, item.deferral_days)
        supplied = checked = None
        if state in ("approved", "completed", "revoked"):
            supplied = self.now - datetime.timedelta(days=self.rng.randint(20, 40))
            checked = supplied + datetime.timedelta(days=1)
        elif state == "approved_pending_documents":
            due = max(due, self.today + datetime.timedelta(days=self.rng.randint(1, 10)))
        self.deferred.append((due, False, supplied, checked, "[]", pk, None, material))
        if supplied:
            self.documents.append((SHARED_FILE, f"{code}.pdf", supplied, pk, None, material))

    # --- to the database -----------------------------------------------------------------------
    def tables(self) -> list[tuple[str, list[str], list[tuple]]]:
        applicant_of = {row[0]: row[17] for row in self.applications}
        documents = [(*row[:4], row[4] or applicant_of[row[3]], row[5]) for row in self.documents]
        return [
            ("services_application", [
                "id", "reference", "form", "state", "created_at", "received_on", "acceptance_due", "accepted_on",
                "decision_due", "statutory_due", "dates_provisional", "extended", "extension_reason", "decided_on",
                "sla_level", "suspended_on", "post_check_sampled", "applicant_id", "enterprise_id", "service_id",
                "revocation_due", "warning_on"], self.applications),
            ("services_task", [
                "order", "name", "status", "due_date", "comment", "decided_at", "application_id", "decided_by_id",
                "department_id", "sla_level", "warning_on", "kind", "claimed_at", "claimed_by_id", "name_en"], self.tasks),
            ("services_document", [
                "file", "original_name", "uploaded_at", "application_id", "uploaded_by_id", "material_id"], documents),
            ("services_deferredmaterial", [
                "due_date", "due_provisional", "supplied_at", "checked_at", "reminded_days", "application_id",
                "checked_by_id", "material_id"], self.deferred),
            ("services_commitment", ["text", "signed_at", "digest", "application_id", "signer_id"], self.commitments),
            ("services_correctionnotice", [
                "items", "requested_at", "resolved_at", "application_id", "requested_by_id", "paused_on",
                "respond_by", "resume_state", "returned_task_id"], self.corrections),
            ("services_postcheck", [
                "due_date", "result", "note", "done_at", "overdue_notified", "application_id", "assignee_id",
                "department_id"], self.post_checks),
        ]
