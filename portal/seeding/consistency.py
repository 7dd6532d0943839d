"""Whether every application stands where the workflow could have brought it: one SQL count per rule.

`problems()` answers {rule: applications breaking it}, empty when the data are consistent. The
rules are those of services/applications/workflow/ read backwards: a state reached only through
acceptance has an approved acceptance task, one in review has its review tasks, a decision has
its date, a 容缺 approval still pending its documents has a material not yet checked, and so on.
`unreachable_states()` checks the states themselves against the state machine's transitions.
"""

from django.db import connection

from portal.seeding.applications import STATE_WEIGHTS

REVIEWED = "('accepted','in_review','approved','approved_pending_documents','rejected','completed','suspended')"


def _task(kind: str, status: str) -> str:
    return (f"EXISTS (SELECT 1 FROM services_task t WHERE t.application_id = a.id AND t.kind = '{kind}' "
            f"AND t.status IN ({status}))")


OPEN_ACCEPTANCE = _task("acceptance", "'open'")
APPROVED_ACCEPTANCE = _task("acceptance", "'approved'")
ANY_STEP = _task("review", "'open', 'waiting', 'approved', 'rejected'")
DECIDED_STEP = _task("review", "'approved', 'rejected'")
APPROVED_STEP = _task("review", "'approved'")
OPEN_STEP = _task("review", "'open'")
UNFINISHED_STEP = _task("review", "'open', 'waiting', 'rejected', 'cancelled'")
REJECTED_STEP = _task("review", "'rejected'")
ANY_OPEN = "EXISTS (SELECT 1 FROM services_task t WHERE t.application_id = a.id AND t.status = 'open')"
MODES = " OR ".join(f"(s.approval_mode = '{mode}' AND a.state IN ({', '.join(repr(state) for state in states)}))"
                    for mode, states in STATE_WEIGHTS.items())

RULES = {
    "state not one of its mode's": f"NOT ({MODES})",
    "draft with a receipt or a task": "a.state = 'draft' AND (a.received_on IS NOT NULL OR "
                                      "EXISTS (SELECT 1 FROM services_task t WHERE t.application_id = a.id))",
    "submitted without its open acceptance task": f"a.state = 'submitted' AND NOT {OPEN_ACCEPTANCE}",
    "reviewed without an approved acceptance": f"s.approval_mode <> 'commitment' AND a.state IN {REVIEWED} AND NOT "
                                              f"({APPROVED_ACCEPTANCE} AND {ANY_STEP} AND a.accepted_on IS NOT NULL "
                                              "AND a.decision_due IS NOT NULL)",
    "accepted with a decided step": f"a.state = 'accepted' AND {DECIDED_STEP}",
    "in review without a step approved and one open": f"a.state = 'in_review' AND NOT ({APPROVED_STEP} AND {OPEN_STEP})",
    "approved with a step not approved": "s.approval_mode <> 'commitment' AND a.state IN ('approved', 'completed', "
                                         f"'approved_pending_documents') AND {UNFINISHED_STEP}",
    "rejected without a rejected step": f"a.state = 'rejected' AND NOT {REJECTED_STEP}",
    "decided without a date": "a.state IN ('approved', 'approved_pending_documents', 'rejected', 'completed', "
                              "'not_accepted', 'suspended', 'revoked') AND a.decided_on IS NULL",
    "open task of a closed application": f"a.state NOT IN ('submitted', 'accepted', 'in_review') AND {ANY_OPEN}",
    "pending documents with none to check": "a.state = 'approved_pending_documents' AND NOT EXISTS (SELECT 1 FROM "
                                            "services_deferredmaterial d WHERE d.application_id = a.id "
                                            "AND d.checked_at IS NULL)",
    "approved with a material unchecked": "a.state IN ('approved', 'completed') AND EXISTS (SELECT 1 FROM "
                                          "services_deferredmaterial d WHERE d.application_id = a.id "
                                          "AND d.checked_at IS NULL)",
    "correction without a notice": "a.state = 'correction_requested' AND NOT EXISTS (SELECT 1 FROM "
                                   "services_correctionnotice c WHERE c.application_id = a.id AND c.resolved_at IS NULL)",
    "suspended without its grace period": "a.state = 'suspended' AND (a.suspended_on IS NULL OR a.revocation_due IS NULL)",
    "commitment approval without a commitment": "s.approval_mode = 'commitment' AND a.state IN ('approved', 'completed', "
                                                "'revoked') AND NOT EXISTS (SELECT 1 FROM services_commitment c "
                                                "WHERE c.application_id = a.id)",
    "commitment revoked without a failed post-check": "s.approval_mode = 'commitment' AND a.state = 'revoked' AND NOT "
                                                      "EXISTS (SELECT 1 FROM services_postcheck p WHERE "
                                                      "p.application_id = a.id AND p.result = 'failed')",
}


def problems() -> dict[str, int]:
    """{rule: how many applications break it}, only the rules broken."""
    found = {}
    with connection.cursor() as cursor:
        for rule, condition in RULES.items():
            cursor.execute("SELECT COUNT(*) FROM services_application a JOIN services_serviceitem s "
                           f"ON s.id = a.service_id WHERE {condition}")
            if count := cursor.fetchone()[0]:
                found[rule] = count
    return found


def reachable_states() -> set[str]:
    """The states the application's state machine reaches from a draft, by its declared transitions."""
    from django_fsm import RETURN_VALUE

    from services.models import Application

    edges: dict[str, set[str]] = {}
    for transition in Application._meta.get_field("state").get_all_transitions(Application):
        target = transition.target
        targets = set(target.allowed_states) if isinstance(target, RETURN_VALUE) else {target}
        edges.setdefault(transition.source, set()).update(str(state) for state in targets)
    seen, frontier = {"draft"}, ["draft"]
    while frontier:
        for target in edges.get(frontier.pop(), ()):
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    return seen


def unreachable_states() -> set[str]:
    """States present in the data that no sequence of transitions from a draft reaches."""
    from services.models import Application

    present = set(Application.objects.values_list("state", flat=True).distinct())
    return present - reachable_states()
