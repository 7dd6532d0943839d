"""The two acts of 好差评: the applicant rates, the department closes the rectification a bad rating opened.

The portal's page, the API and the admin call these and nothing else. Each runs in one
transaction, checks `rules.py` under a lock, writes one audit event on the application's
timeline and the notifications of the change (the outbox, sent after commit).

Ratings of one application serialise on its row (the workflow's own lock), so of two ratings
sent at once one is stored and the other is refused with the reason; the unique constraint on
(application, round) would refuse a second row even without the lock.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.outbox import notify
from portal.core.audit import record_event
from services.applications.workflow.core import lock, today
from services.calendar.working_days import add_working_days
from services.models import Application, Department
from services.ratings.models import COMMENT_MAX_LENGTH, OUTCOME_MAX_LENGTH, Rating, Rectification, Score
from services.ratings.rules import RECTIFICATION_DAYS, deciding_department, require_closable, require_ratable


def clean_score(score: Any) -> int:
    """The score as one of the five, or a ValidationError naming `score`."""
    try:
        value = int(score)
    except (TypeError, ValueError, OverflowError):
        value = None
    if value not in Score.values or isinstance(score, bool) or (isinstance(score, float) and not score.is_integer()):
        raise ValidationError({"score": _("Choose a rating from 1 (very dissatisfied) to 5 (very satisfied).")})
    return value


def clean_text(text: Any, field: str, limit: int, *, required: bool = False) -> str:
    text = (text if isinstance(text, str) else "" if text is None else str(text)).strip()
    if required and not text:
        raise ValidationError({field: _("Write the outcome of the rectification; the applicant will read it.")})
    if len(text) > limit:
        raise ValidationError({field: _("At most %(limit)s characters, please (this has %(length)s).")
                               % {"limit": limit, "length": len(text)}})
    return text


def rate_application(user: Any, application: Application | int, score: Any, comment: Any = "") -> Rating:
    """Rate a decided application 1–5 (好差评), once; a 1 or 2 opens a rectification for the deciding department.

    After that rectification is closed the application may be rated once more; that rating is final.
    """
    score = clean_score(score)
    comment = clean_text(comment, "comment", COMMENT_MAX_LENGTH)
    with transaction.atomic():
        locked = lock(getattr(application, "pk", application))
        round_ = require_ratable(user, locked)
        department = deciding_department(locked)
        rating = Rating.objects.create(
            application=locked, round=round_, score=score, comment=comment, rated_by=user,
            department_id=getattr(department, "pk", department),
        )
        rectification = _open_rectification(rating) if rating.is_bad else None
        record_event(user, "application.rated", locked, reason=comment, data={
            "rating": rating.pk, "round": round_, "score": score,
            "department": rating.department.code,
            "rectification": rectification.pk if rectification else None,
            "due": rectification.due_date.isoformat() if rectification else None,
        })
    return rating


def _open_rectification(rating: Rating) -> Rectification:
    """The rectification of a bad rating, due 15 working days from the day rated; its officials are told."""
    opened_on = today()
    due = add_working_days(opened_on, RECTIFICATION_DAYS)
    rectification = Rectification.objects.create(
        rating=rating, application=rating.application, department=rating.department,
        opened_on=opened_on, due_date=due.date, due_provisional=due.provisional,
    )
    application = rating.application
    link = reverse("admin:services_rectification_change", args=[rectification.pk])
    for official in Department.objects.get(pk=rating.department_id).officials.filter(is_active=True):
        # A rectification is a task of the department: it comes with the task's message.
        notify(official, "task.opened", context={"reference": application.reference,
                                                 "service": application.service.name},
               key=f"{application.pk}:rectification:{rectification.pk}", link=link)
    return rectification


def close_rectification(official: Any, rectification: Rectification | int, outcome: Any) -> Rectification:
    """Close a rectification with its outcome, which the applicant reads and is told of; they may rate again."""
    outcome = clean_text(outcome, "outcome", OUTCOME_MAX_LENGTH, required=True)
    rectification_id = getattr(rectification, "pk", rectification)
    application_id = Rectification.objects.filter(pk=rectification_id).values_list("application_id", flat=True).first()
    if application_id is None:
        raise Rectification.DoesNotExist
    with transaction.atomic():
        # The application first, as rating does: a rating and a closure of one application never cross.
        application = lock(application_id)
        locked = (Rectification.objects.select_for_update(of=("self",))
                  .select_related("rating", "department").get(pk=rectification_id))
        require_closable(official, locked)
        locked.status, locked.outcome = Rectification.Status.CLOSED, outcome
        locked.closed_by, locked.closed_at = official, timezone.now()
        locked.save(update_fields=["status", "outcome", "closed_by", "closed_at"])
        record_event(official, "application.rectification_closed", application, reason=outcome, data={
            "rectification": locked.pk, "rating": locked.rating_id, "department": locked.department.code,
        })
        _tell_the_applicant(application, locked)
    return locked


def _tell_the_applicant(application: Application, rectification: Rectification) -> None:
    """The applicant and whoever rated hear the outcome, in their inbox and on their channels."""
    rater = rectification.rating.rated_by
    people = {person.pk: person for person in (application.applicant, rater)}
    for person in people.values():
        if not person.is_active:
            continue
        notify(person, "rectification.closed", context={
            "reference": application.reference, "service": application.service.name,
            "department": rectification.department.name, "outcome": rectification.outcome,
        }, key=f"{application.pk}:rectification:{rectification.pk}",
            link=reverse("application_detail", args=[application.pk]))
