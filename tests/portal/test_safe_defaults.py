"""Production is the default: DEBUG off, SECRET_KEY required, HTTPS only, security headers everywhere.

The suite itself runs with DEV=1 (tests/pytest_environment.py); the production defaults are tested
here in subprocesses started without it, and the headers on every kind of page in-process with
the production values of the HTTPS settings.
"""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.helpers import ROOT

# Variables of the test environment or the developer's shell that would change the defaults.
CONFIGURATION = {
    "DEV", "DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "ALLOWED_HOSTS",
    "ADMIN_URL", "API_DOCS_PUBLIC", "DJANGO_SETTINGS_MODULE", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER", "SECURE_REFERRER_POLICY", "PERMISSIONS_POLICY", "CSP_REPORT_URI",
    "FIELD_ENCRYPTION_KEY", "FIELD_LOOKUP_KEY",
}
HSTS_YEAR = 31536000


def production(tmp_path: Path, **variables: str) -> dict[str, str]:
    """A production environment: no DEV, real keys and host, an SQLite file (no service needed)."""
    environment = {key: value for key, value in os.environ.items() if key not in CONFIGURATION}
    environment.update({
        "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "portal.example.gov.cn",
        "FIELD_ENCRYPTION_KEY": f"k1:{secrets.token_hex(16)}", "FIELD_LOOKUP_KEY": secrets.token_hex(32),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    })
    environment.update(variables)
    return {key: value for key, value in environment.items() if value is not None}


def manage(environment: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)


def shell(environment: dict[str, str], code: str) -> list[str]:
    result = manage(environment, "shell", "-c", code)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()


# --- production is the default -----------------------------------------------------------------


