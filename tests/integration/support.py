"""The pieces of the integration tests: a real Celery worker process, a webhook receiver, bounded waits.

The worker is `celery -A portal worker` in a child process, on a Redis database of its own (one per
xdist worker, so two test processes never take each other's tasks), reading and writing the test
database that pytest-django created. E-mail goes to files and SMS to a JSON-lines file, so a test
counts exactly what left the portal.
"""

import datetime
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import redis
from celery import Celery
from kombu import pools

from portal.celery import app

ROOT = Path(__file__).resolve().parents[2]
QUEUES = ["periodic", "email", "sms", "webhooks"]

# Timings the worker and this process share, short enough for a test to wait them out.
TIMINGS: dict[str, Any] = {
    "NOTIFICATION_STUCK_AFTER": 2,
    "NOTIFICATION_SWEEP_AFTER": 1,
    "NOTIFICATION_RETRY_BASE": 1,
    "WEBHOOK_CONNECT_TIMEOUT": 1.0,
    "WEBHOOK_READ_TIMEOUT": 1.0,
}
VISIBILITY_TIMEOUT = 5
PHONE = "13800138000"

_EAGER = app.conf.task_always_eager
_BROKER_URL = app.conf.broker_url


def point_celery_at(broker_url: str | None) -> None:
    """Publish this process's tasks to `broker_url`; with None, run them in-process again as before."""
    app.conf.task_always_eager = _EAGER if broker_url is None else False
    app.conf.broker_url = _BROKER_URL if broker_url is None else broker_url
    # Close the connections and producers made for the previous broker, and drop their pools from
    # kombu's registry so the next publish opens new ones (what Celery does after a fork).
    for pool in (app.amqp._producer_pool, app._pool):
        if pool is not None:
            pool.force_close_all()
            for group in (pools.producers, pools.connections):
                for key, value in list(group.items()):
                    if value is pool:
                        dict.__delitem__(group, key)
    app._pool = None
    app.amqp._producer_pool = None


def database_url(settings_dict: dict[str, Any]) -> str:
    user, password = settings_dict.get("USER") or "", settings_dict.get("PASSWORD") or ""
    credentials = f"{quote(user)}:{quote(password)}@" if password else (f"{quote(user)}@" if user else "")
    host, port = settings_dict.get("HOST") or "127.0.0.1", settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{quote(settings_dict['NAME'])}"


def reachable_by_sms_at_any_hour(user: Any, phone: str = PHONE) -> None:
    """Give `user` a phone and no quiet hours, so an SMS goes out whatever the time of the test run."""
    user.phone = phone
    user.sms_quiet_from = user.sms_quiet_until = datetime.time(0, 0)
    user.save()


