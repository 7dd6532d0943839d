"""The pages a journey uses, one small helper per interaction: when a page changes (the clerk's
filing pages, the official's workbench), only its helper here changes, not the journeys.

Helpers find things by stable markers (ids, names, form actions, URLs), never by the words shown,
so the journeys run in Chinese, the portal's default language.
"""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.browser.checks import PHONE, ArtefactFolder, check_page
from tests.helpers import PASSWORD


@dataclass
class Person:
    """Someone at a browser: their own cookies, their screenshots in the test's folder."""

    name: str
    page: Any  # playwright.sync_api.Page
    artefacts: ArtefactFolder
    screen = {"width": 1280, "height": 900}  # the browser window's size (class attribute)

    def __post_init__(self) -> None:
        # The CSP (script-src 'self') refuses inline scripts and handlers: Chromium says so on the console.
        self.refused: list[str] = []
        self.page.on("console", lambda message: message.type == "error" and "Content Security Policy" in message.text
                     and self.refused.append(f"{self.page.url}: {message.text}"))

    def visit(self, path: str) -> None:
        self.page.goto(path)

    def look(self, what: str) -> None:
        """The page as the person sees it, saved; axe-core and the phone's width must pass."""
        check_page(self.page, self.artefacts, f"{self.name}-{what}")
        assert not self.refused, f"the page broke the Content-Security-Policy: {self.refused}"

    def messages(self) -> str:
        """The page's messages (Django's messages framework), as one text ('' for none)."""
        found = self.page.locator(".messages, .messagelist")
        return " ".join(found.all_inner_texts()) if found.count() else ""

    def id_in_url(self, pattern: str) -> int:
        match = re.search(pattern, self.page.url)
        assert match, f"{self.page.url} does not match {pattern}"
        return int(match.group(1))

    def download(self, href: str, name: str) -> bytes:
        """A file behind a link, fetched with the person's cookies, kept as an artefact."""
        response = self.page.request.get(href)
        assert response.ok, f"{href}: {response.status}"
        body = response.body()
        self.artefacts.path(f"{self.name}-{name}", "").write_bytes(body)
        return body


# --- the clerk ---------------------------------------------------------------------------------


