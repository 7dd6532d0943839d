"""A rectification left open past its due date is flagged to its department, once."""

import pytest
from django.utils.translation import override

from notifications.models import Notification
from services.ratings.models import Rectification
from services.ratings.timers import flag_overdue_rectifications
from services.ratings.workflow import close_rectification, rate_application
from tests.helpers import at

pytestmark = pytest.mark.django_db


def overdue_messages(official):
    return list(Notification.objects.filter(recipient=official, channel="inbox",
                                            idempotency_key__contains="rectification-overdue"))


def test_the_department_is_told_once_the_day_after_the_due_date_and_not_before(world, decided):
    """Rated Monday 2026-09-21, due Monday 10-19: nothing on the due day, one message on the 20th."""
    application = decided("approved")  # the fire brigade's decision is rated
    with at(2026, 9, 21):
        rate_application(world["clerk"], application, 1, "审批时间过长。")
    fire_official, other = world["officials"]["xfj1"], world["officials"]["zjw1"]

    with at(2026, 10, 19):
        assert flag_overdue_rectifications() == 0
    assert overdue_messages(fire_official) == []

    with at(2026, 10, 20):
        assert flag_overdue_rectifications() == 1
        assert flag_overdue_rectifications() == 0  # a second run writes nothing again
    [message] = overdue_messages(fire_official)
    rectification = Rectification.objects.get()
    assert message.link == f"/admin/services/rectification/{rectification.pk}/change/"
    with override("en"):
        assert message.subject == f"Rectification overdue: {application.reference}"
    assert "2026-10-19" in message.body
    assert overdue_messages(other) == []  # another department's official is not told


def test_a_closed_rectification_is_not_flagged(world, decided):
    application = decided("approved")
    with at(2026, 9, 21):
        rate_application(world["clerk"], application, 2, "材料要求反复变化。")
        close_rectification(world["officials"]["xfj1"], Rectification.objects.get(), "已统一材料清单。")
    with at(2026, 11, 2):
        assert flag_overdue_rectifications() == 0
    assert overdue_messages(world["officials"]["xfj1"]) == []
