"""`allowed_actions` against the workflow itself, in every state of every mode, for every role.

Each situation is built through the workflow functions. Then, for each role, every action one
could try (every application-level action, every decision on every task, claiming, handing over
and releasing every task, supplying and checking every deferred material) is performed through its workflow function inside a rolled-back
savepoint: an offered one must succeed, any other must be refused.
"""

import random

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from portal.core.errors import IllegalTransition
from services.applications import workflow
from services.applications.selectors import colleagues_of
from services.applications.workflow.rules import RULES
from services.models import Application, Department, PostCheck
from tests.conftest import VALID_USCCS, licence_file

pytestmark = pytest.mark.django_db
REFUSALS = (IllegalTransition, PermissionError, ValidationError)

# The official roles by mode: the lead department's, and a co-department's (a department of the
# item other than the lead: with a review task of its own in the standard and parallel items).
LEAD = {"standard": "zjw1", "deferred": "zjw1", "parallel": "zjw1", "commitment": "scj1"}
CO = {"standard": "xfj1", "deferred": "xfj1", "parallel": "xfj1", "commitment": "zjw1"}

# (mode, the steps that reach the situation, the state it is in)
SITUATIONS = [
    ("standard", [], "draft"),
    ("standard", ["submit"], "submitted"),
    ("standard", ["submit", "correction"], "correction_requested"),
    ("standard", ["submit", "refuse"], "not_accepted"),
    ("standard", ["submit", "withdraw"], "withdrawn"),
    ("standard", ["submit", "accept"], "accepted"),
    ("standard", ["submit", "accept", "extend"], "accepted"),
    ("standard", ["submit", "accept", "claim"], "accepted"),  # the open task held by 区住建委's zjw1
    ("standard", ["submit", "accept", "approve"], "in_review"),
    ("standard", ["submit", "accept", "approve", "return"], "correction_requested"),
    ("standard", ["submit", "accept", "approve", "reject"], "rejected"),
    ("standard", ["submit", "accept", "approve", "approve"], "approved"),
    ("standard", ["submit", "accept", "approve", "approve", "complete"], "completed"),
    ("standard", ["submit", "accept", "suspend"], "suspended"),
    ("standard", ["submit", "accept", "suspend", "revoke"], "revoked"),
    ("standard", ["submit", "accept", "suspend", "resume"], "accepted"),
    ("deferred", [], "draft"),
    ("deferred", ["submit"], "submitted"),
    ("deferred", ["submit", "supply"], "submitted"),
    ("deferred", ["submit", "supply", "accept", "check"], "accepted"),
    ("deferred", ["submit", "supply", "withdraw"], "withdrawn"),
    ("deferred", ["submit", "accept", "approve"], "approved_pending_documents"),
    ("deferred", ["submit", "accept", "approve", "supply"], "approved_pending_documents"),
    ("deferred", ["submit", "accept", "approve", "supply", "check"], "approved"),
    ("deferred", ["submit", "accept", "approve", "supply", "check", "complete"], "completed"),
    ("deferred", ["submit", "accept", "approve", "suspend"], "suspended"),
    ("deferred", ["submit", "accept", "approve", "suspend", "revoke"], "revoked"),
    ("deferred", ["submit", "accept", "approve", "suspend", "resume"], "approved_pending_documents"),
    ("parallel", [], "draft"),
    ("parallel", ["submit"], "submitted"),
    ("parallel", ["submit", "accept"], "accepted"),
    ("parallel", ["submit", "accept", "approve"], "in_review"),
    ("parallel", ["submit", "accept", "claim"], "accepted"),
    ("parallel", ["submit", "accept", "return"], "correction_requested"),
    ("parallel", ["submit", "accept", "reject"], "rejected"),
    ("parallel", ["submit", "accept", "withdraw"], "withdrawn"),
    ("parallel", ["submit", "accept", "approve", "approve", "approve"], "approved"),
    ("commitment", [], "draft"),
    ("commitment", ["withdraw"], "withdrawn"),
    ("commitment", ["submit"], "approved"),
    ("commitment", ["submit", "complete"], "completed"),
    ("commitment", ["submit", "revoke"], "revoked"),
    ("commitment", ["submit", "sample"], "approved"),  # its post-check pending
    ("commitment", ["submit", "sample", "pass"], "completed"),
    ("commitment", ["submit", "sample", "fail"], "revoked"),
]


