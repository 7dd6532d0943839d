"""`make run`'s set-up moves by itself: beat and a worker on a folder broker, SQLite, no server.

The story: an application waits past its 5 working days of acceptance; nobody runs a command; the
worker's timer accepts it (行政许可法 Art. 32).
"""

import os
import sqlite3
import subprocess
import sys
import time

from tests.helpers import ROOT

FILE_AN_OVERDUE_APPLICATION = """
import datetime
import io
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from django.contrib.auth import get_user_model
from enterprises.models import Enterprise
from services.applications import workflow
from services.models import Application, ServiceItem

clerk = get_user_model().objects.get(username="clerk1")
enterprise = Enterprise.objects.of_member(clerk).filter(status="verified").first()
service = ServiceItem.objects.get(code="FT-KX-0002")
application = workflow.create_application(clerk, enterprise, service, {})
writer = PdfWriter()
writer.add_blank_page(width=200, height=100)
scan = io.BytesIO()
writer.write(scan)
for material in service.materials.filter(required=True):
    workflow.attach_document(clerk, application.pk, material.code,
                             SimpleUploadedFile(f"{material.code}.pdf", scan.getvalue()))
workflow.submit(clerk, application.pk)
# Filed three weeks ago: its acceptance deadline has passed.
Application.objects.filter(pk=application.pk).update(
    received_on=datetime.date(2026, 11, 2), acceptance_due=datetime.date(2026, 11, 9))
print(application.pk)
"""


def test_the_embedded_worker_accepts_an_overdue_application_by_itself(tmp_path):
    database = tmp_path / "db.sqlite3"
    env = {key: value for key, value in os.environ.items()
           if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "TEST_REDIS_URL"}}
    env.update({
        "DATABASE_URL": f"sqlite:///{database}", "CELERY_BROKER_URL": "filesystem://",
        "BROKER_FOLDER": str(tmp_path / "broker"), "PRIVATE_MEDIA_ROOT": str(tmp_path / "media"),
        "TIMER_SECONDS": "2", "DEBUG": "true", "PYTHONUNBUFFERED": "1",
    })

    def manage(*args: str) -> str:
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=180)
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    manage("migrate", "--noinput", "--verbosity", "0")
    manage("seed_demo")
    application_id = int(manage("shell", "-c", FILE_AN_OVERDUE_APPLICATION).strip().splitlines()[-1])

    def state() -> str:
        with sqlite3.connect(database, timeout=20) as connection:
            return connection.execute("SELECT state FROM services_application WHERE id = ?",
                                      (application_id,)).fetchone()[0]

    assert state() == "submitted"
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed in finally
    worker = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "celery"), "-A", "portal", "worker", "--beat", "--pool", "threads",
         "--concurrency", "2", "--queues", "periodic,email,sms,webhooks", "--without-mingle",
         "--without-gossip", "--loglevel", "INFO", "--schedule", str(tmp_path / "beat-schedule")],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while state() == "submitted" and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(1)
        final = state()
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)
        log.close()
    assert final == "accepted", (tmp_path / "worker.log").read_text()[-4000:]
    with sqlite3.connect(database) as connection:
        received, accepted_event = connection.execute(
            "SELECT received_on, (SELECT count(*) FROM services_auditevent WHERE target_id = ? "
            "AND target_type = 'services.application' AND to_state = 'accepted') "
            "FROM services_application WHERE id = ?", (application_id, application_id)).fetchone()
    assert received == "2026-11-02"  # counted as accepted on the day it was received
    assert accepted_event == 1
