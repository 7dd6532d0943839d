"""The approval workflow: every rule of DESIGN §3, one plain function per action.

Each function runs in one transaction with the application row locked, checks who acts,
moves the state machine (django-fsm-2 transitions on `Application`), writes exactly one
audit event and the notifications of that change. Portal views, the admin, the API and the
timers all call these functions through this package:

- `filing`: the applicant's side (draft, its form, materials, submit, resubmit, withdraw, deferred materials);
- `documents`: several files at once, and a file removed or replaced (the trail keeps the old one);
- `rehearsal`: 办前预演, what submitting today would record and refuse, changing nothing;
- `reuse`: a material supplied in an earlier application of the enterprise, used again (免提交);
- `review`: the department's side (accept, corrections, decisions, extension, checking deferred materials);
- `suspension`: suspension (中止), lifting it and revocation, by the timers and by hand;
- `claims`: who of the department holds a review task (claim, hand over to a colleague, release);
- `post_checks`: the post-checks of commitment approvals;
- `due_dates`: the clocks, and their re-computation when a holiday schedule is entered;
- `rules`: who may take each action and in which state, checked by the functions above before they
  act, and `allowed_actions`, which asks the same checks to tell what a user may do now;
- `core`: the lock, the state move and the record of a change that all of them share.

A transition the state does not allow raises `IllegalTransition` and changes nothing.
"""

from portal.core.digest import sm3_digest
from services.applications.workflow.claims import claim_task, reassign_task, release_task
from services.applications.workflow.core import is_member, today
from services.applications.workflow.documents import attach_documents, remove_document, replace_document
from services.applications.workflow.due_dates import recompute_due_dates, recompute_provisional_due_dates
from services.applications.workflow.filing import (
    attach_document,
    close_unanswered_correction,
    create_application,
    deferred_material,
    form_errors,
    needs_commitment,
    resubmit,
    save_form,
    submit,
    supply_deferred,
    withdraw,
)
from services.applications.workflow.post_checks import run_post_check, sample_post_check
from services.applications.workflow.rehearsal import missing_for_submission, rehearse_submission
from services.applications.workflow.reuse import reuse_document
from services.applications.workflow.review import (
    DECISIONS,
    accept,
    check_deferred,
    complete,
    decide,
    extend,
    refuse,
    request_correction,
)
from services.applications.workflow.rules import (
    ATTACHABLE_STATES,
    CLOSED_STATES,
    AllowedActions,
    allowed_actions,
    is_decidable,
    may_extend,
    passes,
    require_post_check,
)
from services.applications.workflow.suspension import resume, revoke, revoke_after_grace, suspend

__all__ = [
    "ATTACHABLE_STATES", "CLOSED_STATES", "DECISIONS", "AllowedActions",
    "accept", "allowed_actions", "attach_document", "attach_documents", "missing_for_submission",
    "rehearse_submission", "remove_document", "replace_document", "claim_task", "close_unanswered_correction", "check_deferred", "complete",
    "create_application", "decide",
    "deferred_material", "extend", "form_errors", "is_decidable", "is_member", "may_extend", "needs_commitment", "passes",
    "reassign_task", "recompute_due_dates", "recompute_provisional_due_dates", "refuse", "release_task",
    "request_correction", "require_post_check", "resubmit", "reuse_document", "revoke", "revoke_after_grace", "run_post_check", "sample_post_check", "save_form", "sm3_digest", "submit",
    "supply_deferred", "resume", "suspend", "today", "withdraw",
]
