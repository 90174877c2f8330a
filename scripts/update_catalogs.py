"""Keep the French and Dutch catalogs in step with the code.

Extracts every translatable string from ``src/votes`` and ``templates``; adds the ones that no
catalog of the language holds yet, with an empty translation, to
``locale/<language>/LC_MESSAGES/<area>.po`` (``--language``, default ``fr``; ``--area``, default
``messages``); lists the entries no code uses any more (``--prune`` removes them). English needs
no catalog: the message ids are English.

    python scripts/update_catalogs.py [--language nl] [--area ballots] [--prune]
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
CATALOGUED = ("fr", "nl")  # English is the message ids themselves


def locale_dir(language: str) -> Path:
    return ROOT / "src" / "votes" / "locale" / language / "LC_MESSAGES"


# the refusal sentences are data, read by their own extractor as if marked N_ / Nn_
SENTENCE_FILES = "src/votes/web/refusal_sentences/*.toml"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "N_": None,
    "Nn_": (1, 2),
    "Np_": ((1, "c"), 2),
    "pgettext": ((1, "c"), 2),
}


MessageKey = tuple[str | tuple[str, ...], str | None]  # (message id, context)


def extracted() -> set[MessageKey]:
    """(message id, context) of every string the code marks for translation: one word may be
    translated differently in two contexts ("Rejected", of a proposal or of an amendment)."""
    found: set[MessageKey] = set()
    method_map = [
        ("src/votes/**.py", "python"),
        ("templates/**.jinja", "jinja2"),
        (SENTENCE_FILES, "votes.web.refusals:extract_sentences"),
    ]
    options = {"templates/**.jinja": {"extensions": "jinja2.ext.i18n"}}
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT), method_map=method_map, options_map=options, keywords=KEYWORDS
    ):
        found.add((message, context))
    return found


def load(path: Path, language: str = "fr") -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


_PLACEHOLDERS = (b"EMAIL@ADDRESS", b"YEAR-MO-DA", b"FULL NAME", b"LL@li.org")


def save(path: Path, catalog: Catalog) -> None:
    """Write a catalog without the placeholder header lines Babel fills in."""
    buffer = io.BytesIO()
    write_po(buffer, catalog, sort_output=True, width=100, omit_header=False)
    lines = [
        line.replace(b"Project-Id-Version:  ", b"Project-Id-Version: ")
        for line in buffer.getvalue().splitlines(keepends=True)
        if not any(placeholder in line for placeholder in _PLACEHOLDERS)
    ]
    path.write_bytes(b"".join(lines))


def _translated(string: str | tuple[str, ...]) -> bool:
    return all(string) if isinstance(string, tuple) else bool(string)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--language", default="fr", choices=CATALOGUED, help="catalogs to update")
    parser.add_argument("--area", default="messages", help="catalog file for new strings")
    parser.add_argument("--prune", action="store_true", help="remove entries no code uses")
    args = parser.parse_args()

    wanted = extracted()
    language: str = args.language
    folder = locale_dir(language)
    catalogs = {path: load(path, language) for path in sorted(folder.glob("*.po"))}
    known = {
        (message.id, message.context)
        for catalog in catalogs.values()
        for message in catalog
        if message.id
    }

    target = folder / f"{args.area}.po"
    if target not in catalogs:
        folder.mkdir(parents=True, exist_ok=True)
        catalogs[target] = Catalog(locale=language, project="votes")
    new = sorted((key for key in wanted if key not in known), key=str)
    changed: set[Path] = {target} if new else set()
    for message_id, context in new:
        blank = ("", "") if isinstance(message_id, tuple) else ""
        catalogs[target].add(message_id, string=blank, context=context)

    unused = [
        (path, (message.id, message.context))
        for path, catalog in catalogs.items()
        for message in catalog
        if message.id and (message.id, message.context) not in wanted
    ]
    if args.prune:
        for path, (message_id, context) in unused:
            catalogs[path].delete(message_id, context=context)
            changed.add(path)

    # only the files that changed are rewritten: the others keep their headers as they are
    for path in sorted(changed):
        save(path, catalogs[path])
    untranslated = [
        message.id
        for catalog in catalogs.values()
        for message in catalog
        if message.id and not _translated(message.string)
    ]
    print(f"{len(new)} new string(s) added to {target.relative_to(ROOT)}")
    for message_id in untranslated:
        print(f"  to translate: {message_id!r}")
    for path, message_id in unused:
        print(f"  {'removed' if args.prune else 'unused'} in {path.name}: {message_id!r}")


if __name__ == "__main__":
    main()
