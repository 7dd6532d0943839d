"""Settings, demo data and the site's languages."""

import io
import os
import re
import subprocess
import sys

import polib
import pytest
from django.core.management import CommandError, call_command

from enterprises.models import Enterprise, Membership
from portal.models import User
from services.models import Department
from tests.helpers import ROOT


def run_check(**env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items()
                   if k not in {"DATABASE_URL", "SECRET_KEY", "DEBUG", "DEV", "DJANGO_SETTINGS_MODULE"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=environment,
        capture_output=True, text=True, timeout=120,
    )


def test_bad_database_url_fails_at_start_with_a_clear_message():
    result = run_check(DATABASE_URL="mysqlx://nowhere/db", DEV="1")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr and "is not understood" in result.stderr


def test_missing_secret_key_in_production_fails_at_start():
    for debug in ({}, {"DEBUG": "false"}, {"DEBUG": "true"}):
        result = run_check(**debug)
        assert result.returncode != 0
        assert "SECRET_KEY must be set" in result.stderr


def test_bad_boolean_is_refused():
    result = run_check(DEBUG="maybe", DEV="1")
    assert result.returncode != 0 and "DEBUG" in result.stderr
    result = run_check(DEV="sometimes")
    assert result.returncode != 0 and "DEV" in result.stderr


def test_development_defaults_start():
    assert run_check(DEV="1").returncode == 0


@pytest.mark.django_db
def test_seed_demo_on_a_production_database_is_refused_unless_told(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--allow-debug-off"):
        call_command("seed_demo")
    assert not User.objects.filter(username="admin").exists()
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    assert User.objects.filter(username="admin", is_superuser=True).exists()


def test_an_sms_backend_named_by_its_old_module_still_loads():
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment["SMS_BACKEND"] = "services.sms.FileBackend"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from notifications.sms import backend; print(type(backend()).__name__)"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "FileBackend"


def test_make_serve_loads_demo_data_only_when_asked():
    def recipe(*args: str) -> str:
        return subprocess.run(["make", "-n", "serve", *args], cwd=ROOT, capture_output=True, text=True,
                              check=True, env={**os.environ, "MAKEFLAGS": ""}).stdout

    assert "seed_demo" not in recipe("-o", ".venv/.installed")
    assert "seed_demo" in recipe("-o", ".venv/.installed", "DEMO=1")


@pytest.mark.django_db
def test_seed_demo_twice_gives_the_same_rows(capsys):
    def counts():
        return (User.objects.count(), Department.objects.count(), Enterprise.objects.count(),
                Membership.objects.count())

    call_command("seed_demo", allow_debug_off=True)
    first = counts()
    call_command("seed_demo", allow_debug_off=True)
    assert counts() == first
    assert first[1] == 9 and first[2] == 2
    assert set(Enterprise.objects.values_list("status", flat=True)) == {"verified"}
    output = capsys.readouterr().out
    assert "official_zwfw" in output and "clerk1" in output


@pytest.mark.django_db
def test_home_is_chinese_by_default_and_switches_to_english(client):
    assert "一站式" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "one-stop" in client.get("/").content.decode()


def test_every_text_of_the_portal_has_its_chinese_translation_with_the_same_placeholders():
    """A clerk reading Chinese never meets an English sentence, nor a message missing its figures."""
    catalogue = polib.pofile(str(ROOT / "portal" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    placeholders = re.compile(r"%\(\w+\)[sd]")
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    mismatched = [
        entry.msgid for entry in catalogue.translated_entries()
        if not entry.msgid_plural and sorted(placeholders.findall(entry.msgid)) != sorted(
            placeholders.findall(entry.msgstr))
    ]
    assert (untranslated, fuzzy, mismatched) == ([], [], [])
