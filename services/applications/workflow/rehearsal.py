"""办前预演: what submitting the application today would give, before the applicant submits.

`rehearse_submission` changes nothing. It counts the dates with the very functions the
submission and the acceptance use (`add_working_days` from the day received, `set_decision_dues`
from the day accepted), so the dates shown are those the submission then records; it says which
calendar years they rest on are still provisional. It lists what the submission would refuse
(`missing_for_submission`), the credit-list bar, the item's own notes (a talent policy's quota
left) and, in the commitment mode, the post-check rule: the sampling rate, never whether this
application would be drawn (the draw happens after approval, and its outcome is not told).
"""

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from portal.core.bilingual import localised
from services.applications.form_page import labels_of
from services.applications.workflow import extensions
from services.applications.workflow.core import ACCEPTANCE_DAYS, today
from services.applications.workflow.due_dates import set_decision_dues
from services.applications.workflow.filing import form_errors
from services.calendar.working_days import DueDate, add_working_days, is_provisional_year
from services.catalogue.form_fields import FormField
from services.models import Application, ApprovalMode, ServiceItem

FIELD, MATERIAL, OTHER = "field", "material", "other"


@dataclass(frozen=True)
class Missing:
    """One thing the submission would refuse: an answer (`key` its path in the form), a material
    (`key` its code), or another condition (`key` the name of the field at fault)."""

    kind: str
    key: str
    label: str
    message: str


@dataclass(frozen=True)
class DeferredDue:
    code: str
    name: str
    due: DueDate


@dataclass
class Rehearsal:
    """The outcome of submitting today, as far as it can be known before."""

    today: datetime.date
    mode: str
    approved_on_the_spot: bool
    acceptance_due: DueDate | None = None
    decision_due: DueDate | None = None  # at the latest: counted from the last day for acceptance
    statutory_due: DueDate | None = None
    provisional_years: list[int] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)
    deferred: list[DeferredDue] = field(default_factory=list)
    credit_bar: str = ""
    item_notes: list[str] = field(default_factory=list)
    post_check_rule: str = ""
    needs_commitment: bool = False

    @property
    def ready(self) -> bool:
        """Nothing missing and no bar: the submission would be taken as it stands."""
        return not self.missing and not self.credit_bar


def _bars_commitment(application: Application, on: datetime.date) -> bool:
    return application.enterprise.on_credit_list(on)


def missing_for_submission(application: Application, on: datetime.date | None = None) -> list[Missing]:
    """Exactly what the submission would refuse now: unanswered or wrong answers, absent required
    materials (in the deferred mode a deferrable one counts as deferred unless the enterprise is on
    the credit list), and the item's own conditions."""
    on = on or today()
    service = application.service
    fields: list[FormField] = list(service.form_fields.all())
    errors = form_errors(application)
    labels = labels_of(fields, errors)
    missing = [Missing(FIELD, name.removeprefix("form."), labels.get(name, name.removeprefix("form.")), str(text))
               for name, texts in errors.items() for text in texts]
    attached = set(application.documents.values_list("material__code", flat=True))
    may_defer = service.approval_mode == ApprovalMode.DEFERRED and not _bars_commitment(application, on)
    held = extensions.held_materials(application)  # the submission does not ask for these either
    for material in service.materials.all():
        if (material.required and material.code not in attached and material.code not in held
                and not (may_defer and material.deferrable)):
            missing.append(Missing(MATERIAL, material.code, localised(material, "name"), _("Required material not attached.")))
    for name, texts in extensions.submission_errors(application).items():
        missing.extend(Missing(OTHER, name, name, str(text)) for text in texts)
    return missing


def post_check_rule(service: ServiceItem) -> str:
    """The item's post-check rule in words: how many approvals are checked, never which."""
    ratio = float(service.post_check_ratio)
    window = {"days": service.post_check_window_days}
    if ratio >= 1:
        return _("Every approval of this item is checked afterwards, within %(days)s working days of the "
                 "approval.") % window
    if ratio <= 0:
        return _("Approvals of this item are not drawn for checks afterwards.")
    return _("About %(percent)s%% of this item's approvals are drawn at random and checked afterwards, within "
             "%(days)s working days of the approval. Nobody is told beforehand which ones.") % {
        **window, "percent": round(ratio * 100)}


def _deferred_materials(application: Application) -> list:
    attached = set(application.documents.values_list("material__code", flat=True))
    return [m for m in application.service.materials.all()
            if m.required and m.deferrable and m.code not in attached]


def _dated(day: datetime.date, start: datetime.date) -> DueDate:
    provisional = any(is_provisional_year(year) for year in range(start.year, day.year + 1))
    return DueDate(day, provisional)


def rehearse_submission(application: Application, on: datetime.date | None = None) -> Rehearsal:
    """What submitting `application` on `on` (today by default) would record and refuse; changes nothing."""
    on = on or today()
    service = application.service
    mode = service.approval_mode
    rehearsal = Rehearsal(today=on, mode=mode, approved_on_the_spot=mode == ApprovalMode.COMMITMENT,
                          missing=missing_for_submission(application, on),
                          item_notes=extensions.rehearsal_notes(application))
    listed = _bars_commitment(application, on)
    until = {"date": application.enterprise.credit_listed_until}
    if mode == ApprovalMode.COMMITMENT:
        rehearsal.needs_commitment = True
        rehearsal.post_check_rule = post_check_rule(service)
        if listed:
            rehearsal.credit_bar = _("The enterprise is on the credit list until %(date)s and cannot use the "
                                     "commitment mode.") % until
        return rehearsal

    acceptance = add_working_days(on, ACCEPTANCE_DAYS)
    # The decision clocks start when the department accepts, by the acceptance's last day at the latest.
    probe = Application(service=service, accepted_on=acceptance.date, extended=False)
    set_decision_dues(probe)
    rehearsal.acceptance_due = acceptance
    rehearsal.decision_due = _dated(probe.decision_due, on)
    rehearsal.statutory_due = _dated(probe.statutory_due, on)
    if mode == ApprovalMode.DEFERRED:
        later = _deferred_materials(application)
        if later and listed:
            rehearsal.credit_bar = _("The enterprise is on the credit list until %(date)s and cannot defer "
                                     "materials: attach them all.") % until
        elif later:
            due = add_working_days(on, service.deferral_days)
            rehearsal.deferred = [DeferredDue(m.code, m.name, due) for m in later]
            rehearsal.needs_commitment = True
    last = max([rehearsal.statutory_due.date] + [d.due.date for d in rehearsal.deferred])
    rehearsal.provisional_years = [year for year in range(on.year, last.year + 1) if is_provisional_year(year)]
    return rehearsal
