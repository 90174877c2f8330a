"""Every refusal a service can raise reaches people as a sentence, in French and English,
with its status — and one that no page catches is a page, never a 500."""

from __future__ import annotations

import ast
from pathlib import Path

import httpx
import pytest
from babel.messages.extract import extract_from_dir
from litestar import Litestar, get
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from votes import i18n
from votes.services.refusals import Refused
from votes.web import app as _app  # noqa: F401 - imports every controller: their areas register
from votes.web import refusals
from votes.web.refusals import (
    GENERIC,
    SENTENCES,
    Plural,
    SentenceFileError,
    area,
    explain,
    load_sentences,
    refused_page,
    registered,
)
from votes.web.templating import make_environment

SERVICES = Path(__file__).resolve().parents[2] / "src" / "votes" / "services"

# codes built at run time: a ballot's lifecycle refuses "not_<the status it needed>"
BUILT_CODES = {"not_draft", "not_open", "not_closed", "finished"}


def _raised_codes() -> set[str]:
    """Every code a service states: ``Refused("code")``, a validation problem
    (``problems[field] = "code"``, raised as a refusal), a college set-up problem."""
    codes = set(BUILT_CODES)
    for path in SERVICES.rglob("*.py"):  # the ballots package too
        for node in ast.walk(ast.parse(path.read_text())):
            refusal = isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Refused"
            if refusal and node.args and isinstance(node.args[0], ast.Constant):
                codes.add(node.args[0].value)
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                target = node.targets[0]
                if (
                    isinstance(target, ast.Subscript)
                    and getattr(target.value, "id", "") == "problems"
                ):
                    codes.add(node.value.value)
            if isinstance(node, ast.FunctionDef) and node.name == "college_problem":
                for returned in ast.walk(node):
                    if isinstance(returned, ast.Return) and isinstance(returned.value, ast.Tuple):
                        first = returned.value.elts[0]
                        if isinstance(first, ast.Constant) and first.value:
                            codes.add(first.value)
    return codes


def test_every_refusal_a_service_raises_has_a_sentence() -> None:
    known = set().union(*(messages.keys() for messages in registered().values()))
    missing = sorted(_raised_codes() - known)
    assert missing == [], f"add these codes to an area's REFUSALS (votes.web.*): {missing}"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_sentence_reads_in_each_language(language: str) -> None:
    token = i18n.current_language.set(language)
    try:
        for area, messages in registered().items():
            for code in messages:
                status, message = explain(Refused(code, value="x", num=2, cap=2), messages)
                assert status in (403, 404, 409, 422, 429), (area, code)
                assert message, (area, code)
                assert "%(" not in message, (area, code, message)
    finally:
        i18n.current_language.reset(token)


def test_the_french_sentence_is_french() -> None:
    token = i18n.current_language.set("fr")
    try:
        assert explain("read_only") == (
            403,
            "Les observateur·rices et les associé·es suspendu·es peuvent lire mais pas participer.",
        )
    finally:
        i18n.current_language.reset(token)


@get("/refuse")
async def _refusing() -> None:
    raise Refused("not_your_proxy")


async def test_a_refusal_no_page_catches_is_a_page_with_its_sentence() -> None:
    app = Litestar(
        route_handlers=[_refusing],
        exception_handlers={Refused: refused_page},
        template_config=TemplateConfig(
            engine=JinjaTemplateEngine.from_environment(make_environment())
        ),
    )
    token = i18n.current_language.set("fr")
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test"
        ) as client:
            response = await client.get("/refuse")
    finally:
        i18n.current_language.reset(token)
    assert response.status_code == 403
    assert "Vous ne détenez pas le pouvoir de cette personne" in response.text, response.text[-900:]


def test_generic_refusals_cover_every_rule_of_the_actor() -> None:
    from votes.services import actors

    for rule in (
        actors.may_read,
        actors.may_take_part,
        actors.may_administer,
        actors.may_run_assemblies,
        actors.may_run_ballots,
        actors.may_count,
        actors.may_steward,
    ):
        assert actors.refusal_code(rule) in GENERIC


def test_every_sentence_file_is_an_area_and_ships_with_the_package() -> None:
    """Read through importlib.resources, as from the installed wheel: no file without its area."""
    files = {entry.name for entry in SENTENCES.iterdir() if entry.name.endswith(".toml")}
    assert files == {f"{area}.toml" for area in registered()}


def test_extraction_sees_every_sentence() -> None:
    """The translators' catalogs are fed by the Babel extractor of the sentence files."""
    found = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(Path(str(SENTENCES))),
            method_map=[("*.toml", "votes.web.refusals:extract_sentences")],
            keywords={"N_": None, "Nn_": (1, 2)},
        )
    }
    sentences = {
        sentence.forms if isinstance(sentence, Plural) else sentence
        for messages in registered().values()
        for _status, sentence in messages.values()
    }
    assert found == sentences


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        ('status = 422\nsentence = "Too few."\nhint = "x"', "unknown keys \\['hint'\\]"),
        ('status = 500\nsentence = "Too few."', "status 500 is not one of"),
        ('status = "422"\nsentence = "Too few."', "status '422' is not one of"),
        ('status = 422\nsentence = "Too few."\ncount = "minimum"', "give a sentence, or"),
        ('status = 422\nplural = ["At least one."]\ncount = "minimum"', "give a sentence, or"),
        ('status = 422\nplural = ["One.", "Two."]', "give a sentence, or"),
        ("status = 422", "give a sentence, or"),
    ],
)
def test_a_malformed_sentence_file_names_its_file_and_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entry: str, why: str
) -> None:
    """``area`` runs when its module is imported: the import fails, saying where."""
    (tmp_path / "members.toml").write_text(
        f'[name_required]\nstatus = 422\nsentence = "Enter the name."\n\n[too_few]\n{entry}\n'
    )
    monkeypatch.setattr(refusals, "SENTENCES", tmp_path)
    with pytest.raises(SentenceFileError, match=rf"^members\.toml \[too_few\]: {why}"):
        area("members")


def test_a_sentence_file_that_is_not_toml_names_its_file(tmp_path: Path) -> None:
    path = tmp_path / "members.toml"
    path.write_text('[too_few]\nstatus = 422\nsentence = "unclosed\n')
    with pytest.raises(SentenceFileError, match=r"^members\.toml: "):
        load_sentences(path)
