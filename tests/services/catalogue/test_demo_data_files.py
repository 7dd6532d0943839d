"""The demo content as data files: a malformed file is refused naming the file and the entry, and
seeding twice changes nothing."""

import datetime
import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command

from enterprises.models import Enterprise, Membership
from portal.models import AuditEvent, User
from services.catalogue import demo as catalogue_demo
from services.catalogue.demo import CATALOGUE_FILE, load_catalogue
from services.catalogue.demo_files import DemoDataError
from services.models import Department, MaterialRequirement, ReviewStep, ServiceItem
from talent import demo as talent_demo
from talent.demo import POLICIES_FILE, TALENT_FILE, load_policies, load_talent
from talent.models import Talent, TalentPolicy


@pytest.fixture(autouse=True)
def in_the_demo_period():
    # The demo talent's months in the district and start dates are read on a day of the demo period.
    with time_machine.travel(datetime.datetime(2026, 11, 28, 12, 0), tick=False):
        yield


def altered(source: Path, tmp_path: Path, change: Callable[[Any], None]) -> Path:
    """A copy of a shipped data file with one change."""
    data = json.loads(source.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / source.name
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def test_the_shipped_files_are_read_from_next_to_their_loaders():
    assert CATALOGUE_FILE == Path(catalogue_demo.__file__).parent / "demo_data" / "catalogue.json"
    assert POLICIES_FILE.parent == TALENT_FILE.parent == Path(talent_demo.__file__).parent / "demo_data"
    catalogue, policies, demo = load_catalogue(), load_policies(), load_talent()
    assert len(catalogue.items) == 17 and len(policies.measures) == 10 and len(demo.talent) == 6
    assert [measure.code for measure in policies.measures] == [f"FC-{n:02d}" for n in range(1, 11)]


def set_in(*keys: Any, value: Any) -> Callable[[Any], None]:
    def change(data: Any) -> None:
        for key in keys[:-1]:
            data = data[key]
        data[keys[-1]] = value
    return change


def drop(*keys: Any) -> Callable[[Any], None]:
    def change(data: Any) -> None:
        for key in keys[:-1]:
            data = data[key]
        del data[keys[-1]]
    return change


@pytest.mark.parametrize(("source", "load", "change", "entry", "problem"), [
    (CATALOGUE_FILE, load_catalogue, set_in("items", 3, "materials", 1, "deferrable", value=True),
     "items[3] (FT-SC-0001), materials[1] (business-licence)", "deferrable"),
    (CATALOGUE_FILE, load_catalogue, set_in("items", 0, "materials", 0, "required", value="yes"),
     "items[0] (FT-RC-0001), materials[0] (application-form)", "“required” must be true or false"),
    (CATALOGUE_FILE, load_catalogue, set_in("items", 0, "promised_days", value=25),
     "items[0] (FT-RC-0001)", "promised_days"),
    (CATALOGUE_FILE, load_catalogue, set_in("items", 0, "approval_mode", value="fast"),
     "items[0] (FT-RC-0001)", "allowed: standard, deferred, parallel, commitment"),
    (CATALOGUE_FILE, load_catalogue, set_in("items", 0, "deferal_days", value=5),
     "items[0] (FT-RC-0001)", "unknown key(s) deferal_days"),
    (CATALOGUE_FILE, load_catalogue, drop("items", 2, "name"), "items[2] (FT-KX-0001)", "“name” is missing"),
    (CATALOGUE_FILE, load_catalogue, set_in("items", 1, "code", value="FT-RC-0001"),
     "items[1] (FT-RC-0001)", "given twice"),
    (CATALOGUE_FILE, load_catalogue, set_in("items", 0, "steps", 1, "department", value="ZZZ"),
     "items[0] (FT-RC-0001), steps[1] (人才资格审核)", "ZZZ"),
    (POLICIES_FILE, load_policies, set_in("measures", 3, "rules", "max_age", value="45"),
     "measures[3] (FC-04)", "max_age"),
    (POLICIES_FILE, load_policies, set_in("measures", 3, "closes_on", value="2025-13-01"),
     "measures[3] (FC-04)", "“closes_on” must be a date"),
    (TALENT_FILE, load_talent, set_in("talent", 2, "tier", value="E"), "talent[2] (周婉清)", "allowed: A, B, C, D"),
    (TALENT_FILE, load_talent, set_in("talent", 2, "sequence", value="31"), "talent[2] (周婉清)", "sequence"),
])
def test_a_malformed_file_is_refused_naming_the_file_and_the_entry(tmp_path, source, load, change, entry, problem):
    path = altered(source, tmp_path, change)
    with pytest.raises(DemoDataError) as refused:
        load(path)
    message = str(refused.value)
    assert message.startswith(f"{path}, {entry}: "), message
    assert problem in message


def test_a_file_that_is_not_json_is_refused_with_its_line(tmp_path):
    path = tmp_path / "catalogue.json"
    path.write_text('{\n  "label": "x",\n  "items": [,]\n}\n', encoding="utf-8")
    with pytest.raises(DemoDataError, match=r"catalogue\.json, line 3 column 13: not valid JSON"):
        load_catalogue(path)


@pytest.mark.django_db
def test_seed_demo_refuses_a_malformed_file_with_a_command_error_and_writes_nothing(tmp_path, monkeypatch):
    path = altered(POLICIES_FILE, tmp_path, set_in("measures", 5, "rules", "tiers", value=["A", "Z"]))
    monkeypatch.setattr(talent_demo, "POLICIES_FILE", path)
    with pytest.raises(CommandError) as refused:
        call_command("seed_demo", allow_debug_off=True, stdout=StringIO())
    assert str(refused.value).startswith(f"{path}, measures[5] (FC-06): rules: ")
    assert "Z" in str(refused.value)
    # One transaction: the departments, users and items seeded before the policies are gone too.
    assert not Department.objects.exists() and not User.objects.exists() and not ServiceItem.objects.exists()


def rows() -> dict[str, list[dict[str, Any]]]:
    """Every row seed_demo writes, field by field."""
    models = (User, Department, Department.officials.through, Enterprise, Membership, ServiceItem,
              ServiceItem.departments.through, MaterialRequirement, ReviewStep, TalentPolicy, Talent, AuditEvent)
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in models}


@pytest.mark.django_db
def test_seeding_twice_changes_nothing():
    call_command("seed_demo", allow_debug_off=True, stdout=StringIO())
    first = rows()
    call_command("seed_demo", allow_debug_off=True, stdout=StringIO())
    assert rows() == first
    assert len(first["services.ServiceItem"]) == 17 + 10 + 4  # the catalogue, the talent and the enterprise policies
    assert len(first["talent.Talent"]) == 6
