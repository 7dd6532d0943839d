"""Users' mobile phones SM4-encrypted at rest, with their SM3 digest for exact searches."""

from django.db import migrations, models

import portal.core.encrypted_fields
from portal.core.encrypted_fields import constraints_checked_now, open_column, seal_column

CONTEXT = "portal.user.phone"


def seal(apps, schema_editor):
    seal_column(apps.get_model("portal", "User"), "phone", CONTEXT, lookup="phone_lookup")


def unseal(apps, schema_editor):
    open_column(apps.get_model("portal", "User"), "phone", CONTEXT)


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0007_external_identity'),
    ]

    operations = [
        migrations.AddField(
            model_name='user', name='phone_lookup',
            field=models.CharField(blank=True, default='', editable=False, max_length=64),
        ),
        migrations.AlterField(model_name='user', name='phone', field=models.TextField(blank=True)),
        migrations.RunPython(constraints_checked_now, constraints_checked_now),
        migrations.RunPython(seal, unseal),
        migrations.RunPython(constraints_checked_now, constraints_checked_now),
        migrations.AlterField(
            model_name='user', name='phone',
            field=portal.core.encrypted_fields.EncryptedCharField(blank=True, max_length=20, verbose_name='mobile phone'),
        ),
        migrations.AlterField(
            model_name='user', name='phone_lookup',
            field=portal.core.encrypted_fields.LookupHashField(db_index=True, source='phone', verbose_name='phone digest'),
        ),
    ]
