"""What every page a journey visits must pass: axe-core finds nothing serious or critical, and a
375-pixel-wide phone shows it without scrolling sideways. Each check saves the page's screenshot."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from tests.helpers import ROOT

AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"  # package.json pins the version
PHONE = {"width": 375, "height": 812}
BLOCKING_IMPACTS = ("serious", "critical")


@dataclass
class ArtefactFolder:
    """The test's folder under test-artifacts/browser/: screenshots, downloaded notices, axe reports."""

    folder: Path
    count: int = 0
    saved: list[Path] = field(default_factory=list)

    def path(self, name: str, suffix: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}{suffix}"
        self.saved.append(path)
        return path


def _axe_source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


def axe_violations(page) -> list[dict]:
    """axe-core's serious and critical violations of the page as it is now.

    The portal's CSP (`script-src 'self'`) refuses an injected <script>; evaluating the library
    through the DevTools protocol is not subject to it, so the pages are checked under their real CSP.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source() + "\n;undefined")
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                                          summary: n.failureSummary}))}));
        }"""
    )
    return [violation for violation in result if violation["impact"] in BLOCKING_IMPACTS]


def sideways_overflow(page) -> dict | None:
    """At a phone's width, how far the document is wider than the screen (None: it fits), and the widest culprits."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const scroll = document.documentElement.scrollWidth;
            if (scroll <= width) return null;
            const wide = [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > width + 1)
                .filter(e => !e.closest('[style*="overflow"], .overflow-x'))
                .slice(0, 5)
                .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                          (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : '') +
                          ' right=' + Math.round(e.getBoundingClientRect().right));
            return {viewport: width, document: scroll, elements: wide};
        }"""
    )


def check_page(page, artefacts: ArtefactFolder, name: str) -> None:
    """A screenshot at the person's width; no serious or critical axe violation; no sideways scroll at 375 px.

    Clerks browse at a phone's width already; an official's desktop page is narrowed to 375 px for the last check.
    """
    page.screenshot(path=artefacts.path(name, ".png"), full_page=True)
    violations = axe_violations(page)
    screen = page.viewport_size
    if screen["width"] > PHONE["width"]:
        page.set_viewport_size(PHONE)
        try:
            overflow = sideways_overflow(page)
        finally:
            page.set_viewport_size(screen)
    else:
        overflow = sideways_overflow(page)
    problems = []
    if violations:
        report = artefacts.path(f"{name}-axe", ".json")
        report.write_text(json.dumps(violations, ensure_ascii=False, indent=2), encoding="utf-8")
        problems.append(f"axe-core on {name} ({page.url}), serious or critical, report {report}:\n"
                        + json.dumps(violations, ensure_ascii=False, indent=1)[:4000])
    if overflow:
        problems.append(f"{name} ({page.url}) scrolls sideways at 375 px: {overflow}")
    assert not problems, "\n".join(problems)
