"""Notification settings and an enterprise's webhooks, as pages a clerk uses.

The preference rules are tested here too, through `set_preferences` and `notify`: what a person
chooses decides which channels a message is written on; the inbox is always one of them.
"""

import datetime

import pytest
from django.contrib.messages import constants
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from notifications.models import DeliveryAttempt, Notification, NotificationPreference, WebhookEndpoint
from notifications.outbox import KINDS, notify, publish
from notifications.preferences import channel_choices, set_preferences
from notifications.webhooks import register_webhook
from tests.helpers import messages_of
from tests.notifications.test_api import EVENT, SECRET, Receiver

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client



def tell(user, key: str) -> set[str]:
    """Write one application message to `user`; the channels it was written on."""
    notify(user, "application.changed", key=key,
           context={"reference": "FT-1", "state": "accepted", "service": "事项", "reason": ""})
    return set(Notification.objects.filter(recipient=user, idempotency_key__endswith=f":{key}")
               .values_list("channel", flat=True))


def settings_form(user, **changes) -> dict[str, str]:
    """The settings form as the page fills it in, with `changes` ({"<kind>:<channel>": bool})."""
    data = {"quiet_from": user.sms_quiet_from.strftime("%H:%M"), "quiet_until": user.sms_quiet_until.strftime("%H:%M")}
    choices = {f"{c['kind']}:{channel}": c[channel] for c in channel_choices(user) for channel in ("email", "sms")}
    choices.update(changes)
    data.update({name: "on" for name, on in choices.items() if on})
    return data


# --- preferences: the rules ----------------------------------------------------------------------


def test_defaults_hold_until_a_choice_is_stored(make_user):
    official = make_user("official", is_staff=True)
    choices = {c["kind"]: c for c in channel_choices(official)}
    assert choices["application.changed"]["inbox"] is True
    assert choices["application.changed"]["email"] is True and choices["application.changed"]["sms"] is True
    assert choices["task.opened"]["sms"] is False

    set_preferences(official, {"application.changed": {"email": False}, "task.opened": {"sms": True}})
    choices = {c["kind"]: c for c in channel_choices(official)}
    assert choices["application.changed"]["email"] is False and choices["application.changed"]["sms"] is True
    assert choices["task.opened"]["sms"] is True
    set_preferences(official, {"application.changed": {"email": True}})
    assert NotificationPreference.objects.filter(user=official).count() == 2  # updated, not added


def test_each_person_is_offered_the_kinds_that_concern_them(alice, make_user):
    """A clerk is not asked about review tasks; only superusers about failed notifications and a broken audit chain."""
    officials_kinds = {"task.opened", "post_check.assigned", "sla.warning", "manager.alert", "manager.digest",
                       "manager.matched", "manager.offer_confirmed"}
    superusers_kinds = {kind for kind, entry in KINDS.items() if entry.get("audience") == "superusers"}
    assert superusers_kinds == {"notifications.failure_digest", "audit.chain_broken"}
    everyone = [kind for kind in KINDS if kind not in officials_kinds | superusers_kinds]
    assert [c["kind"] for c in channel_choices(alice)] == everyone
    official = make_user("official", is_staff=True)
    assert {c["kind"] for c in channel_choices(official)} == set(everyone) | officials_kinds
    admin = make_user("admin", is_staff=True, is_superuser=True)
    assert [c["kind"] for c in channel_choices(admin)] == list(KINDS)

    html = client_of(alice).get("/inbox/settings/").content.decode()
    assert "New task for my department" not in html and "Status of an application" in html


def test_choices_decide_the_channels_notify_writes(make_user):
    dora = make_user("dora", phone="13800000000")
    assert tell(dora, "1") == {"inbox", "email", "sms"}
    set_preferences(dora, {"application.changed": {"email": False, "sms": False}})
    assert tell(dora, "2") == {"inbox"}
    set_preferences(dora, {"application.changed": {"email": True}})
    assert tell(dora, "3") == {"inbox", "email"}
    # Without an address the channel is skipped, whatever the choice.
    nobody = make_user("nobody", email="")
    assert tell(nobody, "4") == {"inbox"}


def test_the_inbox_cannot_be_switched_off(alice):
    with pytest.raises(ValidationError) as refused:
        set_preferences(alice, {"application.changed": {"inbox": False, "email": False}})
    assert list(refused.value.message_dict) == ["application.changed.inbox"]
    assert not NotificationPreference.objects.exists()  # nothing of a refused call is stored
    set_preferences(alice, {"application.changed": {"inbox": True}})  # asking for it is fine
    # The database keeps the rule too, for any other writer.
    with pytest.raises(IntegrityError), transaction.atomic():
        NotificationPreference.objects.create(user=alice, kind="application.changed", channel="inbox", enabled=False)


