"""The steward's door scanner on the web side (#17): the page that may run the vendored
WebAssembly QR decoder, and only that one; the decoder served from this site as WebAssembly;
the door page's weight with and without the lazily loaded decoder; one refusal for a code that
is unknown and for a code of another cooperative."""

from __future__ import annotations

import gzip
import re

import httpx
from tests.support.factories import Coop, cooperative
from tests.web.assembly_helpers import as_role, coop_signed_in, post_form

from votes.db.tables import AssemblyKind
from votes.services import access_codes
from votes.services.actors import actor_for
from votes.settings import Settings
from votes.web.static_assets import ASSETS

SCANNER = "vendor/barcode-detector-3.2.2"
PAGE_BUDGET = 30 * 1024  # a phone page, compressed, with its styles and scripts (#17)


def _register(coop: Coop) -> str:
    return f"{coop.assembly_path}/attendance"


async def test_only_the_stewards_door_may_compile_webassembly(client: httpx.AsyncClient) -> None:
    coop = await coop_signed_in(client, "facilitator", kind=AssemblyKind.AGO)
    door = await client.get(_register(coop))
    assert "'wasm-unsafe-eval'" in door.headers["content-security-policy"]
    assert "script-src 'self' 'wasm-unsafe-eval'" in door.headers["content-security-policy"]
    # the decoder's addresses are this site's, with their digests: no CDN
    scan = re.search(r'id="door-scan"[^>]*>', door.text)
    assert scan is not None
    assert f'data-scanner="/static/{SCANNER}/ponyfill.js?v=' in scan.group(0)
    assert f'data-wasm="/static/{SCANNER}/zxing_reader.wasm?v=' in scan.group(0)
    for path in (f"{coop.base}/now", f"{coop.base}/vote", "/"):
        other = await client.get(path)
        assert "wasm-unsafe-eval" not in other.headers["content-security-policy"], path
    await as_role(client, coop, "member")  # a member's view of the register has no scanner
    mine = await client.get(_register(coop))
    assert mine.status_code == 200
    assert "wasm-unsafe-eval" not in mine.headers["content-security-policy"]


async def test_the_decoder_is_served_here_as_webassembly(client: httpx.AsyncClient) -> None:
    wasm = await client.get(
        f"/static/{SCANNER}/zxing_reader.wasm", headers={"Accept-Encoding": "gzip"}
    )
    assert wasm.status_code == 200
    assert wasm.headers["content-type"] == "application/wasm"
    assert wasm.headers["content-encoding"] == "gzip"
    assert wasm.content[:4] == b"\0asm"
    module = await client.get(f"/static/{SCANNER}/ponyfill.js")
    assert module.headers["content-type"].startswith("text/javascript")
    assert "./zxing-exported.js" in module.text
    exported = await client.get(f"/static/{SCANNER}/zxing-exported.js")
    assert exported.status_code == 200
    for licence in ("barcode-detector", "zxing-wasm", "zxing-cpp"):
        shown = await client.get(f"/static/{SCANNER}/{licence}.LICENSE")
        assert shown.status_code == 200
        assert "License" in shown.text


async def test_the_door_page_stays_light_and_the_decoder_waits_for_the_scan_button(
    client: httpx.AsyncClient,
) -> None:
    coop = await coop_signed_in(client, "facilitator", kind=AssemblyKind.AGO)
    door = await client.get(_register(coop))
    loaded = re.findall(r'(?:src|href)="/static/([^"?]+)\?v=', door.text)
    assert "js/door.js" in loaded
    assert not [path for path in loaded if path.startswith(SCANNER)]  # lazily, on "scan" only
    page = len(gzip.compress(door.content, compresslevel=9))
    files = sum(len(ASSETS[path].gzipped or ASSETS[path].body) for path in loaded)
    assert page + files <= PAGE_BUDGET, (page, files)
    decoder = sum(
        len(ASSETS[f"{SCANNER}/{name}"].gzipped or ASSETS[f"{SCANNER}/{name}"].body)
        for name in ("ponyfill.js", "zxing-exported.js", "zxing_reader.wasm")
    )
    print(f"door page {page + files} B gzip; with the lazy decoder {page + files + decoder} B")


async def test_a_code_of_another_cooperative_is_refused_like_an_unknown_one(
    client: httpx.AsyncClient,
) -> None:
    coop, other = await cooperative(kind=AssemblyKind.AGO), await cooperative()
    secret = Settings.from_env().secret_key
    stranger = await other.membership("member")
    issued = await access_codes.issue_codes(
        await actor_for(other.organisation_id), [stranger], secret_key=secret
    )
    await as_role(client, coop, "facilitator")
    door = f"{_register(coop)}/door"
    answers = []
    for scanned in (
        f"http://x.test/c/{issued[0].link_token}",  # the other cooperative's QR code
        issued[0].code,  # its short code, typed
        "http://x.test/c/" + "x" * 43,  # a link that matches nobody
        "AAAAA-AAAAA",
    ):
        response = await post_form(client, door, {"code": scanned}, htmx=True)
        assert response.status_code == 422, scanned
        answers.append(re.sub(r'name="csrf[^>]*>|value="[^"]*"', "", response.text))
        assert "Ce code ne correspond à aucun membre" in response.text
        assert other.slug not in response.text
    # nothing tells the steward the code exists elsewhere
    messages = {re.search(r"Ce code ne correspond[^<]*", text).group(0) for text in answers}  # type: ignore[union-attr]
    assert len(messages) == 1


async def test_one_scan_at_the_door_of_the_ago_checks_in_for_the_age_of_the_same_day(
    client: httpx.AsyncClient,
) -> None:
    """A back-to-back AGO and AGE share the door: the steward scans once, both registers show
    the member present (another day's assembly does not)."""
    from datetime import UTC, datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from votes.db.tables import Assembly, AssemblyStatus
    from votes.services import assemblies

    coop = await cooperative(kind=AssemblyKind.AGO)
    # 14:00 and 15:30 in the cooperative's time zone: one day whatever the hour the test runs
    # (an hour from now plus ninety minutes crossed midnight in the evening)
    today = datetime.now(ZoneInfo("Europe/Paris")).date()
    ago_at = datetime.combine(today, time(14), ZoneInfo("Europe/Paris")).astimezone(UTC)
    await Assembly.update({Assembly.starts_at: ago_at}).where(Assembly.id == coop.assembly_id)
    admin = await actor_for(coop.organisation_id)
    age = await assemblies.create_assembly(
        admin, "AGE", ago_at + timedelta(minutes=90), kind=AssemblyKind.AGE,
        status=AssemblyStatus.IN_SESSION,
    )  # fmt: skip
    later = await assemblies.create_assembly(
        admin, "AG suivante", ago_at + timedelta(days=7),
        status=AssemblyStatus.IN_SESSION,
    )  # fmt: skip
    member = await coop.membership("member")
    secret = Settings.from_env().secret_key
    issued = await access_codes.issue_codes(admin, [member], secret_key=secret)
    await as_role(client, coop, "facilitator")
    scanned = await post_form(
        client,
        f"{_register(coop)}/door",
        {"code": f"http://x.test/c/{issued[0].link_token}"},
        htmx=True,
    )
    assert scanned.status_code == 200
    line = f'action="{coop.base}/assemblies/{{}}/attendance/{member}/check-out"'
    for assembly_id, shown in ((coop.assembly_id, True), (age, True), (later, False)):
        register = await client.get(f"{coop.base}/assemblies/{assembly_id}/attendance")
        assert (line.format(assembly_id) in register.text) is shown, assembly_id
