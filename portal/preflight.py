"""`python -m portal.preflight`: stop at once, and say how to fix it, when PostgreSQL or Redis is down.

The test suite runs against the real services; it never falls back to SQLite or skips.
"""

import os
import socket
import sys
from urllib.parse import urlparse

HOW_TO_START = {
    "PostgreSQL": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "Redis": "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no",
}


def reachable(host: str, port: int, timeout: float = 3.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named by DATABASE_URL if it does not exist yet."""
    import psycopg
    from psycopg import sql

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not parsed.scheme.startswith("postgres") or not name:
        return
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created the database {name}.")


def main() -> int:
    database = urlparse(os.environ.get("DATABASE_URL", ""))
    redis = urlparse(os.environ.get("REDIS_URL", ""))
    checks = [
        ("PostgreSQL", database.hostname or "127.0.0.1", database.port or 5432, "DATABASE_URL"),
        ("Redis", redis.hostname or "127.0.0.1", redis.port or 6379, "REDIS_URL"),
    ]
    failed = False
    for name, host, port, variable in checks:
        if reachable(host, port):
            print(f"{name} is reachable at {host}:{port}.")
        else:
            failed = True
            print(
                f"ERROR: {name} is not reachable at {host}:{port} ({variable}).\n"
                f"  Start it, e.g.: {HOW_TO_START[name]}\n"
                f"  or point {variable} at a running server.",
                file=sys.stderr,
            )
    if failed:
        return 1
    ensure_database(os.environ.get("DATABASE_URL", ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
