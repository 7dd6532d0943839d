"""ID numbers SM4-encrypted at rest, found and kept unique per employer by their SM3 digest.

The column becomes text (a sealed value is longer), the stored numbers are sealed in place and
their digests written; the reverse writes the plain numbers back.
"""

from django.db import migrations, models

import portal.core.encrypted_fields
import talent.identity
import talent.models
from portal.core.encrypted_fields import constraints_checked_now, open_column, seal_column

CONTEXT = "talent.talent.id_number"


def seal(apps, schema_editor):
    seal_column(apps.get_model("talent", "Talent"), "id_number", CONTEXT, lookup="id_number_lookup")


def unseal(apps, schema_editor):
    open_column(apps.get_model("talent", "Talent"), "id_number", CONTEXT)


class Migration(migrations.Migration):

    dependencies = [
        ('talent', '0001_initial'),
    ]

    operations = [
        migrations.RemoveConstraint(model_name='talent', name='talent_once_per_employer'),
        migrations.AddField(
            model_name='talent', name='id_number_lookup',
            field=models.CharField(blank=True, default='', editable=False, max_length=64),
        ),
        # As it was stored (varchar(18)), then text in the clear while the values are sealed.
        migrations.AlterField(model_name='talent', name='id_number', field=models.CharField(max_length=18)),
        migrations.AlterField(model_name='talent', name='id_number', field=models.TextField()),
        migrations.RunPython(constraints_checked_now, constraints_checked_now),
        migrations.RunPython(seal, unseal),
        migrations.RunPython(constraints_checked_now, constraints_checked_now),
        migrations.AlterField(
            model_name='talent', name='id_number',
            field=talent.models.IdNumberField(help_text='The 18-character number of the 居民身份证; birth date and gender are read from it.', max_length=18, validators=[talent.identity.validate_id_number], verbose_name='resident ID number'),
        ),
        migrations.AlterField(
            model_name='talent', name='id_number_lookup',
            field=portal.core.encrypted_fields.LookupHashField(source='id_number', verbose_name='ID number digest'),
        ),
        migrations.AddConstraint(
            model_name='talent',
            constraint=models.UniqueConstraint(fields=('enterprise', 'id_number_lookup'), name='talent_once_per_employer'),
        ),
    ]
