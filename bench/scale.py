"""The portal at district scale, on this machine: `make bench` (bench/README.md, figures in bench/RESULTS.md).

    .venv/bin/python bench/scale.py [--parts api,growth,admin,timers,matching,notifications,offers]

1. Seeds two databases with `manage.py seed_scale` (resumable: a second run only checks): the large
   one (200,000 enterprises, 300,000 talent, 1,000,000 applications) and a small one (2,000 / 3,000 /
   10,000), and takes tokens and paths in each (bench/scale_probe.py fixtures).
2. Starts gunicorn on each with DEBUG off (the production settings but for the field keys, persistent connections as by
   default, the throttles' rates raised out of the way, `BENCH_FLOOR=true` for the floor endpoint).
3. **api**: in rounds, the floor, the filtered list, the detail and the official's queue under load
   (wrk when installed, else the Python generator of bench/http_load.py), and the submit path
   (create → attach → submit) beside the floor under the same Python generator; each endpoint's
   throughput as a share of the floor's in the same round, medians over the rounds; then the median
   latency at one client of each beside the floor's.
4. **growth**: one-client medians of the list, the detail, a list filtered on a rare state and the
   official's queue at 10,000 and at 1,000,000 applications, as ratios.
5. **admin**, **timers**: bench/scale_probe.py admin and timers on each database / the large one.
6. **matching**, **notifications**: the earlier benchmarks (bench/policy_matching.py at 200,000 /
   300,000, bench/notifications.py with 10,000 e-mails), as they are.
7. **offers**: bench/matching_offers.py, ten talent and ten enterprise policies with 免申即享 offers at
   the large size, beside a per-row loop.
"""

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, machine  # noqa: E402
from bench.http_load import Client, Target, one_client, throughput, wrk_available  # noqa: E402

PY = str(ROOT / ".venv" / "bin" / "python")
TARGETS = {"list_floor": 0.5, "detail_floor": 0.5, "tasks_floor": 0.5, "submit_floor": 0.3,
           "latency": 2.5, "growth": 1.1, "admin_growth": 1.5}


def run(command: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, env=env, cwd=ROOT, check=True, text=True, **kwargs)