def test_check_deploy_reports_nothing_with_production_settings(tmp_path):
    result = manage(production(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr


def test_a_start_without_secret_key_fails_naming_it(tmp_path):
    for debug in (None, "true"):
        result = manage(production(tmp_path, SECRET_KEY=None, DEBUG=debug), "check")
        assert result.returncode != 0
        assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY must be set" in result.stderr


def test_debug_and_the_https_settings_default_to_production(tmp_path):
    printed = shell(production(tmp_path), (
        "from django.conf import settings as s; print(s.DEV, s.DEBUG, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.X_FRAME_OPTIONS, s.SECURE_PROXY_SSL_HEADER, s.API_DOCS_PUBLIC)"))
    assert printed[-1] == f"False False True {HSTS_YEAR} True True True DENY None False"


def test_production_answers_no_host_it_is_not_told(tmp_path):
    printed = shell(production(tmp_path, ALLOWED_HOSTS=None),
                    "from django.conf import settings; print(settings.ALLOWED_HOSTS)")
    assert printed[-1] == "[]"


def test_development_is_asked_for_with_dev(tmp_path):
    printed = shell(production(tmp_path, SECRET_KEY=None, ALLOWED_HOSTS=None, DEV="1"), (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.API_DOCS_PUBLIC)"))
    assert printed[-1] == "True False 0 False True"


def test_the_proxy_ssl_header_is_configurable(tmp_path):
    code = "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)"
    assert shell(production(tmp_path, SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO"), code)[-1] == (
        "('HTTP_X_FORWARDED_PROTO', 'https')")
    refused = manage(production(tmp_path, SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto"), "check")
    assert refused.returncode != 0 and "SECURE_PROXY_SSL_HEADER" in refused.stderr


def test_admin_url_moves_the_admin(tmp_path):
    printed = shell(production(tmp_path, ADMIN_URL="office/", ALLOWED_HOSTS="testserver"), (
        "from django.test import Client; from django.urls import reverse; c = Client(); "
        "print(reverse('admin:index'), c.get('/office/login/', secure=True).status_code, "
        "c.get('/admin/login/', secure=True).status_code)"))
    assert printed[-1] == "/office/ 200 404"


def test_make_run_is_development_and_make_serve_production():
    def recipe(target: str) -> str:
        return subprocess.run(["make", "-n", target, "-o", ".venv/.installed"], cwd=ROOT, capture_output=True,
                              text=True, check=True, env={**os.environ, "MAKEFLAGS": ""}).stdout

    def portal_lines(text: str) -> list[str]:
        return [line for line in text.replace("\\\n", " ").splitlines() if re.search(r"manage\.py (migrate|check)|honcho", line)]

    run, serve = portal_lines(recipe("run")), portal_lines(recipe("serve"))
    assert run and all("DEV=1" in line for line in run)
    assert serve and all(line.startswith("env -u DEV -u DEBUG") and "DEV=1" not in line for line in serve)
    assert any("check --deploy" in line for line in serve)
    # Without SECRET_KEY it stops at once, saying how to make one.
    missing = subprocess.run(["make", "serve-secret-key"], cwd=ROOT, capture_output=True, text=True,
                             env={k: v for k, v in os.environ.items() if k != "SECRET_KEY"} | {"MAKEFLAGS": ""})
    assert missing.returncode != 0 and "needs SECRET_KEY" in missing.stderr


# --- the headers on every kind of page ----------------------------------------------------------


@pytest.fixture
def https_production(settings):
    """The HTTPS settings as production has them (the suite runs with DEV=1)."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = HSTS_YEAR
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.API_DOCS_PUBLIC = False
    return settings


def token_of(user) -> APIClient:
    _, token = AuthToken.objects.create(user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def policy(header: str) -> dict[str, list[str]]:
    directives = {}
    for directive in filter(None, (part.strip() for part in header.split(";"))):
        name, *sources = directive.split()
        directives[name] = sources
    return directives


def assert_security_headers(response) -> None:
    csp = policy(response["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"] and csp["frame-ancestors"] == ["'none'"]
    assert csp["script-src"] == ["'self'"], csp  # no 'unsafe-inline', no 'unsafe-eval', no CDN
    assert csp["object-src"] == ["'none'"]
    assert response["Strict-Transport-Security"] == f"max-age={HSTS_YEAR}; includeSubDomains"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_security_headers_on_every_kind_of_page(https_production, client, world, alice, alices_enterprise):
    pages = {
        "home": ("/", 200),
        "service catalogue": (reverse("service_list"), 200),
        "guide": (reverse("service_guide", args=[world["standard"].code]), 200),
        "login": (reverse("login"), 200),
        "admin login": (reverse("admin:login"), 200),
        "API error (JSON)": ("/api/v1/me/", 401),
        "API docs, anonymous": (reverse("api-docs"), 401),
        "404": ("/no-such-page/", 404),
    }
    for name, (url, status) in pages.items():
        response = client.get(url, secure=True)
        assert response.status_code == status, (name, response.status_code)
        assert_security_headers(response)

    plain = client.get("/", secure=False)
    assert plain.status_code == 301 and plain["Location"].startswith("https://")

    api = token_of(alice)
    me = api.get("/api/v1/me/", secure=True)
    assert me.status_code == 200 and me["Content-Type"].startswith("application/json")
    assert_security_headers(me)

    client.force_login(alice)
    for url in (reverse("my_enterprises"), reverse("enterprise_licence", args=[alices_enterprise.pk]),
                reverse("api-docs"), reverse("api-docs") + "?script", reverse("api-schema")):
        response = client.get(url, secure=True)
        assert response.status_code == 200, (url, response.status_code)
        assert_security_headers(response)


@pytest.mark.django_db
def test_api_docs_are_for_signed_in_users_in_production(https_production, client, alice):
    for url in (reverse("api-docs"), reverse("api-schema")):
        assert client.get(url, secure=True).status_code in {302, 401, 403}
    assert token_of(alice).get(reverse("api-schema"), secure=True).status_code == 200
    client.force_login(alice)
    docs = client.get(reverse("api-docs"), secure=True)
    assert docs.status_code == 200
    # Swagger UI starts from a script file of its own: the page has no inline script.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", docs.content.decode()) == []
    script = client.get(reverse("api-docs") + "?script", secure=True)
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")


@pytest.mark.django_db
def test_api_docs_are_public_in_development(settings, client):
    settings.API_DOCS_PUBLIC = True
    assert client.get(reverse("api-docs")).status_code == 200
    assert client.get(reverse("api-schema")).status_code == 200


def test_no_template_has_an_inline_script_or_event_handler():
    """The CSP allows scripts from the portal's files only: an inline one would silently not run."""
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
    handler = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
    javascript_url = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
    offenders = []
    for template in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in template.parts:
            continue
        text = template.read_text(encoding="utf-8")
        if inline_script.search(text) or handler.search(text) or javascript_url.search(text):
            offenders.append(str(template.relative_to(ROOT)))
    assert offenders == []
