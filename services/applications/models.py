"""Applications (办件), their tasks (acceptance and review), materials, deferrals, commitments and post-checks.

The state machine lives on `Application` (django-fsm-2 transitions); the rules that decide
when a transition happens live in `services/applications/workflow/` (`rules.py`: who, and when).
"""

import json

from django.conf import settings
from django.db import models
from django.db.models import F, functions
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import RETURN_VALUE, FSMField, transition

from portal.core.access import MemberQuerySet
from services.applications.document_models import Document, document_path  # noqa: F401 (re-exported)


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    CORRECTION_REQUESTED = "correction_requested", _("Correction requested")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    ACCEPTED = "accepted", _("Accepted")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    APPROVED_PENDING_DOCUMENTS = "approved_pending_documents", _("Approved, documents pending")
    REJECTED = "rejected", pgettext_lazy("application state", "Rejected")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SUSPENDED = "suspended", pgettext_lazy("application state", "Suspended")
    REVOKED = "revoked", _("Revoked")


OPEN_STATES = [
    State.SUBMITTED,
    State.CORRECTION_REQUESTED,
    State.ACCEPTED,
    State.IN_REVIEW,
    State.APPROVED_PENDING_DOCUMENTS,
    State.SUSPENDED,
]
REVIEW_STATES = [State.ACCEPTED, State.IN_REVIEW]


class ApplicationQuerySet(MemberQuerySet):
    """Applications are reached through their enterprise's memberships."""


