"""An error shows the portal's own page, in the reader's language, with nothing technical on it;
and `make run` shows these pages too, with its static files still served."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.test import Client

from tests.helpers import ROOT

pytestmark = pytest.mark.django_db
TECHNICAL = ("Using the URLconf", "Traceback", "DATABASE_PASSWORD", "api/v1/", "RuntimeError", "Django")


@pytest.fixture(autouse=True)
def failing_addresses(settings):
    settings.ROOT_URLCONF = "tests.portal.error_urls"
    settings.DEBUG = False


def page(path: str, language: str, client: Client | None = None):
    client = client or Client(headers={"accept-language": language}, raise_request_exception=False)
    return client.get(path)


def branded(html: str) -> bool:
    return 'class="brand"' in html and "先丰港" in html and 'href="/"' in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_missing_page_is_the_portal_s_404_in_the_reader_s_language(language):
    response = page("/no-such-page/", language)
    html = response.content.decode()
    assert response.status_code == 404 and branded(html)
    assert f'<html lang="{language}">' in html and "404" in html
    assert not any(words in html for words in TECHNICAL)
    if language == "en":
        assert "This page does not exist" in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_forbidden_page_is_the_portal_s_403(language):
    response = page("/test-forbidden/", language)
    html = response.content.decode()
    assert response.status_code == 403 and branded(html) and "403" in html
    assert not any(words in html for words in TECHNICAL)
    if language == "en":
        assert "You may not open this page" in html


def test_an_expired_form_is_the_portal_s_page_too():
    client = Client(enforce_csrf_checks=True, headers={"accept-language": "en"})
    response = client.post("/accounts/login/", {"username": "alice", "password": "x"})
    html = response.content.decode()
    assert response.status_code == 403 and branded(html) and "The form has expired" in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_bug_is_the_portal_s_500_with_no_detail(language):
    response = page("/test-broken/", language)
    html = response.content.decode()
    assert response.status_code == 500 and branded(html) and "500" in html
    assert not any(words in html for words in TECHNICAL)
    if language == "en":
        assert "Something went wrong" in html


def test_the_api_keeps_answering_json():
    response = Client().get("/api/v1/no-such-resource/")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")


def make_run_recipe(*args: str) -> str:
    """The command `make run` serves with, as `make -n` prints it (run inside `make test` too)."""
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("DEBUG", "PORTAL_BASE_URL", "MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    printed = subprocess.run(["make", "--no-print-directory", "-n", "run", "-o", ".venv/.installed", "-o", "messages",
                              *args], cwd=ROOT, capture_output=True, text=True, check=True, env=environment).stdout
    [served] = [line for line in printed.splitlines() if "PORTAL_BASE_URL=" in line]
    return served


def test_make_run_shows_technical_pages_only_when_asked_and_links_follow_its_port():
    served = make_run_recipe("PORT=8001")
    assert "DEBUG=false" in served and "PORTAL_BASE_URL=http://127.0.0.1:8001" in served
    assert "DEBUG=true" in make_run_recipe("DEBUG=1")
    assert "runserver --insecure" in (ROOT / "Procfile.run").read_text()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_make_run_s_server_with_debug_off_serves_static_files_and_the_portal_s_404(tmp_path):
    port = free_port()
    environment = {**{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
                   "DEV": "1", "DEBUG": "false", "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}"}
    web = subprocess.Popen([sys.executable, "manage.py", "runserver", "--insecure", "--noreload", f"127.0.0.1:{port}"],
                           cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _attempt in range(60):
            try:
                script = urllib.request.urlopen(f"{base}/static/portal/print.js", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        else:
            pytest.fail("the development server did not answer")
        assert script.status == 200
        admin_css = urllib.request.urlopen(f"{base}/static/admin/css/base.css", timeout=5)
        assert admin_css.status == 200
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{base}/no-such-page/", timeout=5)
        html = missing.value.read().decode()
        assert missing.value.code == 404 and 'class="brand"' in html and "Using the URLconf" not in html
    finally:
        web.terminate()
        web.wait(timeout=10)