def wait_until(condition: Callable[[], Any], *, what: str, timeout: float = 20.0, interval: float = 0.1,
               worker: "Worker | None" = None) -> Any:
    """Poll `condition` until it is true, for `timeout` seconds at most; return its value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            log = f"\n--- worker log ---\n{worker.log_tail()}" if worker else ""
            raise AssertionError(f"waited {timeout:.0f} s for {what}{log}")
        time.sleep(interval)


class Worker:
    """One `celery -A portal worker` child process at a time, on its own broker database."""

    def __init__(self, broker_url: str, env: dict[str, str], workdir: Path, label: str):
        self.broker_url = broker_url
        self.env = env
        self.workdir = workdir
        self.label = label
        self.mail_dir = Path(env["EMAIL_FILE_PATH"])
        self.sms_file = Path(env["SMS_FILE_PATH"])
        self.process: subprocess.Popen | None = None
        self.starts = 0
        self.overrides: dict[str, str] = {}
        self.name = ""
        self.log_path = workdir / "worker-0.log"
        self.redis = redis.Redis.from_url(broker_url)
        self.control = Celery("integration-control", broker=broker_url, set_as_current=False)

    # --- the process ------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 30.0, **overrides: str) -> None:
        """Start a worker (with `overrides` in its environment) and wait until it answers a ping."""
        assert self.process is None, "a worker is already running"
        self.starts += 1
        self.overrides = overrides
        self.name = f"{self.label}-{self.starts}@{socket.gethostname()}"
        self.log_path = self.workdir / f"worker-{self.starts}.log"
        command = [
            sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool", "solo", "-Q", ",".join(QUEUES),
            "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel", "INFO", "-n", self.name,
        ]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env={**self.env, **overrides},
                                            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code, self.process = self.process.returncode, None
                raise RuntimeError(f"the worker exited with {code}:\n{self.log_tail()}")
            if self.control.control.ping(destination=[self.name], timeout=0.5):
                return
        self.stop()
        raise TimeoutError(f"the worker did not answer a ping within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self, timeout: float = 10.0) -> None:
        """A warm shutdown (SIGTERM); SIGKILL if it takes longer than `timeout`."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.process = None

    def kill(self) -> None:
        """SIGKILL: the worker dies at once, with whatever it was doing unfinished and unacknowledged."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        self.process = None

    def restart(self, **overrides: str) -> None:
        self.stop()
        self.start(**overrides)

    def close(self) -> None:
        self.stop()
        self.control.close()
        self.redis.close()

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except FileNotFoundError:
            return "(no log)"

    # --- what it did ----------------------------------------------------------------------------

    def idle(self) -> bool:
        """Nothing waits in the queues and nothing is taken but unacknowledged (running or scheduled)."""
        return all(self.redis.llen(queue) == 0 for queue in QUEUES) and self.redis.hlen("unacked") == 0

    def wait_until(self, condition: Callable[[], Any], *, what: str, timeout: float = 20.0) -> Any:
        return wait_until(condition, what=what, timeout=timeout, worker=self)

    def clear_outbox(self) -> None:
        for path in self.mail_dir.glob("*"):
            path.unlink()
        self.sms_file.write_text("")

    def emails(self) -> list[EmailMessage]:
        """Every message the file-based e-mail backend wrote, parsed."""
        separator = b"\n" + b"-" * 79 + b"\n"
        messages = []
        for path in sorted(self.mail_dir.glob("*.log")):
            for chunk in path.read_bytes().split(separator):
                if chunk.strip():
                    messages.append(message_from_bytes(chunk, policy=policy.default))
        return messages

    def sms(self) -> list[dict[str, Any]]:
        if not self.sms_file.exists():
            return []
        return [json.loads(line) for line in self.sms_file.read_text(encoding="utf-8").splitlines() if line]


# --- a webhook receiver --------------------------------------------------------------------------

HANG = "hang"
HANG_SECONDS = 10.0


@dataclass
class Post:
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)


class Receiver:
    """An integrating system's endpoint on 127.0.0.1: keeps every POST and answers as scripted.

    `answers` are status codes (or HANG: say nothing for HANG_SECONDS) for the first requests;
    every later request gets 200.
    """

    def __init__(self, *answers: int | str):
        self.answers = list(answers)
        self.posts: list[Post] = []
        self.release = threading.Event()
        lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with lock:
                    receiver.posts.append(Post({k.lower(): v for k, v in self.headers.items()}, body))
                    answer = receiver.answers.pop(0) if receiver.answers else 200
                if answer == HANG:
                    receiver.release.wait(HANG_SECONDS)
                    answer = 200
                try:
                    self.send_response(int(answer))
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender gave up waiting: that is the point of a hanging receiver

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/xianfenggang"

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def broker_url_for_this_process(base_url: str) -> str:
    """A Redis database of its own for each xdist worker, next after the one of TEST_REDIS_URL.

    With `TEST_REDIS_URL=redis://host:6379/1` (the cache of the suite), gw0 (or no xdist) gets
    database 2, gw1 database 3, … so two checkouts pointed at different databases never meet.
    """
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(name[2:]) if name.startswith("gw") and name[2:].isdigit() else 0
    parts = urlsplit(base_url or "redis://127.0.0.1:6379/0")
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    path = parts.path.strip("/")
    database = (int(path) if path.isdigit() else 0) + 1 + index
    if database > 15:
        raise RuntimeError(f"TEST_REDIS_URL {base_url} leaves no Redis database for worker {name}: "
                           "use a database number of 13 or less")
    auth = f"{parts.username or ''}:{parts.password}@" if parts.password else ""
    return f"{parts.scheme or 'redis'}://{auth}{host}:{port}/{database}"