def probe(what: str, url: str, env: dict) -> dict:
    done = subprocess.run([PY, "bench/scale_probe.py", what, url], env=env, cwd=ROOT, text=True,
                          capture_output=True, timeout=1800)
    if done.returncode:
        raise SystemExit(f"bench/scale_probe.py {what} {url} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    output = done.stdout
    print("\n".join(line for line in output.splitlines() if not line.startswith("JSON ")), flush=True)
    return json.loads(output.rsplit("JSON ", 1)[1])


def seed(url: str, sizes: tuple[int, int, int], env: dict) -> None:
    from portal.preflight import ensure_database

    ensure_database(url)
    env = {**env, "DATABASE_URL": url, "DEV": "1"}
    run([PY, "manage.py", "migrate", "--noinput", "-v0"], env)
    started = time.perf_counter()
    run([PY, "manage.py", "seed_scale", "--enterprises", str(sizes[0]), "--talents", str(sizes[1]),
         "--applications", str(sizes[2]), "--no-progress"], env, timeout=3600)
    print(f"  seed_scale took {time.perf_counter() - started:.0f} s (nothing to do when already seeded)", flush=True)


class Server:
    """gunicorn with DEBUG off on one database, stopped on exit."""

    def __init__(self, url: str, port: int, workers: int, env: dict) -> None:
        self.port, self.media = port, tempfile.mkdtemp(prefix="bench-media-")
        self.env = {key: value for key, value in env.items() if key not in ("DEV", "DEBUG")}
        unlimited = "1000000/hour"
        self.env.update({
            "DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1",
            # DEBUG off as in production; DEV=1 only for the field keys: the seed sealed personal data
            # with the development ones, which the production settings refuse (rightly). Nothing
            # else on the measured paths reads DEV (portal/settings: the HTTPS settings, set here).
            "DEV": "1", "DEBUG": "false",
            "SECURE_SSL_REDIRECT": "false", "SESSION_COOKIE_SECURE": "false", "CSRF_COOKIE_SECURE": "false",
            "BENCH_FLOOR": "true", "API_THROTTLE_USER": unlimited, "API_THROTTLE_SUBMISSIONS": unlimited,
            "API_THROTTLE_ANON": unlimited, "PRIVATE_MEDIA_ROOT": self.media, "LOG_LEVEL": "WARNING",
        })
        self.log = open(Path(tempfile.gettempdir()) / f"bench-gunicorn-{port}.log", "w")
        self.process = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "portal.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--timeout", "60"], env=self.env, cwd=ROOT, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if Client(port, {}).request("GET", "/api/v1/bench/floor/")[0] in (401, 403):
                    return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise SystemExit(f"gunicorn on port {port} did not answer within 60 s: see {self.log.name}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def targets_of(fixtures: dict) -> dict[str, Target]:
    clerk = {"Authorization": f"Token {fixtures['clerk_token']}"}
    official = {"Authorization": f"Token {fixtures['official_token']}"}
    return {
        "floor": Target("floor", ["/api/v1/bench/floor/"], clerk),
        "list": Target("list", ["/api/v1/applications/?status=in_review&page_size=20"], clerk),
        "rare": Target("rare list", ["/api/v1/applications/?status=suspended&page_size=20"], clerk),
        "detail": Target("detail", fixtures["detail_paths"], clerk),
        "tasks": Target("tasks", ["/api/v1/tasks/?page_size=20"], official),
        "submit": Target("submit path", headers=clerk, flow=submit_flow(fixtures)),
    }


def submit_flow(fixtures: dict):
    """create → attach each material → submit (with the deferrable one declared for later)."""
    pdf = small_pdf()

    def flow(client: Client, index: int) -> int:
        status, created = client.json("POST", "/api/v1/applications/", {"service": fixtures["item"],
                                                                        "enterprise": fixtures["enterprise"]})
        if status != 201:
            raise RuntimeError(f"create: HTTP {status} {created}")
        for code in fixtures["attach"]:
            boundary = uuid.uuid4().hex
            body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"material\"\r\n\r\n{code}\r\n"
                    f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{code}.pdf\"\r\n"
                    f"Content-Type: application/pdf\r\n\r\n").encode() + pdf + f"\r\n--{boundary}--\r\n".encode()
            status, answer = client.request("POST", f"/api/v1/applications/{created['id']}/documents/", body,
                                            {"Content-Type": f"multipart/form-data; boundary={boundary}"})
            if status != 201:
                raise RuntimeError(f"attach: HTTP {status} {answer[:200]!r}")
        status, submitted = client.json("POST", f"/api/v1/applications/{created['id']}/submit/", {
            "deferred_materials": fixtures["deferred"], "commitment_accepted": bool(fixtures["deferred"])})
        if status != 200:
            raise RuntimeError(f"submit: HTTP {status} {submitted}")
        return 2 + len(fixtures["attach"])

    return flow


