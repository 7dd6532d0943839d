"""The dates the services and talent apps bind an enterprise to, for its obligations calendar
(`enterprises/obligations/`): composed here, above the apps, so the enterprises app imports neither.

A post-check window is shown for every commitment approval, drawn or not: whether the draw
picked it stays secret (services/applications/workflow/post_checks.py).
"""

import datetime
from collections.abc import Iterator

from dateutil.relativedelta import relativedelta
from django.db.models import Q
from django.utils.translation import gettext as _

from enterprises.managers.extensions import Obligation, register_obligations
from services.applications.models import CorrectionNotice, DeferredMaterial, State
from services.calendar.working_days import add_working_days
from services.catalogue.models import ApprovalMode
from services.models import Application
from talent.models import TalentApplication

LIVE = [State.SUBMITTED, State.ACCEPTED, State.IN_REVIEW, State.APPROVED_PENDING_DOCUMENTS]
GRANTED = [State.APPROVED, State.COMPLETED]
EXCERPT = 200


def _within(on: datetime.date, start: datetime.date | None, end: datetime.date | None) -> bool:
    return (start is None or on >= start) and (end is None or on <= end)


def _of(queryset, enterprise_ids: list[int] | None, path: str = "enterprise_id"):
    return queryset if enterprise_ids is None else queryset.filter(**{f"{path}__in": enterprise_ids})


def _link(application: Application) -> str:
    return f"/applications/{application.pk}/"


def workflow_dates(enterprise_ids: list[int] | None, start: datetime.date | None,
                   end: datetime.date | None) -> Iterator[Obligation]:
    """Deferred materials, grace periods and corrections: dates the database holds, filtered in SQL."""
    dates = Q()
    if start:
        dates &= Q(due_date__gte=start)
    if end:
        dates &= Q(due_date__lte=end)
    for deferred in _of(DeferredMaterial.objects.filter(dates, supplied_at__isnull=True, application__state__in=LIVE),
                        enterprise_ids, "application__enterprise_id").select_related("application", "material"):
        application = deferred.application
        yield Obligation(uid=f"deferred-{deferred.pk}", enterprise_id=application.enterprise_id, on=deferred.due_date,
                         kind="deferred_material", title=deferred.material.name, reference=application.reference,
                         detail=_("Supply it, or the approval is suspended."), link=_link(application))
    revocation = Q(revocation_due__isnull=False)
    if start:
        revocation &= Q(revocation_due__gte=start)
    if end:
        revocation &= Q(revocation_due__lte=end)
    for application in _of(Application.objects.filter(revocation, state=State.SUSPENDED),
                           enterprise_ids).select_related("service"):
        yield Obligation(uid=f"grace-{application.pk}", enterprise_id=application.enterprise_id,
                         on=application.revocation_due, kind="grace_period", title=application.service.name,
                         reference=application.reference, link=_link(application),
                         detail=_("Supply what is missing before then, or the approval is revoked."))
    respond = Q(respond_by__isnull=False)
    if start:
        respond &= Q(respond_by__gte=start)
    if end:
        respond &= Q(respond_by__lte=end)
    for notice in _of(CorrectionNotice.objects.filter(respond, resolved_at__isnull=True,
                                                      application__state=State.CORRECTION_REQUESTED),
                      enterprise_ids, "application__enterprise_id").select_related("application__service"):
        application = notice.application
        yield Obligation(uid=f"correction-{notice.pk}", enterprise_id=application.enterprise_id, on=notice.respond_by,
                         kind="correction", title=application.service.name, reference=application.reference,
                         detail="；".join(str(item) for item in notice.items)[:EXCERPT], link=_link(application))


def approval_dates(enterprise_ids: list[int] | None, start: datetime.date | None,
                   end: datetime.date | None) -> Iterator[Obligation]:
    """What an approval or a grant binds the enterprise to afterwards: computed from the decision's date."""
    decided = (_of(Application.objects.filter(state__in=GRANTED, decided_on__isnull=False), enterprise_ids)
               .filter(Q(service__approval_mode=ApprovalMode.COMMITMENT) | Q(service__licence_valid_months__isnull=False)
                       | Q(service__condition_months__isnull=False))
               .select_related("service", "commitment"))
    rows = list(decided)
    talent = {claim.application_id: claim for claim in TalentApplication.objects.filter(
        application_id__in=[a.pk for a in rows], granted_year__isnull=False).select_related("talent")}
    for application in rows:
        service = application.service
        if service.approval_mode == ApprovalMode.COMMITMENT:
            on = add_working_days(application.decided_on, service.post_check_window_days).date
            commitment = getattr(application, "commitment", None)
            text = commitment.text[:EXCERPT] if commitment else ""
            if _within(on, start, end):
                yield Obligation(uid=f"postcheck-{application.pk}", enterprise_id=application.enterprise_id, on=on,
                                 kind="post_check", title=service.name, reference=application.reference,
                                 link=_link(application),
                                 detail=_("The department may check what you committed to until then: %(text)s")
                                 % {"text": text})
        if service.licence_valid_months:
            on = application.decided_on + relativedelta(months=service.licence_valid_months)
            if _within(on, start, end):
                yield Obligation(uid=f"licence-{application.pk}", enterprise_id=application.enterprise_id, on=on,
                                 kind="licence_expiry", title=service.name, reference=application.reference,
                                 link=_link(application), detail=_("Apply for its renewal in time."))
        if service.condition_months:
            on = application.decided_on + relativedelta(months=service.condition_months)
            claim = talent.get(application.pk)
            if claim is not None:
                kind, title = "grant_condition", f"{service.name} · {claim.talent.name}"
            else:
                kind, title = "commitment", service.name
            if _within(on, start, end):
                yield Obligation(uid=f"condition-{application.pk}", enterprise_id=application.enterprise_id, on=on,
                                 kind=kind, title=title, reference=application.reference, link=_link(application),
                                 detail=service.condition_text)


def register() -> None:
    register_obligations("workflow", workflow_dates)
    register_obligations("approvals", approval_dates)
