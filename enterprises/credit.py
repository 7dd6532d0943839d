"""The credit list (信用名单) and its repair (信用修复).

A broken commitment or a revoked approval lists the enterprise (`services.applications.workflow`
writes the record); while listed it may use neither the commitment mode nor deferred materials.
An official of the registering department may record a credit repair, with its reason and
evidence, which lifts the bar at once.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enterprises.models import CreditRecord, Enterprise
from portal.core.access import reviews_registrations
from portal.core.audit import record_event
from portal.core.errors import IllegalTransition


def repair_credit(official: Any, enterprise_id: int, reason: str, evidence: Any = None) -> Enterprise:
    """Record a credit repair: the enterprise's open records are marked repaired and the bar lifts."""
    if not reviews_registrations(official):
        raise PermissionError("only officials of the registering department repair credit")
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = [_("Give the reason of the credit repair; it stays in the audit trail.")]
    if evidence is not None:
        try:
            CreditRecord._meta.get_field("repair_evidence").run_validators(evidence)
        except ValidationError as error:
            errors["evidence"] = error.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise_id)
        if not enterprise.on_credit_list():
            raise IllegalTransition(_("The enterprise is not on the credit list."), current_state=enterprise.status,
                                    action="repair_credit")
        listed_until = enterprise.credit_listed_until
        records = list(enterprise.credit_records.filter(repaired_at__isnull=True,
                                                        listed_until__gte=timezone.localdate()))
        now = timezone.now()
        for number, record in enumerate(records):
            record.repaired_at, record.repaired_by, record.repair_reason = now, official, reason
            if evidence is not None and number == 0:
                record.repair_evidence = evidence  # stored once, on the newest open record
            record.save()
        enterprise.credit_listed_until = None
        enterprise.save(update_fields=["credit_listed_until"])
        record_event(official, "enterprise.credit_repaired", enterprise, reason=reason, data={
            "listed_until": listed_until.isoformat(), "records": [record.pk for record in records],
            "evidence": records[0].repair_evidence.name if records and records[0].repair_evidence else "",
        })
    return enterprise