class Clerk(Person):
    screen = PHONE  # a clerk files on a phone
    def sign_up(self, username: str, email: str, password: str = PASSWORD) -> None:
        self.visit("/accounts/signup/")
        self.look("sign-up")
        self.page.fill("#id_username", username)
        self.page.fill("#id_first_name", username.title())
        self.page.fill("#id_email", email)
        self.page.fill("#id_password1", password)
        self.page.fill("#id_password2", password)
        self.page.click("main form button[type=submit]")
        self.page.wait_for_url(lambda url: "/accounts/signup/" not in url)

    def sign_in(self, username: str, password: str = PASSWORD) -> None:
        self.visit("/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("main form button[type=submit]")
        self.page.wait_for_url(lambda url: "/accounts/login/" not in url)

    def register_enterprise(self, fields: dict[str, str], licence: Path) -> int:
        """The registration form filled in and sent: the new enterprise's id (its page is shown)."""
        self.visit("/enterprises/register/")
        self.look("register-enterprise")
        self._fill_registration(fields)
        self.page.set_input_files("#id_licence", str(licence))
        self.page.click("main form button[type=submit]")
        self.page.wait_for_url(re.compile(r"/enterprises/\d+/$"))
        return self.id_in_url(r"/enterprises/(\d+)/$")

    def correct_registration(self, enterprise: int, fields: dict[str, str]) -> None:
        """From the rejected enterprise's page: correct, and submit again."""
        self.visit(f"/enterprises/{enterprise}/")
        self.look("enterprise-rejected")
        self.page.click(f"a[href$='/enterprises/{enterprise}/resubmit/']")
        self.look("correct-registration")
        self._fill_registration(fields)
        self.page.click("main form button[type=submit]")
        self.page.wait_for_url(re.compile(rf"/enterprises/{enterprise}/$"))

    def _fill_registration(self, fields: dict[str, str]) -> None:
        for name, value in fields.items():
            selector = f"#id_{name}"
            if self.page.locator(selector).evaluate("e => e.tagName") == "SELECT":
                self.page.select_option(selector, value)
            else:
                self.page.fill(selector, value)

    def start_application(self, service: str, answers: dict[str, str] | None = None) -> int:
        """A draft of the item (the start page's form filled in): its id (its status page is shown)."""
        self.visit(f"/applications/new/?service={service}")
        self.look("start-application")
        for name, value in (answers or {}).items():
            self.page.fill(f"#id_form-{name}", value)
        self.page.click("main form button[type=submit]:not([aria-hidden])")
        self.page.wait_for_url(re.compile(r"/applications/\d+/$"))
        return self.id_in_url(r"/applications/(\d+)/$")

    def open_application(self, application: int) -> None:
        self.visit(f"/applications/{application}/")

    def attach(self, material: str, file: Path) -> None:
        """On the status page: one file for one material (today's upload form takes one at a time)."""
        self.page.select_option("#upload-material", material)
        self.page.set_input_files("#upload-file", str(file))
        with self.page.expect_navigation():
            self.page.click("form[action$='/documents/'] button[type=submit]")

    def attach_all(self, files: dict[str, Path]) -> None:
        for material, file in files.items():
            self.attach(material, file)

    def replace_file(self, material: str, file: Path) -> None:
        """A corrected file for a material under correction. Today's page has no "replace": the clerk
        attaches the new file beside the old one, which is what the department then reads."""
        self.attach(material, file)

    def submit(self, defer: tuple[str, ...] = (), sign_commitment: bool = False) -> None:
        for material in defer:
            self.page.check(f"#defer-{material}")
        if sign_commitment:
            self.page.check("#commitment-accepted")
        with self.page.expect_navigation():
            self.page.click("form[action$='/submit/'] button[type=submit]")

    def resubmit(self) -> None:
        with self.page.expect_navigation():
            self.page.click("form[action$='/resubmit/'] button[type=submit]")

    def supply_deferred(self, material: str, file: Path) -> None:
        self.page.select_option("#supply-material", material)
        self.page.set_input_files("#supply-file", str(file))
        with self.page.expect_navigation():
            self.page.click("form[action$='/supply/'] button[type=submit]")

    def rate(self, score: int, comment: str = "") -> None:
        self.page.check(f"#score-{score}")
        if comment:
            self.page.fill("#rating-comment", comment)
        with self.page.expect_navigation():
            self.page.click("#rating-form button[type=submit]")

    def status(self) -> str:
        return self.page.inner_text("#application-status").strip()

    def notice_links(self) -> list[str]:
        """The addresses of the application's notices (PDF), newest last, as its page lists them."""
        return self.page.locator("#notices a[href*='/notices/']").evaluate_all("links => links.map(a => a.href)")


# --- the official, in the admin ----------------------------------------------------------------


class Official(Person):
    def sign_in(self, username: str, code_of: Any, password: str = PASSWORD) -> None:
        """The admin's sign-in, then the one-time code of the official's authenticator app (`code_of()`)."""
        self.visit("/admin/login/?next=/admin/")
        self.look("admin-sign-in")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        with self.page.expect_navigation():
            self.page.click("#login-form [type=submit]")
        self.page.wait_for_url(re.compile(r"/accounts/second-factor/"))
        self.look("second-factor")
        self.page.fill("#id_code", code_of())
        with self.page.expect_navigation():
            self.page.click("main form button[type=submit]")
        self.page.wait_for_url(re.compile(r"/admin/$"))
        self.look("admin-home")

    # registrations

    def decide_registration(self, enterprise: int, decision: str, reason: str = "") -> None:
        self.visit("/admin/enterprises/enterprise/")
        self.look("registrations")
        self.page.click(f"a[href$='/enterprise/{enterprise}/decide/']")
        self.look(f"decide-registration-{decision}")
        self.page.check(f"input[name=decision][value={decision}]")
        if reason:
            self.page.fill("#id_reason", reason)
        with self.page.expect_navigation():
            self.page.click("#content form [type=submit]")

    # the queue and an application's page

    def open_queue(self) -> None:
        self.visit("/admin/services/task/")
        self.look("queue")

    def open_from_queue(self, application: int) -> None:
        with self.page.expect_navigation():
            self.page.click(f"#result_list a[href*='/application/{application}/']")
        self.look(f"application-{application}")

    def open_application(self, application: int) -> None:
        self.visit(f"/admin/services/application/{application}/change/")

    def _act(self, action: str, button: str = "[type=submit]") -> None:
        with self.page.expect_navigation():
            self.page.click(f"form[action$='/act/{action}/'] {button}")

    def accept(self) -> None:
        self._act("accept")

    def request_correction(self, items: list[str]) -> None:
        self.page.fill("#id_items", "\n".join(items))
        self._act("request_correction")

    def decide_review(self, decision: str, comment: str = "") -> None:
        """The open review task's decision: approve, reject or return (for correction)."""
        form = self.page.locator("form[action$='/act/decide/']").first
        if comment:
            form.locator("textarea[name=comment]").fill(comment)
        with self.page.expect_navigation():
            form.locator(f"button[name=decision][value={decision}]").click()

    def check_deferred(self) -> None:
        self._act("check_deferred")

    # 好差评

    def close_rectification(self, rectification: int, outcome: str) -> None:
        self.visit("/admin/services/rectification/")
        self.look("rectifications")
        with self.page.expect_navigation():
            self.page.click(f"#result_list a[href*='/rectification/{rectification}/']")
        self.look("rectification")
        self.page.fill("#id_outcome", outcome)
        with self.page.expect_navigation():
            self.page.click("#close-rectification button[type=submit]")
