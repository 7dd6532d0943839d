"""The README's API walk-through, executed: its ```sh block runs with bash against a live server.

The block is split at its numbered comments (`# 1. …`); each step runs in order in one `bash -e`
script (the variables carry over), with `curl` wrapped to time out and to report each HTTP status
on stderr. Then every step's statuses and JSON are checked, and the database's state: one
application per approval mode, each carried to its decision by the demo clerk and officials.
The officials' one-time codes, which the block asks for at the terminal (`otp_code`), are
recovery codes of their apps, set up before the run; the script gives them one by one.
"""

import io
import json
import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from enterprises.models import Enterprise
from portal.core.audit import events_of
from portal.models import User
from services.models import Application, Commitment, State, Task
from tests.conftest import PDF
from tests.helpers import ROOT, enrol_second_factor

README = ROOT / "README.md"
README_BASE_URL = "http://127.0.0.1:8000"
STEP = re.compile(r"^# (\d+)\. ", re.MULTILINE)
# Replaces the block's `otp_code`, which reads the code at the terminal: each official's next
# recovery code, from a file per official in the working folder.
OTP_CODES = (
    'otp_code() { code=$(head -n 1 "otp-codes/$1"); sed -i 1d "otp-codes/$1"; echo "$code"; }\n'
)
CURL_WRAPPER = (
    "curl() { command curl --connect-timeout 5 --max-time 30 "
    "-w '%{stderr}@@http %{http_code}\\n' \"$@\"; }\n"
)


def walkthrough_block() -> str:
    """The ```sh block of the API section that starts the walk-through (with /auth/token/)."""
    api_section = README.read_text(encoding="utf-8").split("\n## API\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```sh\n(.*?)^```$", api_section, re.MULTILINE | re.DOTALL)
    walkthroughs = [block for block in blocks if "/auth/token/" in block]
    assert len(walkthroughs) == 1, "the API section must hold exactly one curl walk-through"
    return walkthroughs[0]


def split_steps(block: str) -> tuple[str, dict[int, str]]:
    """The preamble (helpers, the base URL) and the numbered steps."""
    starts = list(STEP.finditer(block))
    assert starts, "the walk-through's steps are numbered comments: # 1. …"
    steps = {}
    for match, following in zip(starts, [*starts[1:], None], strict=True):
        steps[int(match.group(1))] = block[match.start(): following.start() if following else len(block)]
    assert list(steps) == list(range(1, len(steps) + 1)), "steps are numbered 1, 2, 3, …"
    return block[: starts[0].start()], steps


