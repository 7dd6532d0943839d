"""How long personal data are kept (portal/retention.py applies it nightly)."""

from celery.schedules import crontab

from portal.settings.environment import env

# A finished application's form answers and files: its reference, decisions and timeline stay.
RETENTION_YEARS = env.int("RETENTION_YEARS", default=10)
# Message bodies of the outbox (in-site inbox, e-mail, webhooks), and SMS, sooner.
NOTIFICATION_RETENTION_DAYS = env.int("NOTIFICATION_RETENTION_DAYS", default=365)
SMS_RETENTION_DAYS = env.int("SMS_RETENTION_DAYS", default=90)
# Nightly, after the audit chain's check of 03:30.
RETENTION_SCHEDULE = {"task": "portal.apply_retention", "schedule": crontab(hour=4, minute=15)}
