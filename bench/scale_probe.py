"""What bench/scale.py needs done inside Django, on one seeded database, as a child process.

    .venv/bin/python bench/scale_probe.py fixtures DATABASE_URL   # tokens and paths of the load runs
    .venv/bin/python bench/scale_probe.py admin DATABASE_URL      # admin pages: time, queries, COUNT(*)
    .venv/bin/python bench/scale_probe.py timers DATABASE_URL     # each timer: time, rows, EXPLAIN

Each prints its figures as one line `JSON {...}` at the end (and what it measures before).
The timers run in a transaction rolled back afterwards, so a second run meets the same rows.
"""

import datetime
import json
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import setup_django  # noqa: E402

PREFIX = "scale"


def emit(data: dict) -> None:
    print("JSON " + json.dumps(data, default=str), flush=True)


def official_token(user) -> str:
    """A token as an official gets one with a one-time code: knox's, remembered as verified."""
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from knox.models import AuthToken

    from portal.models import TokenVerification

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="authenticator app", confirmed=True)
    token, text = AuthToken.objects.create(user)
    TokenVerification.objects.create(token=token, totp_device=device)
    return text


def fixtures() -> dict:
    """The busiest enterprise's clerk and an official of the busiest department, with tokens and paths."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from knox.models import AuthToken

    from services.models import Application, Department, MaterialRequirement, ServiceItem, Task

    User = get_user_model()
    with connection.cursor() as cursor:
        cursor.execute("SELECT enterprise_id, COUNT(*) FROM services_application GROUP BY 1 ORDER BY 2 DESC LIMIT 1")
        enterprise, count = cursor.fetchone()
        cursor.execute("SELECT department_id, COUNT(*) FROM services_task WHERE status = 'open' GROUP BY 1 "
                       "ORDER BY 2 DESC LIMIT 1")
        department, open_tasks = cursor.fetchone()
    clerk = User.objects.filter(memberships__enterprise_id=enterprise).order_by("id").first()
    official = User.objects.get(username=f"{PREFIX}-official-{Department.objects.get(pk=department).code.lower()}-1")
    ids = list(Application.objects.filter(enterprise_id=enterprise).values_list("id", flat=True)[:5000])
    random.Random(1).shuffle(ids)
    # The submit path: the 容缺 item with the fewest materials to attach, its deferrable one declared later.
    item = min(ServiceItem.objects.filter(approval_mode="deferred", is_active=True),
               key=lambda s: s.materials.filter(required=True).count())
    materials = list(MaterialRequirement.objects.filter(service=item, required=True).order_by("id"))
    rare = Application.objects.filter(state="suspended").count()
    return {
        "applications": Application.objects.count(), "tasks": Task.objects.count(),
        "enterprise": enterprise, "enterprise_applications": count,
        "clerk_token": AuthToken.objects.create(clerk)[1], "official_token": official_token(official),
        "department": department, "open_tasks": open_tasks,
        "detail_paths": [f"/api/v1/applications/{pk}/" for pk in ids[:300]],
        "item": item.code, "attach": [m.code for m in materials if not m.deferrable],
        "deferred": [m.code for m in materials if m.deferrable],
        "rare_share": rare / max(1, Application.objects.count()),
    }


def admin_pages() -> dict:
    """The applications' change list (a superuser's: every row) and an official's queue, in-process."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from services.models import Department

    User = get_user_model()
    superuser = User.objects.filter(username=f"{PREFIX}-admin").first()
    if superuser is None:
        superuser = User(username=f"{PREFIX}-admin", is_staff=True, is_superuser=True)
        superuser.set_unusable_password()
        superuser.save()
    with connection.cursor() as cursor:
        cursor.execute("SELECT department_id FROM services_task WHERE status = 'open' GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1")
        department = Department.objects.get(pk=cursor.fetchone()[0])
    official = User.objects.get(username=f"{PREFIX}-official-{department.code.lower()}-1")
    from django.conf import settings

    base = "/" + settings.ADMIN_URL
    pages = {
        "applications change list (superuser)": (superuser, f"{base}services/application/"),
        "applications change list (official)": (official, f"{base}services/application/"),
        "applications filtered on a rare state": (superuser, f"{base}services/application/?state__exact=suspended"),
        "official's queue (tasks)": (official, f"{base}services/task/"),
    }
    results = {}
    for name, (user, path) in pages.items():
        client = Client()
        client.force_login(user)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="authenticator app", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        times = []
        for attempt in range(6):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(path)
                elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{name}: HTTP {response.status_code}")
            if attempt:  # the first warms the caches
                times.append(elapsed)
        statements = [q["sql"] for q in queries.captured_queries]
        full_counts = [sql for sql in statements if re.match(r'SELECT COUNT\(\*\) AS "__count" FROM "services_(application|task)"\s*$', sql)]
        results[name] = {"median_ms": statistics.median(times), "queries": len(statements),
                         "full_table_counts": len(full_counts), "path": path}
        print(f"  {name}: {results[name]['median_ms']:.0f} ms, {len(statements)} queries, "
              f"{len(full_counts)} full-table COUNT(*)", flush=True)
    return results


