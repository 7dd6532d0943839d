"""Enterprises' contact phones SM4-encrypted at rest, with their SM3 digest for exact searches."""

import django.core.validators
from django.db import migrations, models

import portal.core.encrypted_fields
from portal.core.encrypted_fields import constraints_checked_now, open_column, seal_column

CONTEXT = "enterprises.enterprise.contact_phone"


def seal(apps, schema_editor):
    seal_column(apps.get_model("enterprises", "Enterprise"), "contact_phone", CONTEXT, lookup="contact_phone_lookup")


def unseal(apps, schema_editor):
    open_column(apps.get_model("enterprises", "Enterprise"), "contact_phone", CONTEXT)


class Migration(migrations.Migration):

    dependencies = [
        ('enterprises', '0008_generated_evidence_names'),
    ]

    operations = [
        migrations.AddField(
            model_name='enterprise', name='contact_phone_lookup',
            field=models.CharField(blank=True, default='', editable=False, max_length=64),
        ),
        migrations.AlterField(model_name='enterprise', name='contact_phone', field=models.TextField()),
        migrations.RunPython(constraints_checked_now, constraints_checked_now),
        migrations.RunPython(seal, unseal),
        migrations.RunPython(constraints_checked_now, constraints_checked_now),
        migrations.AlterField(
            model_name='enterprise', name='contact_phone',
            field=portal.core.encrypted_fields.EncryptedCharField(max_length=20, validators=[django.core.validators.RegexValidator('^[0-9+\\-() ]{7,20}$', 'Enter a phone number of digits, spaces, + or -.')], verbose_name='contact phone'),
        ),
        migrations.AlterField(
            model_name='enterprise', name='contact_phone_lookup',
            field=portal.core.encrypted_fields.LookupHashField(db_index=True, source='contact_phone', verbose_name='contact phone digest'),
        ),
    ]
