"""What the benchmark scripts share: the description of the machine, the PostgreSQL facts and the
set-up of Django on a benchmark's own database.

The scripts run as files (`.venv/bin/python bench/….py`), so each puts the project's root on
`sys.path` itself before importing this module as `bench.common`.
"""

import os
import platform
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def machine() -> dict[str, str]:
    """CPU model, cores (all, and those this process may use), RAM, load average, OS and Python.

    Printed beside every figure: the machine is shared, so a result only means something next to
    the CPU it ran on and the load it ran under.
    """
    cpu = platform.processor() or platform.machine() or "unknown"
    cores = os.cpu_count() or 0
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        cpu = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), cpu)
        cores = sum(1 for line in lines if line.startswith("processor")) or cores
    except OSError:
        pass
    # A container or `taskset` may grant fewer cores than the machine has.
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    try:
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        load = "unknown"
    return {"cpu": cpu, "cores": str(cores), "usable": str(usable), "ram": ram, "load": load,
            "os": platform.platform(), "python": platform.python_version()}


def postgres_facts(*settings: str) -> dict[str, str]:
    """The server's version (e.g. "15.8 (Debian 15.8-1)") and the named settings, on Django's connection.

    Read on the benchmark's own connection, so a setting changed on that connection (work_mem) shows
    as the runs see it.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        facts = {"version": cursor.fetchone()[0]}
        for name in settings:
            cursor.execute(f"SHOW {name}")
            facts[name] = cursor.fetchone()[0]
    return facts


def setup_django(database_url: str, *, debug: bool | None = None) -> None:
    """Point Django at `database_url`, create that database if missing, set Django up and migrate quietly.

    The caller sets the rest of the environment first (broker, e-mail backend, …): the settings
    read it once, at set-up. `debug` overrides settings.DEBUG before migrating (None: leave it as
    the environment says); with DEBUG on, Django keeps every statement in memory.
    """
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    # The production settings need a key of their own; a benchmark's is thrown away afterwards.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    from portal.preflight import ensure_database

    ensure_database(database_url)
    import django
    from django.conf import settings

    django.setup()
    if debug is not None:
        settings.DEBUG = debug
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