@pytest.mark.parametrize(("choices", "field"), [
    ({"application.deleted": {"email": True}}, "application.deleted"),
    ({"application.changed": {"fax": True}}, "application.changed.fax"),
    ({"application.changed": {"webhook": True}}, "application.changed.webhook"),
    ({"application.changed": {"email": "yes"}}, "application.changed.email"),
    ({"application.changed": True}, "application.changed"),
    ([("application.changed", {"email": True})], "choices"),
])
def test_unknown_kinds_and_channels_are_refused_by_name(alice, choices, field):
    with pytest.raises(ValidationError) as refused:
        set_preferences(alice, choices)
    assert field in refused.value.message_dict
    assert not NotificationPreference.objects.exists()


def test_quiet_hours_are_stored_on_the_user(alice):
    set_preferences(alice, {}, quiet_from=datetime.time(21, 30), quiet_until=datetime.time(7, 0))
    alice.refresh_from_db()
    assert (alice.sms_quiet_from, alice.sms_quiet_until) == (datetime.time(21, 30), datetime.time(7, 0))
    with pytest.raises(ValidationError) as refused:
        set_preferences(alice, {}, quiet_from="21:30")
    assert "quiet_from" in refused.value.message_dict


# --- preferences: the page -------------------------------------------------------------------------


def test_the_inbox_links_to_the_settings_page_which_shows_every_kind(alice):
    client = client_of(alice)
    assert 'href="/inbox/settings/"' in client.get("/inbox/").content.decode()
    html = client.get("/inbox/settings/").content.decode()
    for choice in channel_choices(alice):
        assert str(choice["label"]) in html
    # The two registration outcomes share a label and are one row.
    assert html.count('<th scope="row">Enterprise registration decided</th>') == 1
    assert 'name="application.changed:email"' in html and 'name="application.changed:sms"' in html
    assert "checked disabled" in html  # the inbox column
    assert "Add a phone number to receive SMS." in html
    assert "Add an e-mail address" not in html


def test_the_page_notes_a_missing_email(make_user):
    html = client_of(make_user("nobody", email="", phone="13800000000")).get("/inbox/settings/").content.decode()
    assert "Add an e-mail address to your account to receive e-mail." in html
    assert "Add a phone number" not in html


def test_saving_the_page_changes_which_channels_notify_writes(alice):
    client = client_of(alice)
    assert tell(alice, "before") == {"inbox", "email"}

    response = client.post("/inbox/settings/", settings_form(alice, **{"application.changed:email": False}),
                           follow=True)
    assert response.redirect_chain == [("/inbox/settings/", 302)]
    assert messages_of(response, constants.SUCCESS) == ["Your notification settings are saved."]
    assert NotificationPreference.objects.get(user=alice, kind="application.changed", channel="email").enabled is False
    assert tell(alice, "off") == {"inbox"}
    assert 'name="application.changed:email" id="id_application.changed:email">' in response.content.decode()

    client.post("/inbox/settings/", settings_form(alice, **{"application.changed:email": True}))
    assert tell(alice, "on") == {"inbox", "email"}


def test_a_shared_row_sets_every_kind_it_stands_for(alice):
    client_of(alice).post("/inbox/settings/", settings_form(alice, **{"enterprise.verified:email": False}))
    stored = dict(NotificationPreference.objects.filter(user=alice, channel="email", kind__in=["enterprise.verified", "enterprise.rejected"])
                  .values_list("kind", "enabled"))
    assert stored == {"enterprise.verified": False, "enterprise.rejected": False}


def test_the_page_cannot_switch_the_inbox_off(alice):
    data = settings_form(alice, **{"application.changed:email": False})
    data["application.changed:inbox"] = ""  # a hand-made form: the field is not the page's
    response = client_of(alice).post("/inbox/settings/", data)
    assert response.status_code == 302
    assert not NotificationPreference.objects.filter(channel="inbox").exists()
    assert "inbox" in tell(alice, "1")


def test_quiet_hours_are_saved_from_the_page(alice):
    client = client_of(alice)
    client.post("/inbox/settings/", {**settings_form(alice), "quiet_from": "23:00", "quiet_until": "06:30"})
    alice.refresh_from_db()
    assert (alice.sms_quiet_from, alice.sms_quiet_until) == (datetime.time(23, 0), datetime.time(6, 30))
    html = client.get("/inbox/settings/").content.decode()
    assert 'value="23:00"' in html and 'value="06:30"' in html

    response = client.post("/inbox/settings/", {**settings_form(alice), "quiet_from": "25:00"})
    assert response.status_code == 200 and "quiet_from" in response.context["form"].errors
    alice.refresh_from_db()
    assert alice.sms_quiet_from == datetime.time(23, 0)


