"""Webhook signing secrets SM4-encrypted at rest (never searched: no digest column)."""

from django.db import migrations, models

import portal.core.encrypted_fields
from portal.core.encrypted_fields import constraints_checked_now, open_column, seal_column

CONTEXT = "notifications.webhookendpoint.secret"


def seal(apps, schema_editor):
    seal_column(apps.get_model("notifications", "WebhookEndpoint"), "secret", CONTEXT)


def unseal(apps, schema_editor):
    open_column(apps.get_model("notifications", "WebhookEndpoint"), "secret", CONTEXT)


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0002_delivery_attempt_response'),
    ]

    operations = [
        migrations.AlterField(model_name='webhookendpoint', name='secret', field=models.TextField()),
        migrations.RunPython(constraints_checked_now, constraints_checked_now),
        migrations.RunPython(seal, unseal),
        migrations.RunPython(constraints_checked_now, constraints_checked_now),
        migrations.AlterField(
            model_name='webhookendpoint', name='secret',
            field=portal.core.encrypted_fields.EncryptedCharField(max_length=200, verbose_name='signing secret'),
        ),
    ]
