"""Browser tests: Debian's Chromium, driven by Playwright, against ``votes serve`` in a
subprocess (a browser cannot reach an in-process app) on the demo cooperative.

Chromium is ``/usr/bin/chromium`` (``VOTES_E2E_CHROMIUM`` to point elsewhere): Playwright's own
browser download cannot work on these machines. Without it the tests skip with a reason, except
in CI (``CI`` set), where a missing browser is a failure: ``.ci/run`` installs it.

Screenshots of each step go to ``artifacts/e2e/<test>/`` (gitignored; CI keeps the folder).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tests.support.server import REPO, ServedApp

from votes.services.demo import DEMO_PASSWORD

CHROMIUM = Path(os.environ.get("VOTES_E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",  # root in a container: Chromium's sandbox needs namespaces it lacks
    "--disable-gpu",
    "--disable-background-networking",  # loopback only: no update or safe-browsing traffic
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = REPO / "artifacts" / "e2e"
AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"
PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1920, "height": 1080}
LAPTOP = {"width": 1280, "height": 900}
ORG = "demo"
FACILITATOR = "camille@demo.votes.invalid"
SCRUTINEER = "yanis@demo.votes.invalid"  # the second key of dual control
MEMBERS = ("lea@demo.votes.invalid", "hugo@demo.votes.invalid", "ines@demo.votes.invalid")
WAIT_MS = 20_000  # live updates on a busy two-core machine: generous, never a timing assertion

try:
    from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
except ImportError:  # pragma: no cover - the test extra installs it
    sync_playwright = None  # type: ignore[assignment]
else:
    expect.set_options(timeout=WAIT_MS)


def _missing_browser() -> str | None:
    if sync_playwright is None:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    return None


# module scope: Playwright's sync API runs its own event loop while the browser is open, which
# must be over before the async tests of other folders run on pytest-asyncio's loop
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    missing = _missing_browser()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI: {missing}")
        pytest.skip(f"browser tests SKIPPED: {missing}")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def served_demo(browser: Browser) -> Iterator[ServedApp]:
    """``votes serve`` on a fresh SQLite file holding the demo cooperative."""
    folder = Path(tempfile.mkdtemp(prefix="votes-e2e-"))
    app = ServedApp(folder)
    app.votes_command("migrate")
    app.votes_command("demo")
    app.start()
    try:
        yield app
    finally:
        app.stop()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(app.log, ARTIFACTS / "server.log")  # what the server saw, kept by CI
        if os.environ.get("VOTES_E2E_KEEP"):
            print(f"e2e server data kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Camera:
    """Screenshots of a test's steps, numbered in the order they were taken."""

    folder: Path
    node: pytest.Item
    taken: int = 0

    def failed(self) -> bool:
        report = getattr(self.node, "rehearsal_call_report", None)
        return report is not None and report.failed

    def shoot(self, page: Page, name: str) -> None:
        self.taken += 1
        page.screenshot(path=self.folder / f"{self.taken:02d}-{name}.png", full_page=True)


@pytest.fixture
def camera(request: pytest.FixtureRequest) -> Camera:
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return Camera(folder, request.node)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep the test's outcome on it, so fixtures can take pictures of a failure."""
    report = yield
    if report.when == "call":
        item.rehearsal_call_report = report  # type: ignore[attr-defined]
    return report


def new_context(browser: Browser, base_url: str, *, size: dict[str, int], **extra: Any) -> Any:
    """A browser profile of its own (cookies, storage). ``bypass_csp`` lets the test inject
    axe-core: the app's CSP rightly refuses any script it did not serve."""
    context: BrowserContext = browser.new_context(
        base_url=base_url,
        viewport=size,
        bypass_csp=True,
        locale=extra.pop("locale", "fr-FR"),
        **extra,
    )
    context.set_default_timeout(WAIT_MS)
    # pages note when their live stream is connected, so a test acts once the phone listens
    context.add_init_script(
        script="document.addEventListener('htmx:sseOpen', () => { window.__votesLive = true; });"
    )
    return context


def sign_in_with_password(page: Page, email: str) -> None:
    """Sign in on the login page with the demo's password; back on a cooperative's page."""
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/o/|/$"))


@contextmanager
def signed_in_page(
    browser: Browser, base_url: str, email: str, *, size: dict[str, int], **extra: Any
) -> Iterator[Page]:
    """A page in a browser profile of its own (see :func:`new_context`), signed in as
    ``email``; the profile is closed afterwards."""
    context = new_context(browser, base_url, size=size, **extra)
    try:
        page = context.new_page()
        sign_in_with_password(page, email)
        yield page
    finally:
        context.close()