def timers() -> dict:
    """Each beat task's work over the whole table: time, rows touched, and whether its plan scans the table."""
    from django.db import connection, transaction

    from services.applications import timers as beat
    from services.applications.selectors import late_for_acceptance, late_for_decision
    from services.applications.timers import _today, sla_level_on
    from services.models import Application, ApprovalMode, DeferredMaterial, PostCheck, State

    today = _today()
    plans = {
        "auto-acceptance": Application.objects.filter(late_for_acceptance(today)).values("pk"),
        "deferred reminders": DeferredMaterial.objects.filter(
            supplied_at__isnull=True, due_date__gt=today, due_date__lte=today + datetime.timedelta(days=5),
            application__state__in=[State.SUBMITTED, State.ACCEPTED, State.IN_REVIEW,
                                    State.APPROVED_PENDING_DOCUMENTS]).values("pk"),
        "suspend overdue deferrals": Application.objects.filter(
            state__in=[State.APPROVED_PENDING_DOCUMENTS, State.ACCEPTED, State.IN_REVIEW],
            deferred__supplied_at__isnull=True, deferred__due_date__lt=today).values("pk").distinct(),
        "close unanswered corrections": Application.objects.filter(
            state=State.CORRECTION_REQUESTED, corrections__resolved_at__isnull=True,
            corrections__respond_by__lt=today).values("pk").distinct(),
        "revoke after grace": Application.objects.filter(state=State.SUSPENDED, revocation_due__lt=today).values("pk"),
        "SLA levels": Application.objects.filter(state__in=[State.ACCEPTED, State.IN_REVIEW]).annotate(
            level=sla_level_on(today)).values("pk", "level"),
        "late for decision": Application.objects.filter(late_for_decision(today)).values("pk"),
        "post-check sampling": Application.objects.filter(
            service__approval_mode=ApprovalMode.COMMITMENT, post_check_sampled=False,
            state=State.APPROVED).values("pk"),
        "overdue post-checks": PostCheck.objects.filter(result="pending", due_date__lt=today,
                                                        overdue_notified=False).values("pk"),
    }
    runs = {
        "auto-acceptance": beat.auto_accept_overdue, "deferred reminders": beat.remind_deferred_materials,
        "suspend overdue deferrals": beat.suspend_overdue_deferred, "revoke after grace": beat.revoke_after_grace,
        "SLA levels": beat.deadline_colours, "close unanswered corrections": beat.close_unanswered_corrections,
        "post-check sampling": beat.sample_post_checks,
        "overdue post-checks": beat.flag_overdue_post_checks,
    }
    results = {}
    for name, queryset in plans.items():
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        seq = bool(re.search(r"Seq Scan on services_application\b", plan))
        entry = {"seq_scan_of_applications": seq, "plan": plan}
        if name in runs:
            with transaction.atomic():
                started = time.perf_counter()
                touched = runs[name]()
                entry["seconds"] = time.perf_counter() - started
                entry["rows"] = touched
                transaction.set_rollback(True)
        results[name] = entry
        print(f"  {name}: {entry.get('seconds', 0):.2f} s, {entry.get('rows', '-')} rows, "
              f"{'SEQ SCAN of applications' if seq else 'indexed'}", flush=True)
    return results


if __name__ == "__main__":
    what, url = sys.argv[1], sys.argv[2]
    os.environ.setdefault("DEV", "1")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
    setup_django(url)
    emit({"fixtures": fixtures, "admin": admin_pages, "timers": timers}[what]())
