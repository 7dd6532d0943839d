import django.utils.timezone
from django.db import migrations, models

from portal.core.audit_chain import GENESIS, as_stored, canonical_event, link_hash

BATCH = 2000


def link_existing_events(apps, schema_editor):
    """Hash the events written before the chain, oldest first, a batch at a time."""
    AuditEvent = apps.get_model("portal", "AuditEvent")
    previous = GENESIS
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:BATCH])
        if not batch:
            return
        for event in batch:
            event.previous_hash = previous
            event.hash = previous = link_hash(previous, canonical_event(
                at=event.at, actor_id=event.actor_id, action=event.action, target_type=event.target_type,
                target_id=event.target_id, from_state=event.from_state, to_state=event.to_state,
                reason=event.reason, data=as_stored(event.data),
            ))
        AuditEvent.objects.bulk_update(batch, ["previous_hash", "hash"])
        last_id = batch[-1].id


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0004_move_audit_trail'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='at',
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False, verbose_name='time'),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='previous_hash',
            field=models.CharField(default='', editable=False, help_text='The hash of the event before (64 zeros for the first event).', max_length=64, verbose_name='previous hash'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='auditevent',
            name='hash',
            field=models.CharField(default='', editable=False, help_text="SM3 of the previous hash and this event's canonical record.", max_length=64, verbose_name='hash'),
            preserve_default=False,
        ),
        migrations.RunPython(link_existing_events, migrations.RunPython.noop),
    ]