@pytest.fixture
def people(world, make_user, make_official, make_enterprise) -> dict:
    stranger = make_user("stranger")
    make_enterprise(stranger, uscc=VALID_USCCS[0])
    elsewhere = Department.objects.create(code="QT", name="区其他局")
    # The deferred and commitment items get a co-department too, without a review step of its own.
    world["deferred"].departments.add(world["departments"]["XFJ"])
    world["commitment"].departments.add(world["departments"]["ZJW"])
    return {
        "member clerk": world["clerk"],
        "other enterprise's clerk": stranger,
        "other department's official": make_official("qt1", elsewhere),
        "superuser": make_user("root", is_staff=True, is_superuser=True),
    }


def deferred_codes(application: Application) -> list[str]:
    return ["lease"] if application.service.approval_mode == "deferred" else []


def advance(world: dict, root, application: Application, step: str) -> None:
    """One step towards a situation: the clerk files, a superuser takes the department's side
    (but for a claim: 区住建委's zjw1 takes its open task)."""
    pk, clerk = application.pk, world["clerk"]
    first_open = application.tasks.filter(status="open").order_by("order", "id").first
    check = PostCheck.objects.filter(application_id=pk).first
    {
        "submit": lambda: workflow.submit(clerk, pk, deferred_materials=deferred_codes(application),
                                          commitment_accepted=True),
        "withdraw": lambda: workflow.withdraw(clerk, pk),
        "supply": lambda: workflow.supply_deferred(clerk, pk, "lease", licence_file("lease.pdf")),
        "accept": lambda: workflow.accept(root, pk),
        "correction": lambda: workflow.request_correction(root, pk, ["申请表缺少盖章"]),
        "refuse": lambda: workflow.refuse(root, pk, "不属于本部门职权范围"),
        "extend": lambda: workflow.extend(root, pk, "需要现场勘验"),
        "approve": lambda: workflow.decide(root, first_open().pk, "approve"),
        "claim": lambda: workflow.claim_task(world["officials"]["zjw1"], application.tasks.get(
            status="open", department=world["departments"]["ZJW"]).pk),
        "reject": lambda: workflow.decide(root, first_open().pk, "reject", "不符合"),
        "return": lambda: workflow.decide(root, first_open().pk, "return", "请补充"),
        "check": lambda: workflow.check_deferred(root, application.deferred.get().pk),
        "complete": lambda: workflow.complete(root, pk),
        "suspend": lambda: workflow.suspend(pk, "材料逾期", actor=root),
        "revoke": lambda: workflow.revoke(pk, "宽限期满", actor=root),
        "resume": lambda: workflow.resume(root, pk, "整改到位"),
        "sample": lambda: workflow.sample_post_check(pk, rng=random.Random(0)),
        "pass": lambda: workflow.run_post_check(root, check().pk, True, "属实"),
        "fail": lambda: workflow.run_post_check(root, check().pk, False, "承诺与实际不符"),
    }[step]()