@contextmanager
def signed_in_phone(browser: Browser, served_demo: ServedApp, email: str) -> Iterator[Page]:
    """A touch phone (390×844) of its own on the served demo, signed in as ``email``."""
    url = served_demo.base_url
    with signed_in_page(browser, url, email, size=PHONE, is_mobile=True, has_touch=True) as page:
        yield page


@pytest.fixture
def facilitator(browser: Browser, served_demo: ServedApp) -> Iterator[Page]:
    """The demo's facilitator on a laptop."""
    with signed_in_page(browser, served_demo.base_url, FACILITATOR, size=LAPTOP) as page:
        yield page


@pytest.fixture
def projector(browser: Browser, served_demo: ServedApp) -> Iterator[Page]:
    """The room's projector, signed in as the demo's facilitator."""
    with signed_in_page(browser, served_demo.base_url, FACILITATOR, size=PROJECTOR) as page:
        yield page


def prepare_majority(facilitator: Page, served_demo: ServedApp, question: str) -> None:
    """The facilitator prepares a majority ballot for the demo's assembly with the form; they
    are on its console after."""
    assembly = served_demo.task("assembly_of", org=ORG)["assembly"]
    facilitator.goto(f"/o/{ORG}/assemblies/{assembly}/ballots/new")
    facilitator.locator("#question").fill(question)
    facilitator.locator("#method").select_option("majority")
    facilitator.locator("form.form button[type=submit]").last.click()
    facilitator.wait_for_url(re.compile(r"/console$"))


def register_row(page: Page, name: str) -> Any:
    return page.locator("li.register-row").filter(has_text=name)


def console_action(page: Page, action: str) -> None:
    if action in ("publish", "reopen"):
        cosign(page, action)
    page.locator(f"form[action$='/console/{action}'] button[type=submit]").click()
    page.wait_for_load_state()


def close_and_publish(console: Page) -> None:
    """The facilitator closes the ballot from its console and publishes its result (the
    scrutineer co-signing): how every ballot of these walks ends."""
    console_action(console, "close")
    console_action(console, "publish")


def cosign(console: Page, act: str) -> None:
    """Dual control: the scrutineer, on their own phone, confirms that the ballot whose console
    is open may be published (or reopened); the demo's assembly is a general assembly."""
    match = re.search(r"^(https?://[^/]+)(/o/[^/]+/ballots/\d+)/console", console.url)
    assert match, console.url
    base, ballot = match.groups()
    browser = console.context.browser
    assert browser is not None
    context = new_context(browser, base, size=PHONE)
    phone = context.new_page()
    sign_in_with_password(phone, SCRUTINEER)
    phone.goto(f"{ballot}/cosign")
    assert axe_violations(phone) == []
    phone.locator(f"button[name=act][value={act}]").click()
    phone.wait_for_load_state()
    expect(phone.locator(".callout[role=status]")).to_contain_text("Double contrôle")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=ARTIFACTS / f"cosign-{act}.png", full_page=True)
    context.close()
    console.reload()


def no_sideways_scroll(page: Page, where: str) -> None:
    """Nothing wider than the screen. A mobile browser widens its window to the content:
    compare with the screen as well."""
    screen = page.viewport_size
    assert screen is not None
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= min(inner, screen["width"]), f"{where}: {width} px wide on a {screen} screen"


def wait_until_listening(page: Page) -> None:
    """The page's event stream is open: from now on it hears every signal."""
    page.wait_for_function("window.__votesLive === true")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical findings on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    results = page.evaluate("async () => await window.axe.run(document)")
    return [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "where": [(node["target"], node["html"][:160]) for node in violation["nodes"][:5]],
        }
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


@dataclass
class AccessibilityLog:
    """Every page checked during a test and what axe-core found on it."""

    checked: list[str]
    found: dict[str, list[dict[str, Any]]]

    def check(self, page: Page, name: str) -> None:
        self.checked.append(name)
        violations = axe_violations(page)
        if violations:
            self.found[f"{name} ({page.url})"] = violations

    def report(self) -> str:
        lines = [f"axe-core found serious or critical problems ({len(self.checked)} pages):"]
        for where, violations in self.found.items():
            lines.append(f"- {where}")
            lines.extend(
                f"    {v['impact']} {v['rule']}: {v['help']} at {v['where']}" for v in violations
            )
        return "\n".join(lines)


@pytest.fixture
def accessibility() -> AccessibilityLog:
    return AccessibilityLog([], {})
