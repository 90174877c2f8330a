"""The steward's door with the phone's camera (#17), in Chromium at 390×844, in French.

Chromium's fake camera plays a video file made here from the QR code of a real access code (the
code sheet's link, drawn with segno as the sheet draws it): the steward presses "scan" and the
member is checked in, the register says so, and the same code held in front of the camera is
read once.

Two paths: the browser's own ``BarcodeDetector`` (Chrome on Android, Safari on macOS) and the
vendored ZXing decoder for browsers without one (iOS Safari, Firefox). Debian's Chromium has no
native detector on Linux, so the native path runs with a stand-in that answers what a platform
detector reads once the camera shows frames; the fallback path decodes the camera's frames for
real, under the page's own Content-Security-Policy (no ``bypass_csp``). Each test prints the time
from the tap on "scan" to the member's name on the register (measured, not asserted).
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import segno
from playwright.sync_api import Browser, Request, expect
from tests.e2e.ballot_helpers import make
from tests.e2e.ballot_tasks import run
from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    FACILITATOR,
    ORG,
    PHONE,
    WAIT_MS,
    AccessibilityLog,
    Camera,
    sign_in_with_password,
    signed_in_phone,
)
from tests.support.server import ServedApp

pytestmark = pytest.mark.slow

WIDTH, HEIGHT = 640, 480  # the fake camera's frames
NATIVE_STAND_IN = """
(() => {
  // what a platform BarcodeDetector answers: the code once the camera shows it
  class BarcodeDetector {
    static async getSupportedFormats() { return ["qr_code"]; }
    constructor(options) { this.formats = options.formats; }
    async detect(video) {
      if (!video.videoWidth) return [];
      return [{ rawValue: %s, format: "qr_code", boundingBox: null, cornerPoints: [] }];
    }
  }
  window.BarcodeDetector = BarcodeDetector;
})();
"""
NO_NATIVE_DETECTOR = "delete window.BarcodeDetector;"


def write_camera_video(path: Path, text: str) -> None:
    """A one-frame YUV4MPEG2 video (Chromium loops it) of ``text``'s QR code on white paper,
    drawn as the code sheet draws it (segno, error correction M)."""
    matrix = segno.make(text, error="m").matrix
    size = len(matrix)
    scale = min(WIDTH, HEIGHT) * 8 // 10 // size
    left, top = (WIDTH - size * scale) // 2, (HEIGHT - size * scale) // 2
    luma = bytearray(b"\xff" * (WIDTH * HEIGHT))
    for row, modules in enumerate(matrix):
        for column, dark in enumerate(modules):
            if not dark:
                continue
            for y in range(top + row * scale, top + (row + 1) * scale):
                start = y * WIDTH + left + column * scale
                luma[start : start + scale] = b"\x00" * scale
    chroma = b"\x80" * (WIDTH * HEIGHT // 4)
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F30:1 Ip A1:1 C420jpeg\n".encode())
        video.write(b"FRAME\n" + bytes(luma) + chroma + chroma)


@pytest.fixture(scope="module")
def member(served_demo: ServedApp, browser: Browser) -> tuple[str, str]:
    """Inès's name and the link her QR code holds, read from the printable code sheet."""
    email, name = "ines@demo.votes.invalid", "Inès Moreau"
    served_demo.task("codes", org=ORG, emails=[email])
    context = browser.new_context(base_url=served_demo.base_url, viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    sign_in_with_password(page, FACILITATOR)
    page.goto(f"/o/{ORG}/members/codes/sheet")
    rows = page.locator("input[name=row]").evaluate_all("inputs => inputs.map(i => i.value)")
    context.close()
    link = next(row.split("\t")[4] for row in rows if row.startswith(name + "\t"))
    assert "/c/" in link
    return name, link


@pytest.fixture(scope="module")
def camera_browser(browser: Browser, member: tuple[str, str]) -> Iterator[Browser]:
    """Chromium whose camera films Inès's QR code (allowed without asking)."""
    folder = Path(tempfile.mkdtemp(prefix="votes-camera-"))
    video = folder / "qr.y4m"
    write_camera_video(video, member[1])
    launched = browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        yield launched
    finally:
        launched.close()
        video.unlink()
        folder.rmdir()


def _steward_scans(
    camera_browser: Browser,
    served_demo: ServedApp,
    member: tuple[str, str],
    camera: Camera,
    init_script: str,
) -> tuple[float, list[str], list[str]]:
    """The steward opens the register, checks Inès out if needed, presses "scan": the seconds
    until she is checked in, the door's requests and the decoder files the page fetched."""
    name, _ = member
    # the page's own Content-Security-Policy applies: no bypass_csp here
    context = camera_browser.new_context(
        base_url=served_demo.base_url,
        viewport=PHONE,
        locale="fr-FR",
        is_mobile=True,
        has_touch=True,
        permissions=["camera"],
    )
    context.set_default_timeout(WAIT_MS)
    context.add_init_script(script=init_script)
    page = context.new_page()
    door_posts: list[str] = []
    decoder: list[str] = []

    def seen(request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/attendance/door"):
            door_posts.append(request.post_data or "")
        if "/static/vendor/barcode-detector-" in request.url:
            decoder.append(request.url.split("/")[-1].split("?")[0])

    page.on("request", seen)
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    sign_in_with_password(page, FACILITATOR)
    assembly_id = served_demo.task("assembly_of", org=ORG)["assembly"]
    page.goto(f"/o/{ORG}/assemblies/{assembly_id}/attendance")
    row = page.locator("li.register-row").filter(has_text=name)
    if row.locator("form[action$='/check-out']").count():
        row.locator("form[action$='/check-out'] button").click()
        expect(row.locator("form[action$='/check-in']")).to_be_visible()
    scan = page.get_by_role("button", name="Scanner avec la caméra")
    expect(scan).to_be_visible()
    camera.shoot(page, "door-before-scan")
    started = time.perf_counter()
    scan.click()
    expect(page.locator(".door__welcomed")).to_contain_text(f"{name} est émargé·e")
    elapsed = time.perf_counter() - started
    expect(row.locator("form[action$='/check-out']")).to_be_visible()  # the register shows it
    expect(scan).to_have_attribute("aria-pressed", "true")
    camera.shoot(page, "door-scanned")
    # the code stays in front of the camera: nobody is checked in twice, no second request
    page.wait_for_timeout(3_000)
    assert not [e for e in errors if "Content Security Policy" in e or "wasm" in e], errors
    scan.click()  # the steward stops the camera
    expect(page.locator("#door-video")).to_be_hidden()
    context.close()
    return elapsed, door_posts, decoder


def test_the_browsers_own_detector_checks_the_member_in(
    camera_browser: Browser, served_demo: ServedApp, member: tuple[str, str], camera: Camera
) -> None:
    stand_in = NATIVE_STAND_IN % repr(member[1]).replace("'", '"')
    elapsed, door_posts, decoder = _steward_scans(
        camera_browser, served_demo, member, camera, stand_in
    )
    print(f"\ntime to first scan, native detector: {elapsed:.2f} s")
    assert len(door_posts) == 1, door_posts
    assert decoder == []  # a browser with its own detector never downloads the vendored one


def test_without_a_native_detector_the_vendored_decoder_reads_the_camera(
    camera_browser: Browser, served_demo: ServedApp, member: tuple[str, str], camera: Camera
) -> None:
    elapsed, door_posts, decoder = _steward_scans(
        camera_browser, served_demo, member, camera, NO_NATIVE_DETECTOR
    )
    print(f"\ntime to first scan, vendored decoder (cold: downloads it): {elapsed:.2f} s")
    assert len(door_posts) == 1, door_posts
    assert "zxing_reader.wasm" in decoder  # fetched from this site, on "scan" only


def test_the_members_vote_link_is_one_tap_from_the_ballot_of_the_moment(
    browser: Browser, served_demo: ServedApp, camera: Camera, accessibility: AccessibilityLog
) -> None:
    """The phone header's "Voter": no ballot open says so; one open is the ballot itself;
    several open are the list; the organisation menu has no second "Voter"."""
    run(served_demo, "clear", org=ORG)
    with signed_in_phone(browser, served_demo, "lea@demo.votes.invalid") as page:
        page.goto(f"/o/{ORG}/")
        nav = page.locator(".org-nav")
        expect(nav.get_by_role("link", name="Voter", exact=True)).to_have_count(0)
        vote = page.locator("header.site-header a.header-vote")

        def tap_vote(lands_on: str, shows: str, shot: str, checked: str) -> None:
            """Tap "Voter": it lands on ``/o/demo/`` + ``lands_on`` (a pattern), which shows
            ``shows``; the page is shot and checked."""
            vote.click()
            page.wait_for_url(re.compile(rf"/o/{ORG}/{lands_on}$"))
            expect(page.locator("main")).to_contain_text(shows)
            camera.shoot(page, shot)
            accessibility.check(page, checked)

        tap_vote(
            r"now\?ballot=none",
            "Aucun scrutin n’est ouvert pour le moment.",
            "vote-now-none-open",
            "vote now, no ballot open (phone)",
        )
        first = make(served_demo, "Adopter le budget ?", "majority")
        tap_vote(
            f"ballots/{first}",
            "Adopter le budget ?",
            "vote-now-the-ballot",
            "vote now, one ballot open (phone)",
        )
        second = make(served_demo, "Élire le conseil ?", "majority")
        vote.click()
        page.wait_for_url(re.compile(rf"/o/{ORG}/vote$"))
        for ballot_id in (first, second):
            expect(page.locator(f"main a[href$='/ballots/{ballot_id}']").first).to_be_visible()
        camera.shoot(page, "vote-now-two-open")
        accessibility.check(page, "vote now, two ballots open (phone)")
        run(served_demo, "clear", org=ORG)
    assert not accessibility.found, accessibility.report()
