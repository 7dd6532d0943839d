"""Delivery of messages: the outbox's retries and batches, SMS, webhooks and e-mail."""

from pathlib import Path

from portal.settings.environment import env
from portal.settings.environment import read_bool as _bool

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# --- Notifications ----------------------------------------------------------------------
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=8)
NOTIFICATION_RETRY_BASE = env.int("NOTIFICATION_RETRY_BASE", default=30)  # seconds; doubles each try
NOTIFICATION_SWEEP_AFTER = env.int("NOTIFICATION_SWEEP_AFTER", default=60)  # seconds in `created`
NOTIFICATION_STUCK_AFTER = env.int("NOTIFICATION_STUCK_AFTER", default=300)  # seconds in `sending`
# A row queued this long ago and still not sent is queued again (the broker lost the task).
NOTIFICATION_REQUEUE_AFTER = env.int("NOTIFICATION_REQUEUE_AFTER", default=900)
# Messages one delivery task sends, per channel: e-mails share one SMTP connection; a webhook
# receiver may hang until its timeout, so each event has a task of its own.
NOTIFICATION_BATCH_SIZES = {"email": env.int("NOTIFICATION_EMAIL_BATCH", default=50),
                            "sms": env.int("NOTIFICATION_SMS_BATCH", default=20), "webhook": 1}
# A batch stops starting new sends after this many seconds (well inside the task's soft time
# limit) and gives the rest back to the queue.
NOTIFICATION_BATCH_SECONDS = env.int("NOTIFICATION_BATCH_SECONDS", default=30)
SMS_BACKEND = env.str("SMS_BACKEND", default="notifications.sms.LoggingBackend")
if SMS_BACKEND.startswith(("services.sms.", "services.notifications.sms.")):
    # The backends' module before the outbox had a package of its own: such settings keep working.
    SMS_BACKEND = "notifications.sms." + SMS_BACKEND.rsplit(".", 1)[-1]
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(BASE_DIR / "var" / "sms.jsonl"))
SMS_HTTP_URL = env.str("SMS_HTTP_URL", default="")
SMS_HTTP_TOKEN = env.str("SMS_HTTP_TOKEN", default="")
SMS_SIGN_NAME = env.str("SMS_SIGN_NAME", default="先丰港")
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = _bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", False)
WEBHOOK_CONNECT_TIMEOUT = env.float("WEBHOOK_CONNECT_TIMEOUT", default=3.0)
WEBHOOK_READ_TIMEOUT = env.float("WEBHOOK_READ_TIMEOUT", default=10.0)
# The read timeout starts again with every byte; this bounds a whole delivery (connecting,
# sending, reading the answer) so a receiver cannot hold a worker. With NOTIFICATION_BATCH_SECONDS
# it must stay below CELERY_TASK_SOFT_TIME_LIMIT: a batch may start its last send just in time.
WEBHOOK_DELIVERY_SECONDS = env.float("WEBHOOK_DELIVERY_SECONDS", default=15.0)
# Bytes of a receiver's answer that are read and kept; the rest is never read.
WEBHOOK_MAX_RESPONSE_BYTES = env.int("WEBHOOK_MAX_RESPONSE_BYTES", default=65536)

# --- E-mail ---------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = _bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="先丰港 <noreply@xianfenggang.example>")
