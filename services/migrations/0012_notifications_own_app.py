from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('services', '0011_correction_clock_and_deadline'),
        ('notifications', '0001_initial'),
    ]

    operations = [
        # The outbox's tables now belong to the notifications app (notifications 0001); nothing is dropped.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name='notification', name='endpoint'),
                migrations.RemoveField(model_name='notification', name='recipient'),
                migrations.RemoveField(model_name='notificationpreference', name='user'),
                migrations.RemoveField(model_name='webhookendpoint', name='created_by'),
                migrations.RemoveField(model_name='webhookendpoint', name='enterprise'),
                migrations.DeleteModel(name='DeliveryAttempt'),
                migrations.DeleteModel(name='Notification'),
                migrations.DeleteModel(name='NotificationPreference'),
                migrations.DeleteModel(name='WebhookEndpoint'),
            ],
            database_operations=[],
        ),
    ]