def small_pdf() -> bytes:
    """A one-page PDF, as a scan would be (the upload check parses it)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def api(port: int, fixtures: dict, args: argparse.Namespace) -> dict:
    targets = targets_of(fixtures)
    rounds: list[dict[str, float]] = []
    for number in range(args.rounds):
        figures = {name: throughput(port, targets[name], args.connections, args.seconds)
                   for name in ("floor", "list", "detail", "tasks")}
        python_floor = throughput(port, targets["floor"], args.connections, args.seconds, tool="python")
        submit = throughput(port, targets["submit"], args.connections, args.seconds)
        row = {f"{name}_rps": figure.requests_per_second for name, figure in figures.items()}
        row.update({f"{name}_floor": row[f"{name}_rps"] / row["floor_rps"] for name in ("list", "detail", "tasks")})
        row.update(python_floor_rps=python_floor.requests_per_second, submit_rps=submit.requests_per_second,
                   submit_floor=submit.requests_per_second / python_floor.requests_per_second)
        rounds.append(row)
        print(f"  round {number + 1}: " + ", ".join(f"{key} {value:.2f}" for key, value in row.items()), flush=True)
    result = {key: statistics.median(row[key] for row in rounds) for key in rounds[0]}
    result["tool"] = "wrk" if wrk_available() else "python"
    return result


def latencies(port: int, fixtures: dict, count: int, names: tuple[str, ...]) -> dict[str, float]:
    targets = targets_of(fixtures)
    for name in names:  # warm every worker's caches first
        one_client(port, targets[name], 10)
    medians = {name: [] for name in names}
    for _ in range(3):  # interleaved, so a burst of other work hits every endpoint alike
        for name in names:
            medians[name].append(one_client(port, targets[name], count))
    return {name: statistics.median(values) for name, values in medians.items()}


def growth_latencies(servers: dict, fixtures: dict, count: int, names: tuple[str, ...]) -> dict:
    """One-client medians on both stacks, alternating size and endpoint in short batches, so a burst of
    other work on the machine lands on both sizes alike."""
    targets = {size: targets_of(fixtures[size]) for size in servers}
    for size in servers:
        for name in names:
            one_client(servers[size].port, targets[size][name], 10)
    samples = {size: {name: [] for name in names} for size in servers}
    batch = max(5, count // 6)
    for _ in range(6 * 3):
        for name in names:
            for size in servers:
                samples[size][name].append(one_client(servers[size].port, targets[size][name], batch))
    return {size: {name: statistics.median(values) for name, values in by_name.items()}
            for size, by_name in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--large-url", default=os.environ.get("BENCH_LARGE_URL", "postgres://postgres@127.0.0.1:5432/xfg_bench_scale"))
    parser.add_argument("--small-url", default=os.environ.get("BENCH_SMALL_URL", "postgres://postgres@127.0.0.1:5432/xfg_bench_scale_10k"))
    parser.add_argument("--large", default="200000,300000,1000000", help="enterprises,talents,applications")
    parser.add_argument("--small", default="2000,3000,10000")
    parser.add_argument("--parts", default="api,growth,admin,timers,matching,notifications,offers")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (2 cores: 3)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--latency-count", type=int, default=60)
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    env = {**os.environ, "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/12")}
    env["CELERY_BROKER_URL"] = os.environ.get("BENCH_BROKER_URL", env["REDIS_URL"].rsplit("/", 1)[0] + "/15")
    report: dict = {"machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M"), "parts": sorted(parts)}
    print("Machine: " + ", ".join(f"{key} {value}" for key, value in report["machine"].items()), flush=True)
    sizes = {"large": tuple(int(n) for n in args.large.split(",")), "small": tuple(int(n) for n in args.small.split(","))}
    urls = {"large": args.large_url, "small": args.small_url}
    fixtures = {}
    for size in ("small", "large"):
        print(f"Seeding the {size} database ({urls[size]}: {sizes[size]})", flush=True)
        seed(urls[size], sizes[size], env)
        fixtures[size] = probe("fixtures", urls[size], env)
        print(f"  {fixtures[size]['applications']:,} applications, {fixtures[size]['tasks']:,} tasks; the busiest "
              f"enterprise has {fixtures[size]['enterprise_applications']:,}", flush=True)
    report["sizes"] = {size: {key: fixtures[size][key] for key in ("applications", "tasks", "enterprise_applications",
                                                                   "open_tasks", "rare_share")} for size in fixtures}
    servers = {}
    try:
        if parts & {"api", "growth"}:
            servers = {size: Server(urls[size], port, args.workers, env) for size, port in (("large", 8731), ("small", 8732))}
        if "api" in parts:
            print(f"API throughput at {fixtures['large']['applications']:,} applications "
                  f"({args.connections} connections, {args.seconds:.0f} s each, {args.rounds} rounds)", flush=True)
            report["api"] = api(servers["large"].port, fixtures["large"], args)
            report["latency"] = latencies(servers["large"].port, fixtures["large"], args.latency_count,
                                          ("floor", "list", "detail", "tasks"))
            print("  one client, median ms: " + ", ".join(f"{k} {v:.1f}" for k, v in report["latency"].items()), flush=True)
        if "growth" in parts:
            print("Growth: one client, median ms at each size (the sizes interleaved)", flush=True)
            growth = growth_latencies(servers, fixtures, args.latency_count, ("list", "detail", "rare", "tasks"))
            report["growth"] = {name: {"small_ms": growth["small"][name], "large_ms": growth["large"][name],
                                       "ratio": growth["large"][name] / growth["small"][name]} for name in growth["small"]}
            for name, figures in report["growth"].items():
                print(f"  {name}: {figures['small_ms']:.1f} → {figures['large_ms']:.1f} ms ({figures['ratio']:.2f})", flush=True)
    finally:
        for server in servers.values():
            server.stop()
    if "admin" in parts:
        pages = {}
        for size in ("small", "large"):
            print(f"Admin pages on the {size} database", flush=True)
            pages[size] = probe("admin", urls[size], env)
        report["admin"] = {name: {"small_ms": pages["small"][name]["median_ms"], "large_ms": pages["large"][name]["median_ms"],
                                  "ratio": pages["large"][name]["median_ms"] / pages["small"][name]["median_ms"],
                                  "queries": pages["large"][name]["queries"],
                                  "full_table_counts": pages["large"][name]["full_table_counts"]} for name in pages["large"]}
    if "timers" in parts:
        print("Timers over the large database", flush=True)
        report["timers"] = probe("timers", urls["large"], env)
    for name, script, extra in (("matching", "bench/policy_matching.py", ["--enterprises", str(sizes["large"][0]),
                                                                          "--talents", str(sizes["large"][1])]),
                                ("notifications", "bench/notifications.py", ["--count", "10000"]),
                                ("offers", "bench/matching_offers.py", ["--enterprises", str(sizes["large"][0]),
                                                                        "--talents", str(sizes["large"][1])])):
        if name in parts:
            print(f"{name}: {script}", flush=True)
            url = urls["large"].rsplit("/", 1)[0] + f"/xfg_bench_scale_{name}"
            output = run([PY, script, *extra], {**env, "DATABASE_URL": url, "BENCH_DATABASE_URL": url},
                         capture_output=True, timeout=3600).stdout
            print(output, flush=True)
            report[name] = output.strip().splitlines()[-12:]
    summary(report)
    out = Path(tempfile.gettempdir()) / "bench-scale.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    print(f"All figures: {out}")


def summary(report: dict) -> None:
    print("\nTargets:")

    def line(name: str, value: float, target: float, higher: bool) -> None:
        met = value >= target if higher else value <= target
        print(f"  {name:<48} {value:8.2f}  target {'≥' if higher else '≤'} {target:<5} "
              f"{'met' if met else f'MISSED by {abs(value - target) / target:.0%}'}")

    if "api" in report:
        for key in ("list_floor", "detail_floor", "tasks_floor", "submit_floor"):
            line(f"throughput {key.replace('_floor', '')} / floor", report["api"][key], TARGETS[key], True)
        for name in ("list", "detail"):
            line(f"one-client latency {name} / floor", report["latency"][name] / report["latency"]["floor"],
                 TARGETS["latency"], False)
    for name, figures in report.get("growth", {}).items():
        line(f"growth {name} (1M / 10k)", figures["ratio"], TARGETS["growth"], False)
    for name, figures in report.get("admin", {}).items():
        line(f"admin {name} (1M / 10k)", figures["ratio"], TARGETS["admin_growth"], False)
        if figures["full_table_counts"]:
            print(f"    {name}: {figures['full_table_counts']} full-table COUNT(*)")
    for name, figures in report.get("timers", {}).items():
        if figures["seq_scan_of_applications"]:
            print(f"  timer {name}: its plan scans the applications table sequentially")


if __name__ == "__main__":
    main()