def run_walkthrough(base_url: str, cwd: Path) -> tuple[dict[int, str], dict[int, list[int]]]:
    """Run every step; per step, what it printed and the HTTP statuses its requests got."""
    preamble, steps = split_steps(walkthrough_block())
    assert README_BASE_URL in preamble, "the walk-through starts from http://127.0.0.1:8000"
    assert "\notp_code() {" in preamble, "the walk-through defines otp_code, for the officials' tokens"
    script = preamble.replace(README_BASE_URL, base_url) + CURL_WRAPPER + OTP_CODES
    for number, step in steps.items():
        assert README_BASE_URL not in step.replace(README_BASE_URL, base_url)
        script += f"printf '\\n@@step {number}\\n'; printf '@@step {number}\\n' >&2\n{step}\n"
    done = subprocess.run(
        ["bash", "-e", "-c", script], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"the walk-through failed:\n{done.stdout}\n{done.stderr}"

    printed = {int(n): text.strip() for n, text in re.findall(r"@@step (\d+)\n(.*?)(?=\n@@step |\Z)",
                                                                   done.stdout, re.DOTALL)}
    statuses: dict[int, list[int]] = {}
    current = 0
    for line in done.stderr.splitlines():
        if line.startswith("@@step "):
            current = int(line.split()[1])
            statuses[current] = []
        elif line.startswith("@@http "):
            statuses[current].append(int(line.split()[1]))
    assert sorted(printed) == sorted(steps) == sorted(statuses), (done.stdout, done.stderr)
    return printed, statuses


def json_objects(text: str) -> list:
    """The JSON documents a step printed one after the other (curl adds no newline)."""
    decoder, found, position = json.JSONDecoder(), [], 0
    while position < len(text):
        if text[position].isspace():
            position += 1
            continue
        document, position = decoder.raw_decode(text, position)
        found.append(document)
    return found


@pytest.mark.django_db(transaction=True)
def test_readme_walkthrough_runs_against_a_live_server(live_server, tmp_path):
    call_command("seed_demo", allow_debug_off=True, stdout=io.StringIO())
    for name in ["licence", "application-form", "business-licence", "audit-report", "ip-evidence", "use-case",
                 "security-rules", "security-assessment", "joint-form", "premises", "legal-rep-id", "layout",
                 "safety-rules", "safety-staff"]:
        (tmp_path / f"{name}.pdf").write_bytes(PDF)
    (tmp_path / "otp-codes").mkdir()
    for official in User.objects.filter(username__startswith="official_"):
        enrol_second_factor(official)
        device = StaticDevice.objects.create(user=official, name="recovery codes", confirmed=True)
        codes = [device.token_set.create(token=StaticToken.random_token()).token for _ in range(3)]
        (tmp_path / "otp-codes" / official.username).write_text("\n".join(codes) + "\n")

    printed, statuses = run_walkthrough(live_server.url, tmp_path)

    # 1. The token: captured into $TOKEN, nothing printed.
    assert statuses[1] == [200] and printed[1] == ""
    # 2. The registration: pending, awaiting an official.
    assert statuses[2] == [201]
    [registered] = json_objects(printed[2])
    assert registered["status"] == "pending" and registered["uscc"] == "91110106MA01FTCC3R"
    assert Enterprise.objects.get(uscc="91110106MA01FTCC3R").status == Enterprise.Status.PENDING
    # 3. /me/ gives the demo's verified enterprise.
    assert statuses[3] == [200]
    # 4. The draft.
    assert statuses[4] == [201]
    application = Application.objects.get(service__code="FT-KX-0002")
    assert application.enterprise.name == "北京丰泽智能科技有限公司"
    # 5. One document per required material.
    assert statuses[5] == [201] * 4
    uploaded = json_objects(printed[5])
    assert [document["material"] for document in uploaded] == [
        "application-form", "business-licence", "audit-report", "ip-evidence",
    ]
    # 6. Submitted.
    assert statuses[6] == [200]
    [submitted] = json_objects(printed[6])
    assert submitted["id"] == application.pk and submitted["status"] == "submitted"
    # 7. The status, then the timeline.
    assert statuses[7] == [200, 200]
    status_line, events_json = printed[7].split("\n", 1)
    assert status_line == "submitted"
    [events] = json_objects(events_json)
    assert [event["action"] for event in events["results"]] == [
        "application.created", *["application.document_attached"] * 4, "application.submitted",
    ]
    assert application.documents.count() == 4

    # 8. The official's token.
    assert statuses[8] == [200] and printed[8] == ""
    # 9. His queue holds the submission as its acceptance; he approves it there, which accepts it.
    assert statuses[9] == [200, 200] and printed[9] == "accepted"
    acceptance = application.tasks.select_related("decided_by").get(kind=Task.Kind.ACCEPTANCE)
    assert (acceptance.status, acceptance.decided_by.username) == (Task.Status.APPROVED, "official_kxj")
    # 10. Three ordered steps, each found in his queue and approved; the last decides.
    assert statuses[10] == [200, 200] * 3
    assert printed[10].split() == ["in_review", "in_review", "approved"]
    # 11. The clerk reads the decision and the timeline.
    assert statuses[11] == [200, 200]
    decided_on, events_json = printed[11].split("\n", 1)
    application.refresh_from_db()
    assert application.state == State.APPROVED and decided_on == application.decided_on.isoformat()
    [events] = json_objects(events_json)
    assert [event["action"] for event in events["results"]][-5:] == [
        "application.submitted", "application.accepted", "application.step_approved",
        "application.step_approved", "application.approved",
    ]
    assert events["results"][-1]["actor"] == "official_kxj"
    assert set(application.tasks.values_list("status", flat=True)) == {Task.Status.APPROVED}

    # 12. The deferred-mode draft, its four uploads and the submission with one material deferred.
    assert statuses[12] == [201] * 5 + [200]
    [deferred_json] = json_objects(printed[12])
    assert deferred_json["status"] == "submitted" and deferred_json["service"] == "FT-ZW-0003"
    assert [(d["material"], d["supplied"]) for d in deferred_json["deferred"]] == [("security-assessment", False)]
    deferred = Application.objects.get(pk=deferred_json["id"])
    assert Commitment.objects.filter(application=deferred).exists()
    # 13. Accepted and approved on condition.
    assert statuses[13] == [200, 200, 200] + [200, 200] * 2
    assert printed[13].split() == ["in_review", "approved_pending_documents"]
    # 14. The material supplied: still conditional until checked.
    assert statuses[14] == [200]
    [supplied] = json_objects(printed[14])
    assert supplied["status"] == "approved_pending_documents" and supplied["deferred"][0]["supplied"] is True
    # 15. Checked: the approval is final.
    assert statuses[15] == [200] and printed[15] == "approved"
    deferred.refresh_from_db()
    assert deferred.state == State.APPROVED and deferred.deferred.get().checked_at is not None
    assert [event.action for event in events_of(deferred)][-5:] == [
        "application.accepted", "application.step_approved", "application.approved_pending_documents",
        "application.deferred_supplied", "application.documents_complete",
    ]

    # 16. The parallel-mode draft, submitted and accepted: four tasks open at once.
    assert statuses[16] == [201] * 5 + [200, 200, 200] and printed[16] == "4"
    parallel = Application.objects.get(service__code="FT-ZW-0002")
    # 17. Each department's official decides his own task (token, queue, decision).
    assert statuses[17] == [200, 200, 200] * 4
    assert printed[17].split() == ["in_review", "in_review", "in_review", "approved"]
    parallel.refresh_from_db()
    assert parallel.state == State.APPROVED
    assert {(task.department.code, task.status, task.decided_by.username)
            for task in parallel.tasks.select_related("department", "decided_by")} == {
        (code, Task.Status.APPROVED, f"official_{code.lower()}") for code in ("ZWFW", "SCJGJ", "WJW", "ZJW")
    }
    assert [event.action for event in events_of(parallel)][-5:] == [
        "application.accepted", *["application.step_approved"] * 3, "application.approved",
    ]

    # 18. The commitment-mode draft (four uploads), its form filled in, two materials of steps 12 and 16
    #     reused (免提交), approved on submission.
    assert statuses[18] == [201] * 5 + [200] + [200, 201] * 2 + [200] and printed[18] == "approved"
    commitment = Application.objects.get(service__code="FT-SC-0001")
    assert commitment.state == State.APPROVED and commitment.decided_on == commitment.received_on
    assert commitment.form["floor_area"] == 120 and commitment.form["staff"][0]["health_certificate"] == "JK2026-0001"
    reused = {document.material.code: document.reused_from.application.service.code
              for document in commitment.documents.filter(reused_from__isnull=False).select_related(
                  "material", "reused_from__application__service")}
    assert set(reused) == {"business-licence", "legal-rep-id"} and reused["legal-rep-id"] == "FT-ZW-0002"
    assert reused["business-licence"] in {"FT-KX-0002", "FT-ZW-0003"}
    assert Commitment.objects.filter(application=commitment).exists()
    assert [event.action for event in events_of(commitment)][-1] == "application.granted_on_commitment"

    # 19. The summary: one application per mode, each decided.
    assert statuses[19] == [200]
    assert [line.split()[:2] for line in printed[19].splitlines()] == [
        ["FT-KX-0002", "approved"], ["FT-ZW-0003", "approved"], ["FT-ZW-0002", "approved"],
        ["FT-SC-0001", "approved"],
    ]
    assert Application.objects.count() == 4
