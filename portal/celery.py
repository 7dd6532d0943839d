"""The Celery application. Without CELERY_BROKER_URL tasks run in-process (eager)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Each app keeps its tasks in `tasks.py`; the services app keeps them per sub-package.
app.autodiscover_tasks()
app.autodiscover_tasks(["services.applications", "services.applications.notices", "services.ratings"])
