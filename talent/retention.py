"""Retention of talent: a person's data are forgotten once nothing has been done for them for long.

A talent is forgotten when neither it nor any of its applications has been touched since the
cut-off and each of those applications is finished (the states are the caller's: this app knows
nothing of the workflow). Name, ID number, title and field are erased and the birth date keeps
only its year; the grants, quota and budget stay counted. The ID number's keyed digest is kept in
the audit trail's `talent.anonymised` event, and the row's own digest is replaced by one that no
number will ever match, so the employer may add the person afresh.
"""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from portal.core.audit import record_event
from portal.core.digest import sm3_digest
from portal.models import AuditEvent
from talent.models import Talent, TalentApplication

ANONYMISED = "（已匿名）"


def talent_to_forget(cutoff: datetime.datetime, finished_states: Iterable[str],
                     not_counting: Iterable[str] = ()) -> QuerySet[Talent]:
    """The talent not touched since `cutoff` whose every application is finished and as old.

    Events of the actions `not_counting` (retention's own, say) do not count as touching.
    """
    applications = TalentApplication.objects.filter(talent=OuterRef("pk"))
    unfinished = applications.exclude(application__state__in=list(finished_states))
    recent_application = applications.filter(Exists(AuditEvent.objects.filter(
        target_type="services.application", target_id=OuterRef("application_id"), at__gte=cutoff,
    ).exclude(action__in=list(not_counting))))
    recent_talent = AuditEvent.objects.filter(target_type=Talent._meta.label_lower, target_id=OuterRef("pk"),
                                              at__gte=cutoff)
    return (
        Talent.objects.filter(updated_at__lt=cutoff)
        .exclude(name=ANONYMISED)
        .exclude(Exists(unfinished) | Exists(recent_application) | Exists(recent_talent))
        .order_by("pk")
    )


def anonymise_talent(talent_id: int) -> bool:
    """Forget one talent's personal data; False when it was already forgotten."""
    with transaction.atomic():
        talent = Talent.objects.select_for_update(of=("self",)).get(pk=talent_id)
        if talent.name == ANONYMISED:
            return False
        digest = talent.id_number_lookup
        # update(), not save(): save() derives the birth date from the number, which is gone.
        Talent.objects.filter(pk=talent.pk).update(
            name=ANONYMISED, id_number="", id_number_lookup=sm3_digest(f"anonymised:{talent.pk}:{digest}"),
            title="", field="", birth_date=datetime.date(talent.birth_date.year, 1, 1),
        )
        record_event(None, "talent.anonymised", talent, data={
            "enterprise": talent.enterprise_id, "id_number_lookup": digest})
    return True


