"""From what people read back to what was written: the passage of a proposal's Markdown source
that a selection on its rendered text corresponds to.

People select words on the rendered proposal (bold, headings, lists); an amendment names its
passage in the source, where the same words are wrapped in ``**``, ``##`` or ``- ``. The source
is read once, its Markdown punctuation set aside, with the position in the source of every
character kept: the selection is looked for in that plain text, and its first and last
characters give the passage in the source.
"""

from __future__ import annotations

import re

# Markdown punctuation that does not show once rendered: block markers at the start of a line
# (headings, quotes, list bullets and numbers), emphasis and code marks, a link's brackets and
# address
_LINE_START = re.compile(r"(?m)^[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d{1,9}[.)][ \t]+)+")
_INLINE = re.compile(r"\*{1,3}|~~|`+|(?<!\w)_{1,3}|_{1,3}(?!\w)|\]\([^)\s]*\)|\[")
_SPACE = re.compile(r"\s+")


def _plain_with_positions(source: str) -> tuple[str, list[int]]:
    """The source's text as rendered (spaces collapsed) and, for each of its characters, the
    character's index in the source."""
    hidden = [False] * len(source)
    for pattern in (_LINE_START, _INLINE):
        for match in pattern.finditer(source):
            for index in range(match.start(), match.end()):
                hidden[index] = True
    plain: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(source):
        if hidden[index]:
            continue
        if char.isspace():
            if plain and plain[-1] == " ":
                continue
            char = " "
        plain.append(char)
        positions.append(index)
    return "".join(plain), positions


def source_passage(source: str, selected: str) -> str | None:
    """The passage of ``source`` (Markdown) whose rendered text is ``selected``, or None when
    the selection is not in the text.

    >>> source_passage("## Article 2\\n\\nUne prime de **300 €** par an.", "prime de 300 €")
    'prime de **300 €**'
    >>> source_passage("Une prime de **300 €** par an.", "300 € par")
    '**300 €** par'
    >>> source_passage("- un\\n- deux", "un deux")
    'un\\n- deux'
    >>> source_passage("Voir [les statuts](https://example.org).", "les statuts") is None
    False
    """
    wanted = _SPACE.sub(" ", selected).strip()
    if not wanted:
        return None
    plain, positions = _plain_with_positions(source)
    start = plain.find(wanted)
    if start < 0:
        return None
    first, last = positions[start], positions[start + len(wanted) - 1]
    passage = source[first : last + 1]
    # a selection that opens or closes emphasis takes the other mark along, so that the
    # passage replaced keeps the text's emphasis balanced
    for mark in ("***", "**", "*", "~~"):
        if passage.count(mark) % 2 == 0:
            continue
        if source[last + 1 : last + 1 + len(mark)] == mark:
            passage += mark
            last += len(mark)
        elif source[max(first - len(mark), 0) : first] == mark:
            passage = mark + passage
            first -= len(mark)
        break
    return passage