def attempts(application: Application, allowed: workflow.AllowedActions):
    """Every action one could try on the application: (name, task or deferred material, call(user)).

    An offered task is decided each way; a refused one once, as the refusal does not depend on
    the decision (keeps the walk fast).
    """
    pk = application.pk
    yield "attach", None, lambda user: workflow.attach_document(user, pk, "form", licence_file("form-2.pdf"))
    yield "edit_form", None, lambda user: workflow.save_form(user, pk, {"note": "补充说明"})
    yield "submit", None, lambda user: workflow.submit(
        user, pk, deferred_materials=deferred_codes(application), commitment_accepted=True)
    yield "resubmit", None, lambda user: workflow.resubmit(user, pk)
    yield "withdraw", None, lambda user: workflow.withdraw(user, pk, "项目调整")
    yield "accept", None, lambda user: workflow.accept(user, pk)
    yield "request_correction", None, lambda user: workflow.request_correction(user, pk, ["补正"])
    yield "refuse", None, lambda user: workflow.refuse(user, pk, "理由")
    yield "extend", None, lambda user: workflow.extend(user, pk, "理由")
    yield "complete", None, lambda user: workflow.complete(user, pk)
    yield "suspend", None, lambda user: workflow.suspend(pk, "理由", actor=user)
    yield "revoke", None, lambda user: workflow.revoke(pk, "理由", actor=user)
    yield "resume", None, lambda user: workflow.resume(user, pk, "理由")
    for deferred in application.deferred.all():
        yield "supply", deferred, lambda user, code=deferred.material.code: workflow.supply_deferred(
            user, pk, code, licence_file(f"{code}.pdf"))
        yield "check", deferred, lambda user, deferred_id=deferred.pk: workflow.check_deferred(user, deferred_id)
    for task in application.tasks.all():
        yield "claim", task, lambda user, task_id=task.pk: workflow.claim_task(user, task_id)
        yield "release", task, lambda user, task_id=task.pk: workflow.release_task(user, task_id)
        colleague = colleagues_of(task.department_id).exclude(pk=task.claimed_by_id).first()
        if colleague is not None:  # a hand-over needs someone to go to; who may hand over is the rule tried
            yield "reassign", task, lambda user, task_id=task.pk, to=colleague.pk: workflow.reassign_task(
                user, task_id, to)
        for decision in workflow.DECISIONS if task in allowed.tasks else ["approve"]:
            yield f"decide:{decision}", task, lambda user, task_id=task.pk, decision=decision: workflow.decide(
                user, task_id, decision, "意见")


TRIED = {"attach", "edit_form", "submit", "resubmit", "withdraw", "accept", "request_correction", "refuse", "extend",
         "complete", "suspend", "resume", "revoke", "supply", "check"}


def offered(allowed: workflow.AllowedActions, name: str, item) -> bool:
    if name.startswith("decide:"):
        return item in allowed.tasks
    if name == "supply":
        return item in allowed.to_supply
    if name == "check":
        return item in allowed.to_check
    if name in ("claim", "release", "reassign"):
        return item in getattr(allowed, f"to_{name}")
    return name in allowed


def outcome(call, user) -> Exception | None:
    """Perform the action, then undo it: the refusal it met, or None when it succeeded."""
    with transaction.atomic():
        try:
            call(user)
        except REFUSALS as error:
            result = error
        else:
            result = None
        transaction.set_rollback(True)
    return result


def refusal_of(call, user) -> Exception | None:
    """Perform an action expected to be refused: a refusal changes nothing, so there is nothing to undo."""
    try:
        call(user)
    except REFUSALS as error:
        return error
    return None


def fresh(pk: int) -> Application:
    return Application.objects.select_related("service", "enterprise").prefetch_related(
        "tasks", "deferred__material").get(pk=pk)


def test_every_rule_is_tried_here():
    assert set(RULES) == TRIED


@pytest.mark.parametrize(
    ("mode", "steps", "state"), SITUATIONS, ids=[f"{mode}:{'>'.join(steps) or 'draft'}" for mode, steps, _ in SITUATIONS]
)
def test_each_offered_action_succeeds_and_each_other_is_refused(world, draft, people, mode, steps, state):
    application = draft(mode, skip=("lease",) if mode == "deferred" else ())
    for step in steps:
        advance(world, people["superuser"], application, step)
    application = fresh(application.pk)
    assert application.state == state

    officials = world["officials"]
    roles = {**people, "lead department's official": officials[LEAD[mode]],
             "co-department's official": officials[CO[mode]]}
    for role, user in roles.items():
        allowed = workflow.allowed_actions(user, application)
        assert ("supply" in allowed) == bool(allowed.to_supply) and ("check" in allowed) == bool(allowed.to_check)
        for name, item, call in attempts(application, allowed):
            if offered(allowed, name, item):
                refusal = outcome(call, user)
                assert refusal is None, f"{role}: {name} {item or ''} was offered but refused: {refusal!r}"
            else:
                assert refusal_of(call, user) is not None, f"{role}: {name} {item or ''} was not offered but succeeded"