class Application(models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True, null=True, blank=True)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="applications",
        verbose_name=_("enterprise"),
    )
    service = models.ForeignKey(
        "services.ServiceItem", on_delete=models.PROTECT, related_name="applications",
        verbose_name=_("service item"),
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("applicant")
    )
    form = models.JSONField(_("form"), default=dict, blank=True)
    state = FSMField(_("status"), default=State.DRAFT, choices=State.choices, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    # The clocks, all in working days of services.calendar.working_days.
    received_on = models.DateField(_("received on"), null=True, blank=True)
    acceptance_due = models.DateField(_("acceptance due"), null=True, blank=True, db_index=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    decision_due = models.DateField(_("decision due (promised)"), null=True, blank=True, db_index=True)
    statutory_due = models.DateField(_("statutory limit"), null=True, blank=True)
    dates_provisional = models.BooleanField(
        _("due dates provisional"),
        default=False,
        help_text=_("Computed for a year whose official holiday schedule is not entered yet."),
    )
    extended = models.BooleanField(_("extended"), default=False)
    extension_reason = models.TextField(_("extension reason"), blank=True)
    warning_on = models.DateField(
        _("deadline warning from"), null=True, blank=True, db_index=True,
        help_text=_("The day the yellow deadline warning starts."),
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    sla_level = models.CharField(
        _("deadline warning"), max_length=10, blank=True, db_index=True,
        choices=[("", _("on time")), ("yellow", _("yellow")), ("red", _("red")), ("escalated", _("escalated"))],
    )
    suspended_on = models.DateField(_("suspended on"), null=True, blank=True)
    revocation_due = models.DateField(
        _("revoked after"), null=True, blank=True, db_index=True,
        help_text=_("The last day of the grace period of a suspension."),
    )
    post_check_sampled = models.BooleanField(_("post-check sampling done"), default=False)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        # An enterprise's list newest first, whole or by status (PostgreSQL only); the admin's order.
        indexes = [models.Index(fields=["state", "acceptance_due"]), models.Index(fields=["state", "decision_due"]),
                   models.Index(F("enterprise"), F("created_at").desc(nulls_last=True), F("id").desc(nulls_last=True),
                                name="application_member_list"),
                   models.Index(F("enterprise"), F("state"), F("created_at").desc(nulls_last=True),
                                F("id").desc(nulls_last=True), name="application_member_status"),
                   models.Index(functions.Coalesce("decision_due", "acceptance_due"), F("id"), name="application_next_due")]

    def __str__(self) -> str:
        return self.reference or f"#{self.pk}"

    def review_tasks(self) -> list["Task"]:
        """The review steps, in order: what the application's pages and `tasks[]` show.

        The acceptance task is left out: the application's status and acceptance dates tell it.
        Read through `.all()`, so a prefetch of `tasks` serves it.
        """
        return [task for task in self.tasks.all() if task.kind == Task.Kind.REVIEW]

    # --- Transitions. Only services/applications/workflow/ calls these. ----------------
    @transition(field=state, source=State.DRAFT, target=State.SUBMITTED)
    def submit(self) -> None:
        pass

    @transition(field=state, source=State.DRAFT, target=State.APPROVED)
    def grant_on_commitment(self) -> None:
        pass

    @transition(field=state, source=State.SUBMITTED, target=State.ACCEPTED)
    def accept(self) -> None:
        pass

    @transition(field=state, source=State.SUBMITTED, target=State.NOT_ACCEPTED)
    def refuse(self) -> None:
        pass

    @transition(field=state, source=[State.SUBMITTED, *REVIEW_STATES], target=State.CORRECTION_REQUESTED)
    def request_correction(self) -> None:
        pass

    @transition(field=state, source=State.CORRECTION_REQUESTED, target=RETURN_VALUE(State.SUBMITTED, *REVIEW_STATES))
    def resubmit(self, to_state: str = State.SUBMITTED) -> str:
        """Back to acceptance after a correction at intake, or to the review it paused."""
        return to_state

    @transition(field=state, source=State.ACCEPTED, target=State.IN_REVIEW)
    def start_review(self) -> None:
        pass

    @transition(field=state, source=REVIEW_STATES, target=State.APPROVED)
    def approve(self) -> None:
        pass

    @transition(field=state, source=REVIEW_STATES, target=State.APPROVED_PENDING_DOCUMENTS)
    def approve_pending_documents(self) -> None:
        pass

    @transition(field=state, source=REVIEW_STATES, target=State.REJECTED)
    def reject(self) -> None:
        pass

    @transition(field=state, source=State.APPROVED_PENDING_DOCUMENTS, target=State.APPROVED)
    def documents_complete(self) -> None:
        pass

    @transition(field=state, source=State.APPROVED, target=State.COMPLETED)
    def complete(self) -> None:
        pass

    @transition(
        field=state,
        source=[State.DRAFT, State.SUBMITTED, State.CORRECTION_REQUESTED, *REVIEW_STATES],
        target=State.WITHDRAWN,
    )
    def withdraw(self) -> None:
        pass

    @transition(field=state, source=[State.APPROVED_PENDING_DOCUMENTS, *REVIEW_STATES], target=State.SUSPENDED)
    def suspend(self) -> None:
        pass

    @transition(field=state, source=State.SUSPENDED,
                target=RETURN_VALUE(State.APPROVED, State.APPROVED_PENDING_DOCUMENTS, *REVIEW_STATES))
    def restore(self, to_state: str) -> str:
        """The company complied within the grace period: back to where the suspension found it."""
        return to_state

    @transition(field=state, source=[State.SUSPENDED, State.APPROVED], target=State.REVOKED)
    def revoke(self) -> None:
        pass


class Task(models.Model):
    """One department's step of one application, in its officials' queue.

    An acceptance task (受理) is the lead department's while the application waits to be taken
    in; review tasks (审查) are the item's review steps, opened on acceptance.
    """

    class Kind(models.TextChoices):
        ACCEPTANCE = "acceptance", _("Acceptance")
        REVIEW = "review", _("Review")

    class Status(models.TextChoices):
        # Contexts keep a task's "Open" (to be decided) apart from the verb, and a step's
        # "Approved"/"Rejected" apart from the application's decision (准予/不予许可).
        WAITING = "waiting", _("Waiting for an earlier step")
        OPEN = "open", pgettext_lazy("task status", "Open")
        APPROVED = "approved", pgettext_lazy("task status", "Approved")
        REJECTED = "rejected", pgettext_lazy("task status", "Rejected")
        RETURNED = "returned", _("Returned for correction")
        CANCELLED = "cancelled", _("Cancelled")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="tasks")
    department = models.ForeignKey(
        "services.Department", on_delete=models.PROTECT, related_name="tasks", verbose_name=_("department")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.REVIEW)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    name = models.CharField(_("step"), max_length=100)
    name_en = models.CharField(_("step in English"), max_length=150, blank=True)  # the review step's, copied
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, db_index=True)
    due_date = models.DateField(_("due"), null=True, blank=True)
    # The department's own deadline colour (a parallel item's departments have their own promises).
    warning_on = models.DateField(_("warning from"), null=True, blank=True)
    sla_level = models.CharField(_("deadline colour"), max_length=10, blank=True, default="")
    comment = models.TextField(_("comment"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # Who of the department has taken the task (认领), so colleagues do not review it twice.
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("held by"),
    )
    claimed_at = models.DateTimeField(_("held since"), null=True, blank=True)

    class Meta:
        ordering = ["application", "order", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [models.Index(fields=["department", "status", "due_date", "id"], name="task_queue")]  # the queue
        constraints = [
            # Acceptance is decided once per submission: a resubmission opens the next one.
            models.UniqueConstraint(fields=["application"], condition=models.Q(kind="acceptance", status="open"),
                                    name="one_open_acceptance_per_application"),
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.name}"


class DeferredMaterial(models.Model):
    """A deferrable material the applicant committed to supply later (容缺)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="deferred")
    material = models.ForeignKey(
        "services.MaterialRequirement", on_delete=models.PROTECT, related_name="+", verbose_name=_("material")
    )
    due_date = models.DateField(_("due"), db_index=True)
    due_provisional = models.BooleanField(_("due date provisional"), default=False)
    supplied_at = models.DateTimeField(_("supplied at"), null=True, blank=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reminded_days = models.JSONField(
        _("reminders sent"), default=list, blank=True, help_text=_("Working days before the due date.")
    )

    class Meta:
        ordering = ["application", "due_date"]
        constraints = [models.UniqueConstraint(fields=["application", "material"], name="one_deferral_per_material")]
        verbose_name = _("deferred material")
        verbose_name_plural = _("deferred materials")

    def __str__(self) -> str:
        return f"{self.application} · {self.material}"


class Commitment(models.Model):
    """The commitment text the applicant signed, stored verbatim with its SM3 digest."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="commitment")
    text = models.TextField(_("text"))
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("signed at"))
    digest = models.CharField(_("SM3 digest"), max_length=64)

    class Meta:
        verbose_name = _("signed commitment")
        verbose_name_plural = _("signed commitments")

    def __str__(self) -> str:
        return f"{self.application} · {self.digest[:12]}"

    def canonical_record(self) -> str:
        """What the digest covers: who signed what, for which enterprise and application, and when.

        One line of JSON, keys sorted, no spaces, UTF-8: anyone can re-compute SM3 over it and compare.
        """
        return json.dumps({
            "application": self.application.reference,
            "enterprise": self.application.enterprise.uscc,
            "signed_at": timezone.localtime(self.signed_at).isoformat(timespec="seconds"),
            "signer": self.signer.get_username(),
            "text": self.text,
        }, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class CorrectionNotice(models.Model):
    """A one-time notice (一次性告知) listing every correction the applicant must make."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="corrections")
    items = models.JSONField(_("items to correct"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    respond_by = models.DateField(_("to be corrected by"), null=True, blank=True, db_index=True)
    # A correction during review stops the clock (中止计时): the review resumes where it stopped.
    paused_on = models.DateField(_("clock stopped on"), null=True, blank=True)
    resume_state = models.CharField(_("review state to resume"), max_length=40, blank=True)
    returned_task = models.ForeignKey(
        "services.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("returned by the step"),
    )

    class Meta:
        ordering = ["application", "requested_at"]
        verbose_name = _("correction notice")
        verbose_name_plural = _("correction notices")

    def __str__(self) -> str:
        return f"{self.application} · {len(self.items)}"


class PostCheck(models.Model):
    """A post-check (事后核查) of a commitment approval, by a randomly drawn official."""

    class Result(models.TextChoices):
        PENDING = "pending", _("Pending")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="post_check")
    department = models.ForeignKey("services.Department", on_delete=models.PROTECT, related_name="post_checks")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="post_checks", verbose_name=_("assignee")
    )
    due_date = models.DateField(_("due"), db_index=True)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, default=Result.PENDING)
    note = models.TextField(_("note"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    overdue_notified = models.BooleanField(default=False)

    class Meta:
        ordering = ["due_date"]
        verbose_name = _("post-check")
        verbose_name_plural = _("post-checks")

    def __str__(self) -> str:
        return f"{self.application} · {self.get_result_display()}"
