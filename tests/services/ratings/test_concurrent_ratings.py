"""Members of one enterprise rating the same application at the same moment: one rating is stored.

Real concurrent transactions on PostgreSQL. The ratings serialise on the application's row lock, so
the later ones see the first and are refused with the reason; without the lock they would race to
the unique constraint (an IntegrityError, not a reason), and without both there would be two ratings.
"""

import pytest
from django.utils.translation import override

from enterprises.models import Membership
from portal.core.errors import IllegalTransition
from portal.models import AuditEvent
from services.ratings.models import Rating, Rectification
from services.ratings.workflow import rate_application
from tests.helpers import in_threads

pytestmark = pytest.mark.django_db(transaction=True)


def test_four_members_rating_at_once_store_one_rating(world, decided, make_user):
    application = decided("approved")
    members = [world["clerk"]]
    for name in ("li", "wang", "zhao"):
        member = make_user(name)
        Membership.objects.create(user=member, enterprise=world["enterprise"], role=Membership.Role.CLERK)
        members.append(member)

    scores = [5, 4, 2, 1]

    def rate(i: int):
        with override("en"):
            return rate_application(members[i], application.pk, scores[i], f"第{i + 1}位")

    results = in_threads(4, rate)

    stored = [result for result in results if isinstance(result, Rating)]
    refused = [result for result in results if isinstance(result, IllegalTransition)]
    assert len(stored) == 1, results
    assert len(refused) == 3, results
    # Each is told why: the application is rated (and, after a bad rating, being rectified).
    reason = "is rectifying after your rating" if stored[0].is_bad else "has already been rated"
    with override("en"):
        told = [str(error.message) for error in refused]
    assert all(reason in message for message in told), told
    assert Rating.objects.filter(application=application).count() == 1
    # A bad winner opened one rectification, a fair one none; one audit event either way.
    assert Rectification.objects.count() == (1 if stored[0].is_bad else 0)
    assert AuditEvent.objects.filter(action="application.rated", target_id=application.pk).count() == 1
