"""What the services and talent apps add to the service manager's workbench, and what tells the
manager: composed here, in the layer above the apps, so the enterprises app imports neither.

Sections (each one query for any number of enterprises): open applications, warnings (late by
the applications' own selectors, or with a deadline colour), policy matches, ratings. Alerts: a
filing and a bad rating as the audit trail records them; lateness and new matches by a scan.
"""

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enterprises.managers import alerts
from enterprises.managers.extensions import Item, register_alert_scan, register_section
from enterprises.models import Enterprise
from portal.models import AuditEvent
from services.applications.models import OPEN_STATES, State
from services.applications.selectors import late_for_acceptance, late_for_decision
from services.models import Application
from services.ratings.models import Rating
from talent.models import PolicyMatch

BAD_SCORE = 2  # a 1 or a 2 opens a rectification (services/ratings): the manager hears of it
RATINGS_SHOWN_DAYS = 180


def _today() -> datetime.date:
    from django.utils import timezone

    return timezone.localdate()


def open_applications(enterprise_ids: list[int]) -> dict[int, list[Item]]:
    found = defaultdict(list)
    rows = (Application.objects.filter(enterprise_id__in=enterprise_ids, state__in=OPEN_STATES)
            .select_related("service").order_by("decision_due", "acceptance_due", "id"))
    for application in rows:
        found[application.enterprise_id].append(Item(
            title=f"{application.reference} · {application.service.name}", detail=State(application.state).label,
            on=application.decision_due or application.acceptance_due))
    return found


def warnings(enterprise_ids: list[int]) -> dict[int, list[Item]]:
    """Late (the overdue board's rule) or nearing its deadline (yellow), soonest due first."""
    today = _today()
    late = late_for_acceptance(today) | late_for_decision(today)
    found = defaultdict(list)
    rows = (Application.objects.filter(enterprise_id__in=enterprise_ids)
            .filter(late | Q(state__in=OPEN_STATES, sla_level="yellow"))
            .select_related("service").order_by("acceptance_due", "decision_due", "id"))
    for application in rows:
        is_late = application.state == State.SUBMITTED or (application.decision_due and application.decision_due < today)
        due = application.acceptance_due if application.state == State.SUBMITTED else application.decision_due
        found[application.enterprise_id].append(Item(
            title=f"{application.reference} · {application.service.name}",
            detail=_("late since %(due)s") % {"due": due} if is_late else _("due on %(due)s") % {"due": due},
            on=due, level="warning" if is_late else ""))
    return found


def matches(enterprise_ids: list[int]) -> dict[int, list[Item]]:
    """The policies that found the enterprise's talent, one line per policy with its count."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for enterprise_id, policy in (PolicyMatch.objects.filter(enterprise_id__in=enterprise_ids, lapsed_on__isnull=True,
                                                             policy__service__is_active=True)
                                  .values_list("enterprise_id", "policy__service__name")):
        counts[enterprise_id][policy] += 1
    return {pk: [Item(title=policy, detail=_("%(count)s talent") % {"count": count})
                 for policy, count in sorted(by_policy.items())] for pk, by_policy in counts.items()}


def ratings(enterprise_ids: list[int]) -> dict[int, list[Item]]:
    since = _today() - datetime.timedelta(days=RATINGS_SHOWN_DAYS)
    found = defaultdict(list)
    rows = (Rating.objects.filter(application__enterprise_id__in=enterprise_ids, rated_at__date__gte=since)
            .select_related("application").order_by("-rated_at", "-id"))
    for rating in rows:
        found[rating.application.enterprise_id].append(Item(
            title=f"{rating.application.reference}: {rating.score}/5", detail=rating.comment,
            on=rating.rated_at.date(), level="warning" if rating.score <= BAD_SCORE else ""))
    return found


# --- alerts -----------------------------------------------------------------------------------


def _application(event: AuditEvent) -> Application | None:
    return (Application.objects.filter(pk=event.target_id).select_related("enterprise__service_manager", "service")
            .first())


def on_audit_event(sender: Any, instance: AuditEvent, created: bool, **kwargs: Any) -> None:
    """A filing, or a rating of 1 or 2, of an enterprise with a manager: the manager is told, in the same transaction."""
    if not created or instance.target_type != "services.application":
        return
    if instance.action == "application.submitted":
        application = _application(instance)
        if application is not None:
            alerts.tell_manager(application.enterprise, alerts.FILED, key=str(application.pk), context={
                "reference": application.reference, "service": application.service.name})
    elif instance.action == "application.rated" and int(instance.data.get("score") or 5) <= BAD_SCORE:
        application = _application(instance)
        if application is not None:
            alerts.tell_manager(application.enterprise, alerts.RATED_BADLY, key=str(instance.data.get("rating")),
                                context={"reference": application.reference, "service": application.service.name,
                                         "score": instance.data["score"], "comment": instance.reason or "—"})


def scan_late(today: datetime.date) -> int:
    """Each application late for acceptance or decision, of an enterprise with a manager: told once per stage."""
    told = 0
    rows = (Application.objects.filter(enterprise__service_manager__isnull=False)
            .filter(late_for_acceptance(today) | late_for_decision(today))
            .select_related("enterprise__service_manager", "service"))
    for application in rows:
        accepting = application.state == State.SUBMITTED
        due = application.acceptance_due if accepting else application.decision_due
        stage = gettext_lazy("acceptance") if accepting else gettext_lazy("decision")
        if alerts.tell_manager(application.enterprise, alerts.LATE, key=f"{application.pk}:{'acceptance' if accepting else 'decision'}:{due}", context={
                "reference": application.reference, "service": application.service.name, "due": due,
                "stage": stage}):
            told += 1
    return told


def scan_matches(today: datetime.date) -> int:
    """New matches the nightly run told an enterprise of: its manager hears of them once too."""
    since = datetime.datetime.combine(today - datetime.timedelta(days=2), datetime.time.min).astimezone()
    by_enterprise: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    last: dict[int, int] = defaultdict(int)
    for enterprise_id, match_id, policy in (
            PolicyMatch.objects.filter(notified_at__gte=since, lapsed_on__isnull=True,
                                       enterprise__service_manager__isnull=False)
            .values_list("enterprise_id", "id", "policy__service__name")):
        by_enterprise[enterprise_id][policy] += 1
        last[enterprise_id] = max(last[enterprise_id], match_id)
    told = 0
    for enterprise in Enterprise.objects.filter(pk__in=list(by_enterprise)).select_related("service_manager"):
        counts = by_enterprise[enterprise.pk]
        if alerts.tell_manager(enterprise, alerts.MATCHED, key=str(last[enterprise.pk]), context={
                "count": len(counts),
                "policies": "、".join(f"{policy}（{count}）" for policy, count in sorted(counts.items()))}):
            told += 1
    return told


def register() -> None:
    from django.db.models.signals import post_save

    register_section("open_applications", gettext_lazy("Open applications"), open_applications, order=10)
    register_section("warnings", gettext_lazy("Warnings"), warnings, order=20)
    register_section("matches", gettext_lazy("Policy matches"), matches, order=30)
    register_section("ratings", gettext_lazy("Ratings"), ratings, order=50)
    register_alert_scan("late", scan_late)
    register_alert_scan("matched", scan_matches)
    post_save.connect(on_audit_event, sender=AuditEvent, dispatch_uid="portal.workbench_sources.on_audit_event")
