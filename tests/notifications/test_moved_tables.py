"""The outbox became an app of its own: a portal upgraded in place keeps every message and grant."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("services", "0011_correction_clock_and_deadline"), ("notifications", None)]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1]]).apps


@pytest.mark.django_db(transaction=True)
def test_an_upgrade_keeps_the_messages_and_the_permissions_granted_on_them(make_user, make_enterprise):
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old = migrate(BEFORE)
    try:
        clerk = make_user("clerk")
        enterprise = make_enterprise(clerk)
        endpoint = old.get_model("services", "WebhookEndpoint").objects.create(
            enterprise_id=enterprise.pk, url="https://erp.example.com/hook", events=[], secret="s" * 32)
        old.get_model("services", "Notification").objects.create(
            recipient_id=clerk.pk, channel="inbox", kind="test", subject="旧消息", body="", idempotency_key="old-inbox")
        old.get_model("services", "Notification").objects.create(
            endpoint_id=endpoint.pk, channel="webhook", kind="test", subject="旧回调", body="", idempotency_key="old-webhook")
        # What a portal installed before the move holds: the content type under the services app.
        ContentType.objects.filter(app_label="notifications").update(app_label="services")
        ContentType.objects.clear_cache()
    finally:
        migrate(leaves)
    ContentType.objects.clear_cache()

    from notifications.models import Notification, WebhookEndpoint

    assert Notification.objects.get(recipient=clerk).subject == "旧消息"
    assert WebhookEndpoint.objects.get(enterprise=enterprise).notifications.get().subject == "旧回调"
    assert ContentType.objects.get_for_model(Notification).app_label == "notifications"
    assert not ContentType.objects.filter(app_label="services", model="notification").exists()


def test_a_link_in_an_older_failure_digest_still_opens_the_failed_messages(client):
    response = client.get("/admin/services/notification/?failed=1")
    assert response.status_code == 301
    assert response["Location"] == "/admin/notifications/notification/?failed=1"
