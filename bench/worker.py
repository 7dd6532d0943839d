"""The Celery worker of bench/notifications.py: `celery -A portal worker` as a child process on the
benchmark's database and broker, and a bounded wait on what it has done.
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import ROOT

# The worker and the benchmark's own process both send e-mail to memory: no server is under test.
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


class Worker:
    """`celery -A portal worker` as a child process, on the benchmark's database and broker."""

    def __init__(self, args: argparse.Namespace, log_path: Path) -> None:
        self.name = f"bench-{os.getpid()}@{socket.gethostname()}"
        self.log_path = log_path
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])),
            "PYTHONUNBUFFERED": "1",
            "DATABASE_URL": args.database_url,
            "CELERY_BROKER_URL": args.broker_url,
            "EMAIL_BACKEND": LOCMEM,
        }
        if args.conn_max_age is not None:
            self.env["DATABASE_CONN_MAX_AGE"] = str(args.conn_max_age)
        self.command = [
            sys.executable, "-m", "celery", "-A", "portal", "worker", "-I", ",".join(["bench.tasks", *args.variant]),
            "-Q", "email,periodic", "-c", str(args.concurrency), "--pool", "prefork",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
            "--loglevel", "WARNING", "-n", self.name,
        ]
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> None:
        """Start it and wait (bounded) until it answers a ping."""
        from portal.celery import app

        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited with {self.process.returncode}:\n{self.log_tail()}")
            if app.control.ping(destination=[self.name], timeout=1.0):
                return
        self.stop()
        raise RuntimeError(f"the worker did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self, timeout: float = 30.0) -> None:
        """Warm shutdown (SIGTERM), then SIGKILL to its own process group if it hangs."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"


def wait_for(done: Callable[[], int], total: int, *, what: str, timeout: float, worker: Worker,
             interval: float = 0.05) -> float:
    """Poll until `done()` reaches `total`; returns the monotonic time it did. Bounded by `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        count = done()
        now = time.monotonic()
        if count >= total:
            return now
        if now >= deadline:
            raise TimeoutError(f"{what}: {count} of {total} after {timeout:.0f} s\n{worker.log_tail()}")
        if worker.process is not None and worker.process.poll() is not None:
            raise RuntimeError(f"the worker died during {what}:\n{worker.log_tail()}")
        time.sleep(interval)

