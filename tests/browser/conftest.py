"""Real-browser journeys: Debian's Chromium, headless, driven by Playwright against a live server.

Each test gets its own browser (Playwright's sync API keeps an event loop running on the test's
thread while it is started: it is stopped before the database is flushed, and no other test of the
worker ever sees it), the live server of its xdist worker on PostgreSQL, and Celery tasks run
in-process as everywhere in the suite. Screenshots go to test-artifacts/browser/<test>/.
"""

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections

from tests.browser.checks import AXE_SCRIPT, ArtefactFolder
from tests.browser.pages import Person
from tests.helpers import ROOT

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARTEFACTS = ROOT / "test-artifacts" / "browser"
WAIT_MS = 5_000  # every Playwright wait: an element, a click's effect
NAVIGATION_MS = 10_000  # a page load (a PDF's generation included)

# Pages in Chinese render with the Noto Sans SC file the notices embed (a PyPI package), so the
# screenshots are readable without a Debian CJK font; the system's fonts stay available.
FONTS_CONF = """<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><include ignore_missing="yes">/etc/fonts/fonts.conf</include><dir>{folder}</dir>
<cachedir>{cache}</cachedir></fontconfig>"""


def _missing_tools() -> str | None:
    if not os.access(CHROMIUM, os.X_OK):
        return (f"The browser tests drive Debian's Chromium at {CHROMIUM}, which is missing: install the "
                "Debian package chromium (apt-get install --no-install-recommends chromium; .ci/run does), "
                "or set CHROMIUM to its path.")
    if not AXE_SCRIPT.exists():
        return f"axe-core is missing ({AXE_SCRIPT}): run `npm ci` in the checkout (make test does)."
    return None


def _fonts_config(folder: Path) -> Path:
    from importlib.resources import files

    from services.applications.notices.pdf import FONT_FILE

    package, path = FONT_FILE
    font_folder = Path(str(files(package).joinpath(path))).parent
    config = folder / "fonts.conf"
    config.write_text(FONTS_CONF.format(folder=font_folder, cache=folder / "font-cache"))
    return config


@pytest.fixture
def artefacts(request) -> ArtefactFolder:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    folder = ARTEFACTS / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return ArtefactFolder(folder)


@pytest.fixture
def browser(transactional_db, live_server, artefacts, monkeypatch, tmp_path_factory) -> Iterator:
    """A function making people, each with their own browser context (cookies), on the live server.

    The database is set up before the live server (both last the session), so the server, and its
    connections, stop before the test database is dropped."""
    problem = _missing_tools()
    if problem:
        pytest.fail(problem, pytrace=False)  # never a skip: the journeys are part of the suite
    from playwright.sync_api import sync_playwright

    # The test's own ORM calls run beside Playwright's running loop on this thread: not concurrently.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    fonts = _fonts_config(tmp_path_factory.mktemp("fonts"))
    playwright = sync_playwright().start()
    contexts = []
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, timeout=15_000,
            env={**os.environ, "FONTCONFIG_FILE": str(fonts)},
        )

        def person(kind: type[Person], name: str) -> Person:
            context = chromium.new_context(
                base_url=live_server.url, locale="zh-CN", viewport=kind.screen,
                accept_downloads=True,
            )
            context.set_default_timeout(WAIT_MS)
            context.set_default_navigation_timeout(NAVIGATION_MS)
            contexts.append(context)
            return kind(name, context.new_page(), artefacts)

        yield person
    finally:
        for context in contexts:
            context.close()
        # While Playwright's loop runs, Django keeps the test's connections per asyncio context (asgiref's
        # Local): closed here, or they would outlive the test and block dropping the test database.
        connections.close_all()
        playwright.stop()


@pytest.fixture
def browser_world(db, make_user, make_official, make_enterprise, departments, tmp_path):
    """The people and items of the journeys: officials with the demo's permissions and their
    authenticator apps, a verified enterprise with its clerk, an item of each mode the journeys
    file, and PDFs to upload. Each test has its own (the live server's database is flushed after it)."""
    from django.contrib.auth.models import Permission

    from portal.management.commands.seed_demo import OFFICIAL_PERMISSIONS
    from services.models import Department, FormField, MaterialRequirement, ReviewStep, ServiceItem
    from tests.helpers import enrol_second_factor, pdf_bytes

    permissions = [Permission.objects.get(content_type__app_label=label.split(".")[0], codename=label.split(".")[1])
                   for label in OFFICIAL_PERMISSIONS]
    market = Department.objects.create(code="SCJGJ", name="区市场监管局", name_en="District Market Regulation")
    officials = {"registrar": make_official("registrar", departments["ZWFW"]), "scj": make_official("scj", market)}
    for official in officials.values():
        official.user_permissions.add(*permissions)
        enrol_second_factor(official)
    clerk = make_user("clerk", first_name="王小明")
    enterprise = make_enterprise(clerk, name="北京先丰科技有限公司")

    def item(code: str, mode: str, name: str, **fields) -> ServiceItem:
        service = ServiceItem.objects.create(
            code=code, name=name, category="enterprise", lead_department=market, approval_mode=mode,
            statutory_days=20, promised_days=10, commitment_text="本单位承诺所填信息真实有效，并按期补齐材料。",
            legal_basis="《中华人民共和国行政许可法》第二十九条", **fields,
        )
        service.departments.set([market])
        MaterialRequirement.objects.create(service=service, code="form", name="申请表", required=True, essential=True)
        MaterialRequirement.objects.create(service=service, code="lease", name="经营场所租赁合同", required=True,
                                           deferrable=(mode == "deferred"))
        ReviewStep.objects.create(service=service, order=1, name="材料审查", department=market)
        return service

    items = {
        "standard": item("STD", "standard", "食品经营许可"),
        "deferred": item("DEF", "deferred", "户外广告设施设置许可"),
        "commitment": item("COM", "commitment", "公共场所卫生许可", post_check_ratio="0.000"),
    }
    FormField.objects.create(service=items["deferred"], order=1, key="operator_name", kind="text", label="经营者名称",
                             label_en="Operator", required=True, max_length=60, prefill="enterprise.name")
    FormField.objects.create(service=items["deferred"], order=2, key="floor_area", kind="number",
                             label="设置面积（平方米）", label_en="Area (m²)", required=True, min_value=1, max_value=500)

    def pdf(name: str) -> Path:
        path = tmp_path / name
        path.write_bytes(pdf_bytes(name))
        return path

    return {"officials": officials, "clerk": clerk, "enterprise": enterprise, "market": market,
            "items": items, "pdf": pdf}

