from django.db import migrations, models

# TRUNCATE is left alone: it is its own trigger event, and the test database is emptied with it
# between tests. Only the owner of the table (or a superuser) can truncate it.
CREATE_TRIGGER = """
CREATE FUNCTION services_auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER services_auditevent_append_only
    BEFORE UPDATE OR DELETE ON services_auditevent
    FOR EACH ROW EXECUTE FUNCTION services_auditevent_append_only();
"""

DROP_TRIGGER = """
DROP TRIGGER IF EXISTS services_auditevent_append_only ON services_auditevent;
DROP FUNCTION IF EXISTS services_auditevent_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_TRIGGER)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER)


class Migration(migrations.Migration):
    # After 0005 has given every existing event its hash: only then are the previous hashes
    # unique, and only then may the rows no longer be updated.

    dependencies = [
        ('portal', '0005_audit_chain'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='auditevent',
            constraint=models.UniqueConstraint(fields=('previous_hash',), name='audit_chain_does_not_fork'),
        ),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
