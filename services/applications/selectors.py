"""Which applications, tasks and post-checks a user sees: one function per read decides it.

The API's viewsets, the admin's querysets, the overdue board and the clerk's pages start from
these, so "what an official sees" has one answer; a caller adds only what it shows
(`select_related`, filters, ordering). `late_for_acceptance` and `late_for_decision` are the one
definition of late, shared with the timers: the first is what they accept automatically, the
second what they colour red.

The caller's enterprises and departments are read first, as a short list of ids, and named in the
query: with one enterprise or department PostgreSQL walks
the index of the list's order and stops after the page, however large the table; a subquery
would make it read and sort every row of the enterprise first (bench/RESULTS.md).
"""

import datetime
from typing import Any

from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Subquery, Value, When

from portal.core.access import is_official, is_superuser, member_enterprises, officials
from portal.core.audit import events_of
from portal.models import AuditEvent
from services.applications.models import OPEN_STATES, REVIEW_STATES
from services.applications.wording import HIDDEN_FROM_APPLICANTS
from services.models import Application, DeferredMaterial, Department, Document, PostCheck, State, Task


def applications_of(user: Any) -> QuerySet[Application]:
    """A clerk's own: the applications of the enterprises the user is a member of (the membership rule)."""
    if not getattr(user, "is_authenticated", False):
        return Application.objects.none()
    return Application.objects.filter(enterprise_id__in=list(member_enterprises(user).values_list("pk", flat=True)))


def applicant_timeline(application: Application) -> QuerySet[AuditEvent]:
    """The timeline an applicant reads (pages and API), oldest first: without the post-check draw."""
    return events_of(application).exclude(action__in=HIDDEN_FROM_APPLICANTS)


# An earlier application's materials count as supplied once its department took it in, for as long
# as it was not refused, rejected, revoked, suspended or sent back for correction.
REUSABLE_STATES = [State.ACCEPTED, State.IN_REVIEW, State.APPROVED, State.APPROVED_PENDING_DOCUMENTS,
                   State.COMPLETED]


def reusable_documents(user: Any, application: Application) -> QuerySet[Document]:
    """The materials `user` may reuse in `application` instead of uploading them again (免提交).

    Files of the same enterprise's other applications the user sees, taken in and not refused
    (`REUSABLE_STATES`): of each material the latest file, and never a deferred material the
    department has not checked yet. Another enterprise's files are never among them.
    """
    latest = (Document.objects.filter(application=OuterRef("application"), material=OuterRef("material"))
              .order_by("-uploaded_at", "-id").values("pk")[:1])
    unchecked = DeferredMaterial.objects.filter(application=OuterRef("application"), material=OuterRef("material"),
                                                checked_at__isnull=True)
    return (
        Document.objects.filter(application__in=applications_of(user), application__enterprise_id=application.enterprise_id,
                                application__state__in=REUSABLE_STATES)
        .exclude(application_id=application.pk)
        .filter(pk=Subquery(latest))
        .exclude(Exists(unchecked))
        .select_related("material", "application", "reused_from", "reused_from__application")
        .order_by("material__name", "-uploaded_at", "-id")
    )


def department_ids(user: Any) -> list[int]:
    """The ids of the official's departments, read anew at each call (one indexed query)."""
    return list(Department.objects.filter(officials=user).values_list("id", flat=True))


def departments_of(user: Any) -> QuerySet[Department]:
    """The departments an official works for (every one for a superuser, none for anyone else)."""
    if is_superuser(user):
        return Department.objects.all()
    if not is_official(user):
        return Department.objects.none()
    return Department.objects.filter(officials=user)


def ever_submitted() -> QuerySet[Application]:
    """Applications a department has received: drafts, and drafts withdrawn before submission, never show."""
    return Application.objects.exclude(state=State.DRAFT).filter(received_on__isnull=False)


def applications_visible_to(user: Any) -> QuerySet[Application]:
    """An official's: the applications their departments lead or hold a review task of (drafts never).

    A superuser sees every application.
    """
    if is_superuser(user):
        return Application.objects.all()
    if not is_official(user):
        return Application.objects.none()
    departments = department_ids(user)
    # EXISTS per row through the tasks' application index: `pk IN (every task of the departments)`
    # outgrows work_mem at a million rows and PostgreSQL then rescans it for every application.
    holds_a_task = Exists(Task.objects.filter(application_id=OuterRef("pk"), department_id__in=departments))
    return ever_submitted().filter(Q(service__lead_department_id__in=departments) | holds_a_task)