def test_the_settings_page_needs_a_signed_in_user():
    response = Client().get("/inbox/settings/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- webhooks: the page ----------------------------------------------------------------------------


def webhooks_url(enterprise) -> str:
    return f"/enterprises/{enterprise.pk}/webhooks/"


def test_the_enterprise_page_links_to_its_webhooks(alice, alices_enterprise):
    html = client_of(alice).get(f"/enterprises/{alices_enterprise.pk}/").content.decode()
    assert f'href="{webhooks_url(alices_enterprise)}"' in html


def test_a_member_registers_a_webhook_on_the_page(bob, alices_enterprise, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    client = client_of(bob)
    html = client.get(webhooks_url(alices_enterprise)).content.decode()
    assert 'value="application.status_changed"' in html and 'value="policy.matched"' in html

    response = client.post(webhooks_url(alices_enterprise), {
        "url": "http://127.0.0.1:9/hook", "events": [EVENT, "policy.matched"], "secret": SECRET}, follow=True)
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.enterprise == alices_enterprise and endpoint.created_by == bob
    assert endpoint.events == sorted([EVENT, "policy.matched"]) and endpoint.secret == SECRET
    assert messages_of(response, constants.SUCCESS) == ["The webhook http://127.0.0.1:9/hook is registered."]
    table = response.content.decode().split('id="endpoints"')[1]
    assert "http://127.0.0.1:9/hook" in table and EVENT in table
    assert SECRET not in response.content.decode()


@pytest.mark.parametrize(("change", "fields"), [
    ({"url": "ftp://example.com/"}, {"url"}),
    ({"url": ""}, {"url"}),
    ({"events": ["application.deleted"]}, {"events"}),
    ({"events": []}, {"events"}),
    ({"secret": "short"}, {"secret"}),
    ({"url": "javascript:alert(1)", "events": [], "secret": ""}, {"url", "events", "secret"}),
])
def test_the_page_names_every_refusal_by_field(alice, alices_enterprise, settings, change, fields):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    data = {"url": "http://127.0.0.1:9/hook", "events": [EVENT], "secret": SECRET, **change}
    response = client_of(alice).post(webhooks_url(alices_enterprise), data)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == fields
    assert 'class="errorlist' in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_page_refuses_private_addresses_in_production(alice, alices_enterprise, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    response = client_of(alice).post(webhooks_url(alices_enterprise), {
        "url": "http://192.168.1.10/hook", "events": [EVENT], "secret": SECRET})
    assert response.context["form"].errors["url"] == [
        "Webhooks cannot be sent to loopback, private or reserved addresses."]
    assert not WebhookEndpoint.objects.exists()


def test_the_delivery_log_shows_every_attempt(alice, alices_enterprise, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    endpoint = register_webhook(alice, alices_enterprise, "http://127.0.0.1:9/hook", [EVENT], SECRET)
    [notification] = publish(alices_enterprise, EVENT, {"reference": "FT-1"}, key="k1")
    DeliveryAttempt.objects.create(notification=notification, number=1, outcome="temporary-failure",
                                   status_code=503, latency_ms=1234, error="the receiver answered 503")
    DeliveryAttempt.objects.create(notification=notification, number=2, outcome="permanent-failure",
                                   status_code=410, latency_ms=56, error="the receiver answered 410")
    Notification.objects.filter(pk=notification.pk).update(
        status="permanent-failure", attempts=2, last_error="the receiver answered 410")

    html = client_of(alice).get(webhooks_url(alices_enterprise)).content.decode()
    row = html.split(f'id="delivery-{notification.pk}"')[1].split("</form></td>")[0]
    assert f"evt_{notification.pk}" in row and EVENT in row and endpoint.url in row
    assert "permanent failure" in row and "Last error: the receiver answered 410" in row
    assert row.count('class="attempt"') == 2
    assert "<td>503</td><td>1234</td><td>the receiver answered 503</td>" in row
    assert "<td>410</td><td>56</td><td>the receiver answered 410</td>" in row
    assert f'action="/enterprises/{alices_enterprise.pk}/webhooks/deliveries/{notification.pk}/resend/"' in row


def test_resending_from_the_page_delivers_again_with_a_new_attempt(alice, alices_enterprise, settings,
                                                                    django_capture_on_commit_callbacks):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    settings.NOTIFICATION_MAX_ATTEMPTS = 1  # the first 503 is the last try
    with Receiver(statuses=(503,)) as receiver:
        register_webhook(alice, alices_enterprise, receiver.url, [EVENT], SECRET)
        with django_capture_on_commit_callbacks(execute=True):
            [notification] = publish(alices_enterprise, EVENT, {}, key="k1")
        notification.refresh_from_db()
        assert notification.status == "temporary-failure" and notification.attempts == 1
        assert notification.next_attempt_at is None and "gave up" in notification.last_error

        with django_capture_on_commit_callbacks(execute=True):
            response = client_of(alice).post(
                f"{webhooks_url(alices_enterprise)}deliveries/{notification.pk}/resend/", follow=True)
        assert messages_of(response, constants.SUCCESS) == [f"Event evt_{notification.pk} is queued to be sent again."]
    notification.refresh_from_db()
    assert notification.status == "delivered" and notification.attempts == 2
    assert list(notification.delivery_attempts.values_list("number", "status_code")) == [(1, 503), (2, 200)]
    assert len(receiver.received) == 2
    html = client_of(alice).get(webhooks_url(alices_enterprise)).content.decode()
    assert html.count('class="attempt"') == 2 and "<td>503</td>" in html and "<td>200</td>" in html


def test_no_resend_while_sending_or_after_deactivation(alice, alices_enterprise, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    endpoint = register_webhook(alice, alices_enterprise, "http://127.0.0.1:9/hook", [EVENT], SECRET)
    [notification] = publish(alices_enterprise, EVENT, {}, key="k1")
    resend_url = f"{webhooks_url(alices_enterprise)}deliveries/{notification.pk}/resend/"
    client = client_of(alice)

    Notification.objects.filter(pk=notification.pk).update(status="sending")
    assert f'action="{resend_url}"' not in client.get(webhooks_url(alices_enterprise)).content.decode()
    response = client.post(resend_url, follow=True)
    # The refusals are delivery.resend's, the same words as the API's 409.
    assert messages_of(response, constants.ERROR) == ["This event is being sent right now; try again in a moment."]

    Notification.objects.filter(pk=notification.pk).update(status="permanent-failure")
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
    response = client.post(resend_url, follow=True)
    assert messages_of(response, constants.ERROR) == ["This endpoint is deactivated: it receives no more events."]
    assert f'action="{resend_url}"' not in response.content.decode()
    notification.refresh_from_db()
    assert notification.status == "permanent-failure"


def test_deactivating_from_the_page(alice, alices_enterprise, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    endpoint = register_webhook(alice, alices_enterprise, "http://127.0.0.1:9/hook", [EVENT], SECRET)
    response = client_of(alice).post(f"{webhooks_url(alices_enterprise)}{endpoint.pk}/deactivate/", follow=True)
    endpoint.refresh_from_db()
    assert endpoint.is_active is False
    assert messages_of(response, constants.SUCCESS) == ["The webhook http://127.0.0.1:9/hook receives no more events."]
    assert f"{endpoint.pk}/deactivate/" not in response.content.decode()
    assert client_of(alice).get(f"{webhooks_url(alices_enterprise)}{endpoint.pk}/deactivate/").status_code == 405


def test_an_outsider_gets_404_on_every_webhook_page(alice, charlie, alices_enterprise, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    endpoint = register_webhook(alice, alices_enterprise, "http://127.0.0.1:9/hook", [EVENT], SECRET)
    [notification] = publish(alices_enterprise, EVENT, {}, key="k1")
    Notification.objects.filter(pk=notification.pk).update(status="permanent-failure")
    client = client_of(charlie)
    base = webhooks_url(alices_enterprise)
    assert client.get(base).status_code == 404
    assert client.post(base, {"url": "http://127.0.0.1:9/x", "events": [EVENT], "secret": SECRET}).status_code == 404
    assert client.post(f"{base}{endpoint.pk}/deactivate/").status_code == 404
    assert client.post(f"{base}deliveries/{notification.pk}/resend/").status_code == 404

    assert WebhookEndpoint.objects.get().is_active is True
    notification.refresh_from_db()
    assert notification.status == "permanent-failure"


def test_an_endpoint_of_another_enterprise_is_not_reached_through_ones_own(alice, charlie, alices_enterprise,
                                                                          make_enterprise, settings):
    from tests.conftest import VALID_USCCS

    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    endpoint = register_webhook(alice, alices_enterprise, "http://127.0.0.1:9/hook", [EVENT], SECRET)
    [notification] = publish(alices_enterprise, EVENT, {}, key="k1")
    own = make_enterprise(charlie, uscc=VALID_USCCS[2])
    client = client_of(charlie)
    assert client.get(webhooks_url(own)).status_code == 200
    assert client.post(f"{webhooks_url(own)}{endpoint.pk}/deactivate/").status_code == 404
    assert client.post(f"{webhooks_url(own)}deliveries/{notification.pk}/resend/").status_code == 404
    assert f"evt_{notification.pk}" not in client.get(webhooks_url(own)).content.decode()
