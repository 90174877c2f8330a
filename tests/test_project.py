"""The project keeps its promises to newcomers: documented settings, complete French and Dutch,
container files that point at real paths."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.pofile import read_po
from scripts.update_catalogs import extracted  # the very extraction `make messages` runs

from votes.i18n import catalog_files
from votes.settings import VARIABLES

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_documented_in_the_readme_and_the_env_example() -> None:
    readme = (ROOT / "README.md").read_text()
    example = (ROOT / "docker" / ".env.example").read_text()
    for name in VARIABLES:
        assert f"`{name}`" in readme, f"{name} missing from README"
        assert re.search(rf"^{name}=", example, re.MULTILINE), f"{name} missing from .env.example"
    configuration = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`(VOTES_[A-Z_]+)`", configuration))
    assert documented <= set(VARIABLES), (
        f"README documents unknown settings: {documented - set(VARIABLES)}"
    )


def test_readme_quick_start_is_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = quick_start.split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make run", "make test"]


def _catalog_messages(language: str) -> Iterator[tuple[str, Message]]:
    """(catalog file name, message) for every message of the language's catalogs, the header
    (the message without an id) left out: what each check of the translations reads."""
    for path in catalog_files(language):
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        for message in catalog:
            if message.id:
                yield path.name, message


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_every_string_shown_to_people_has_a_translation(language: str) -> None:
    """French for France and Wallonia, Dutch for Flanders: no string is left in English."""
    translated = {
        (message.id, message.context)
        for _name, message in _catalog_messages(language)
        if not message.fuzzy
        and (all(message.string) if isinstance(message.string, tuple) else message.string)
    }
    missing = sorted(str(m) for m in extracted() - translated)
    assert missing == [], (
        f"run `make messages LANGUAGE={language}` and translate in a {language} .po file:"
        f" {missing[:10]}"
    )


_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_every_translation_keeps_the_placeholders_of_its_english(language: str) -> None:
    """A translation that loses or misspells ``%(name)s`` breaks the page that shows it."""
    wrong = []
    for name, message in _catalog_messages(language):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        allowed = {p for i in ids for p in _PLACEHOLDER.findall(i)}
        for string in filter(None, strings):
            found = set(_PLACEHOLDER.findall(string))
            # a plural form may leave out the count ("bezwaar: …" for one objection)
            if not found <= allowed or (len(ids) == 1 and found != allowed):
                wrong.append((name, ids[0], string))
    assert wrong == []


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_a_string_in_two_area_catalogs_is_translated_alike(language: str) -> None:
    """The area catalogs are merged at load and the last one wins: a string translated two
    ways (« Inscrire un membre » here, « Inscrire un·e membre » there) would change wording
    with the file order, not with the page."""
    seen: dict[tuple[str | None, object], tuple[str, object]] = {}
    differing = []
    for name, message in _catalog_messages(language):
        key = (message.context, message.id)
        first = seen.setdefault(key, (name, message.string))
        if first[1] != message.string:
            differing.append((message.id, first, (name, message.string)))
    assert differing == []


def test_dockerfile_copies_only_paths_that_exist() -> None:
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()
    for line in dockerfile.splitlines():
        if line.startswith("COPY") and "--from=" not in line:
            sources = line.split()[1:-1]
            for source in sources:
                assert (ROOT / source).exists(), f"Dockerfile copies missing {source}"


def test_compose_file_uses_the_documented_settings() -> None:
    compose = (ROOT / "docker" / "compose.yaml").read_text()
    assert "dockerfile: docker/Dockerfile" in compose
    assert 'votes", "migrate"' in compose
    assert "service_completed_successfully" in compose  # the app waits for the migration


def test_compose_file_is_valid_for_docker_compose(tmp_path: Path) -> None:
    """`docker-compose config` checks the file without a container engine (.ci/run installs
    Debian's docker-compose, so this runs in CI)."""
    if shutil.which("docker-compose") is None:
        pytest.skip("docker-compose is not installed (CI installs it)")
    (tmp_path / "docker").mkdir()
    shutil.copy(ROOT / "docker" / "compose.yaml", tmp_path / "docker" / "compose.yaml")
    shutil.copy(ROOT / "docker" / ".env.example", tmp_path / "docker" / ".env")
    result = subprocess.run(
        ["docker-compose", "-f", "docker/compose.yaml", "config", "-q"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


# a « ; : ! ? » closing a phrase; a colon inside a time (14:05) or a path is not one
_FRENCH_MARK = re.compile(r"(?<![\u00a0\u202f])[;:!?](?=[\s\"»<]|$)")
# the same mark written by a template between two of its pieces: « {{ a }}; {{ b }} »
_TEMPLATE_MARK = re.compile(r"(\}\}|%\}) ?[;:!?]( |$)|[\w)] [;:!?] ?(\{\{|\{%)")


def test_french_puts_a_non_breaking_space_before_double_punctuation() -> None:
    """« quorum de 3/4 des associé·es ; au moins… »: in French « ; : ! ? » follow a
    non-breaking space, so the mark never starts a line and never sticks to its word."""
    wrong = []
    for name, message in _catalog_messages("fr"):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wrong += [(name, s) for s in filter(None, strings) if _FRENCH_MARK.search(s)]
    assert wrong == []
    joined = []
    for template in sorted((ROOT / "templates").rglob("*.jinja")):
        text = re.sub(r"\{#.*?#\}", "", template.read_text(), flags=re.DOTALL)
        joined += [
            f"{template.name}: {line.strip()[:80]}"
            for line in text.splitlines()
            if _TEMPLATE_MARK.search(line)
        ]
    assert joined == [], "write the mark with punct(';'), which knows the reader's language"


def _imports_from_tests(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of each ``from tests.… import names`` in the file, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tests."):
            found.append((str(node.module), [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names if a.name.startswith("tests.")]
    return found


def test_no_test_module_imports_another() -> None:
    """What two test files share lives in tests/support or a ``*_helpers`` module: importing a
    test file runs its tests twice and hides where the helper is."""
    crossing = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        for module, _ in _imports_from_tests(path)
        if module.rsplit(".", 1)[-1].startswith("test_")
    ]
    assert crossing == []


def test_helpers_are_imported_from_the_module_that_defines_them() -> None:
    """A factory is imported from tests.support.factories, never through another helper module
    that happens to import it: one place to look for each helper."""
    tests = ROOT / "tests"
    relayed = []
    for path in sorted(tests.rglob("*.py")):
        for module, names in _imports_from_tests(path):
            source = ROOT.joinpath(*module.split(".")).with_suffix(".py")
            if not source.exists():
                continue
            imported_there = {n for _, ns in _imports_from_tests(source) for n in ns}
            relayed += [
                f"{path.relative_to(ROOT)}: {name} via {module}"
                for name in names
                if name in imported_there
            ]
    assert relayed == []


LONG_MODULE = 600  # lines: a newcomer reads a module whole below this


def test_a_module_past_six_hundred_lines_says_why_at_its_top() -> None:
    unexplained = []
    for path in sorted((ROOT / "src" / "votes").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if text.count("\n") <= LONG_MODULE:
            continue
        docstring = ast.get_docstring(ast.parse(text)) or ""
        if "Long:" not in docstring:
            unexplained.append(f"{path.relative_to(ROOT)} ({text.count(chr(10))} lines)")
    assert unexplained == [], "say why in a « Long: » line of the module docstring"
