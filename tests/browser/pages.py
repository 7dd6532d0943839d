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

    # the guided filing: the guide's 在线办理 → task list → details → materials → check your answers

    def apply_online(self, service: str) -> int:
        """The service guide's "在线办理", the enterprise confirmed: the new draft's id (its task list is shown)."""
        self.visit(f"/services/{service}/")
        self.look("service-guide")
        with self.page.expect_navigation():
            self.page.click("#apply-online")
        self.look("apply-online")
        with self.page.expect_navigation():
            self.page.click("main form button[type=submit]")
        self.page.wait_for_url(re.compile(r"/applications/\d+/filing/$"))
        self.look("task-list")
        return self.id_in_url(r"/applications/(\d+)/filing/$")

    def open_filing(self, application: int) -> None:
        """The task list, from the status page's "continue step by step" (a draft, or under correction)."""
        self.open_application(application)
        with self.page.expect_navigation():
            self.page.click("#guided-filing a")
        self.page.wait_for_url(re.compile(rf"/applications/{application}/filing/$"))

    def task_states(self) -> dict[str, str]:
        """On the task list: each step's state (not_started, in_progress, done …) by its key."""
        return dict(self.page.locator("#task-list [data-step]").evaluate_all(
            "items => items.map(i => [i.dataset.step, i.dataset.state])"))

    def _step(self, key: str, url: str) -> None:
        with self.page.expect_navigation():
            self.page.click(f"#task-list [data-step={key}] a")
        self.page.wait_for_url(re.compile(url))

    def fill_details(self, answers: dict[str, str]) -> None:
        """From the task list: the details step's answers typed, saved, on to the materials step."""
        self._step("details", r"/filing/details/$")
        self.look("details")
        for name, value in answers.items():
            self.page.fill(f"#id_form-{name}", value)
        with self.page.expect_navigation():
            self.page.click("main form button[name=continue]")
        self.page.wait_for_url(re.compile(r"/filing/materials/"))

    def open_materials(self) -> None:
        """From the task list: the materials step."""
        self._step("materials", r"/filing/materials/$")

    def upload(self, material: str, files: list[Path]) -> None:
        """On the materials step: several files chosen at once for one material and sent (upload.js sends
        them one by one with progress and reloads the page once every one was kept)."""
        self.page.set_input_files(f"#files-{material}", [str(file) for file in files])
        try:
            with self.page.expect_navigation():
                self.page.click(f"#material-{material} form[data-multi-upload] button[type=submit]")
        except Exception as error:  # the page stays when a file is refused: say which and why
            shown = self.page.inner_text(f"#progress-{material}")
            raise AssertionError(f"the upload for {material} did not complete: {shown!r}") from error

    def files_of(self, material: str) -> list[str]:
        """On the materials step: the names of the files in the material's list."""
        return [name.strip() for name in self.page.locator(f"#material-{material} ul.documents li > a").all_inner_texts()]

    def replace(self, material: str, old_name: str, file: Path) -> None:
        """On the materials step: the file named replaced by another, for the same material."""
        row = self.page.locator(f"#material-{material} ul.documents li", has=self.page.locator(
            "a", has_text=old_name))
        row.locator("input[type=file]").set_input_files(str(file))
        with self.page.expect_navigation():
            row.locator("form[action$='/replace/'] button[type=submit]").click()

    def check_answers(self) -> None:
        """From the materials step: on to "check your answers" (what is missing, the rehearsal, submit)."""
        with self.page.expect_navigation():
            self.page.click("main a.button[href$='/filing/review/']")
        self.page.wait_for_url(re.compile(r"/filing/review/$"))

    def missing(self) -> list[str]:
        """On "check your answers": what is still missing, by kind (field, material, other)."""
        return self.page.locator("#missing li[data-kind]").evaluate_all("items => items.map(i => i.dataset.kind)")

    def submit_filing(self, sign_commitment: bool = False) -> None:
        """On "check your answers": submit (or submit again); the confirmation page is shown."""
        if sign_commitment:
            self.page.check("#commitment-accepted")
        with self.page.expect_navigation():
            self.page.click("#submit form button[type=submit]")
        self.page.wait_for_url(re.compile(r"/filing/done/$"))

    def reference(self) -> str:
        """On the confirmation page: the application's reference."""
        return self.page.inner_text("#reference").strip()

    def timeline(self) -> str:
        """On the status page: the timeline's text, oldest first."""
        return self.page.inner_text("#timeline")

    # the status page's own forms (the journeys that do not go through the guided filing)

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

    def submit(self, defer: tuple[str, ...] = (), sign_commitment: bool = False) -> None:
        for material in defer:
            self.page.check(f"#defer-{material}")
        if sign_commitment:
            self.page.check("#commitment-accepted")
        with self.page.expect_navigation():
            self.page.click("form[action$='/submit/'] button[type=submit]")

    def resubmit(self) -> None:
        """The status page's "submit again" (the guided filing's is `submit_filing`)."""
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
    def __post_init__(self) -> None:
        super().__post_init__()
        # The decision panel asks before an irreversible step (workbench.js, window.confirm): the
        # official says yes, and the question is kept for the journey to read.
        self.asked: list[str] = []
        self.page.on("dialog", self._confirm)

    def _confirm(self, dialog: Any) -> None:
        self.asked.append(dialog.message)
        dialog.accept()

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
        """The workbench's "my work": the department's acceptance and review tasks, soonest due first."""
        self.visit("/admin/services/application/work/")
        self.look("queue")

    def open_from_queue(self, application: int) -> None:
        with self.page.expect_navigation():
            self.page.click(f"#work-queue a[href*='/application/{application}/']")
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
        """The open review task's decision (approve, reject or return for correction): each is a form
        of its own on the decision panel, with its reason field where it has one."""
        form = self.page.locator(f"#decision-panel form[action$='/act/decide/']"
                                 f":has(input[name=decision][value={decision}])")
        reason = form.locator("textarea[name=comment]")
        if comment and reason.count():
            reason.fill(comment)
        with self.page.expect_navigation():
            form.locator("button[type=submit]").click()

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
