"""Load on the portal's HTTP stack: wrk where it is installed, else a small load generator of processes.

`throughput(target, …)` keeps `connections` clients busy for `seconds` and returns requests per
second and latencies; `one_client(target, count)` times `count` requests one after the other (the
median latency at one client). A `Target` is a list of GET paths taken in turn, with headers, or a
`flow`: a function that makes several requests (the submit path) on a `Client`.

Both generators open a connection per request as gunicorn's sync workers close each one; the
Python one runs one process per connection (no shared interpreter lock between clients). Every
loop is bounded in time; only 127.0.0.1 is ever addressed.
"""

import http.client
import json
import multiprocessing
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

HOST = "127.0.0.1"


@dataclass
class Target:
    name: str
    paths: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    flow: Callable[["Client", int], int] | None = None  # returns the requests it made


@dataclass
class Figures:
    requests_per_second: float
    median_ms: float
    p90_ms: float
    requests: int
    errors: int
    tool: str

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


class Client:
    """One client of the portal on 127.0.0.1:`port`: a request, its status and JSON."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.port, self.headers = port, headers

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers={**self.headers, **(headers or {})})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def json(self, method: str, path: str, payload: Any = None) -> tuple[int, Any]:
        body = None if payload is None else json.dumps(payload).encode()
        status, data = self.request(method, path, body, {"Content-Type": "application/json"} if body else None)
        return status, json.loads(data or b"null")


def _one(port: int, target: Target, index: int, client: Client) -> int:
    """One request (or one flow) of the target; raises on an answer other than 2xx."""
    if target.flow is not None:
        return target.flow(client, index)
    status, body = client.request("GET", target.paths[index % len(target.paths)])
    if not 200 <= status < 300:
        raise RuntimeError(f"{target.name}: HTTP {status}: {body[:200]!r}")
    return 1


def _worker(port: int, target: Target, seconds: float, offset: int, queue: Any) -> None:
    client = Client(port, target.headers)
    latencies, requests, errors, index = [], 0, 0, offset
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            requests += _one(port, target, index, client)
            latencies.append((time.perf_counter() - started) * 1000)
        except (OSError, RuntimeError, http.client.HTTPException) as error:
            errors += 1
            if errors == 1:
                print(f"    {target.name}: {error}", flush=True)
            if errors > 20:
                break
        index += 7919  # spread the workers over the paths
    queue.put((latencies, requests, errors))


def python_throughput(port: int, target: Target, connections: int, seconds: float) -> Figures:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    started = time.perf_counter()
    workers = [context.Process(target=_worker, args=(port, target, seconds, n, queue)) for n in range(connections)]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=seconds + 120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    elapsed = time.perf_counter() - started
    latencies = sorted(latency for result in results for latency in result[0])
    requests = sum(result[1] for result in results)
    return Figures(requests / elapsed, _percentile(latencies, 50), _percentile(latencies, 90), requests,
                   sum(result[2] for result in results), "python")


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(len(values) * share / 100))]


WRK_SCRIPT = """
local paths = {%(paths)s}
local i = 0
%(headers)s
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  io.write(string.format("JSON {\\"requests\\": %%d, \\"errors\\": %%d, \\"p50\\": %%f, \\"p90\\": %%f}\\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout, latency:percentile(50) / 1000, latency:percentile(90) / 1000))
end
"""


def wrk_available() -> bool:
    return shutil.which("wrk") is not None and os.environ.get("BENCH_LOAD_TOOL", "wrk") == "wrk"


def wrk_throughput(port: int, target: Target, connections: int, seconds: float) -> Figures:
    paths = ", ".join(json.dumps(path) for path in target.paths)
    headers = "\n".join(f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in target.headers.items())
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"paths": paths, "headers": headers})
    try:
        output = subprocess.run(
            ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{int(seconds)}s",
             "--timeout", "30s", "-s", script.name, f"http://{HOST}:{port}/"],
            capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    finally:
        os.unlink(script.name)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    data = json.loads(output.split("JSON ", 1)[1].splitlines()[0])
    if data["errors"]:
        print(f"    {target.name}: {data['errors']} errors or non-2xx answers under wrk", flush=True)
    return Figures(rate, data["p50"], data["p90"], data["requests"], data["errors"], "wrk")


def throughput(port: int, target: Target, connections: int, seconds: float, *, tool: str = "auto") -> Figures:
    """Requests per second with `connections` clients for `seconds` (wrk for GET paths when installed)."""
    if target.flow is None and tool in ("auto", "wrk") and wrk_available():
        return wrk_throughput(port, target, connections, seconds)
    return python_throughput(port, target, connections, seconds)


def one_client(port: int, target: Target, count: int) -> float:
    """The median latency in ms of `count` requests made one after the other by one client."""
    client = Client(port, target.headers)
    latencies = []
    for index in range(count):
        started = time.perf_counter()
        _one(port, target, index, client)
        latencies.append((time.perf_counter() - started) * 1000)
    return statistics.median(latencies)