def intake_of(user: Any) -> QuerySet[Application]:
    """What an official takes in (受理) and follows: the applications, never drafts, their departments lead."""
    applications = ever_submitted()
    if is_superuser(user):
        return applications
    if not is_official(user):
        return Application.objects.none()
    return applications.filter(service__lead_department_id__in=department_ids(user))


def tasks_of(user: Any) -> QuerySet[Task]:
    """Every task of an official's departments, acceptance and review, whatever its status (all of
    them for a superuser)."""
    if is_superuser(user):
        return Task.objects.all()
    if not is_official(user):
        return Task.objects.none()
    return Task.objects.filter(department_id__in=department_ids(user))


def work_of(user: Any) -> QuerySet[Task]:
    """The official's work to do: the open acceptance and review tasks of their departments whose
    clock runs (`task_clock_running`: not a step waiting for an earlier one, nor one waiting for the
    applicant's corrections)."""
    return tasks_of(user).filter(task_clock_running())


# Decided or closed: nothing is left for a department to decide (a conditional approval waiting
# for documents and a suspension stay open: officials still check or lift them).
DECIDED_AND_CLOSED_STATES = [s for s in State if s not in OPEN_STATES and s != State.DRAFT]
# The states whose deadline runs and so has a colour: acceptance, and review.
CLOCK_STATES = [State.SUBMITTED, *REVIEW_STATES]


def decided_and_closed(user: Any) -> QuerySet[Application]:
    """The applications `user` sees that are decided and closed (已办结)."""
    return applications_visible_to(user).filter(state__in=DECIDED_AND_CLOSED_STATES)


def tasks_held_by(user: Any) -> QuerySet[Task]:
    """The review tasks `user` has claimed or been handed, among those they see."""
    return tasks_of(user).filter(claimed_by=user) if getattr(user, "pk", None) else Task.objects.none()


def colleagues_of(department: Department | int) -> QuerySet:
    """Whom a task of the department may be handed to: its active officials, by username."""
    return officials().filter(departments=department).order_by("username")


def post_checks_of(user: Any) -> QuerySet[PostCheck]:
    """The post-checks drawn for this official (双随机); a superuser sees every one."""
    if is_superuser(user):
        return PostCheck.objects.all()
    if not is_official(user):
        return PostCheck.objects.none()
    return PostCheck.objects.filter(assignee=user)


def late_for_acceptance(today: datetime.date) -> Q:
    """Submitted, and nobody accepted it within the 5 working days (行政许可法 Art. 32)."""
    return Q(state=State.SUBMITTED, acceptance_due__lt=today)


def late_for_decision(today: datetime.date) -> Q:
    """In review past the promised decision date: the deadline colour is red (or worse)."""
    return Q(state__in=REVIEW_STATES, decision_due__lt=today)


def late_task(today: datetime.date) -> Q:
    """An open task past its department's own due date (an acceptance task's is the acceptance due)."""
    return Q(status=Task.Status.OPEN, due_date__lt=today)


def task_clock_running() -> Q:
    """The open tasks whose clock runs: an acceptance while the application waits to be accepted,
    a review step while it is in review (a correction asked for stops the clock)."""
    return Q(status=Task.Status.OPEN) & (
        Q(kind=Task.Kind.ACCEPTANCE, application__state=State.SUBMITTED)
        | Q(kind=Task.Kind.REVIEW, application__state__in=REVIEW_STATES)
    )


def task_sla_level_on(today: datetime.date) -> Case:
    """A task's deadline colour on `today`: yellow from 80% of its department's promise, red when late."""
    return Case(When(late_task(today), then=Value("red")), When(warning_on__lte=today, then=Value("yellow")),
                default=Value(""), output_field=CharField())


def overdue(user: Any, today: datetime.date) -> QuerySet[Application]:
    """The applications `user` sees that are late on `today`, for their acceptance or their decision."""
    return applications_visible_to(user).filter(late_for_acceptance(today) | late_for_decision(today))


def replaced_since_last_notice(application: Application) -> QuerySet[Document]:
    """The documents the applicant attached after the latest correction notice, oldest first."""
    notice = application.corrections.order_by("-requested_at", "-id").first()
    if notice is None:
        return Document.objects.none()
    return (application.documents.filter(uploaded_at__gt=notice.requested_at)
            .select_related("material").order_by("uploaded_at", "id"))
