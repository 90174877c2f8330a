"""Readable differences between two texts: words removed in <del>, words added in <ins>.

The texts are member-written Markdown sources: every piece is HTML-escaped before it is wrapped,
so a diff can never carry markup of its own.
"""

from __future__ import annotations

import difflib
import re

from markupsafe import Markup, escape

# words and the spaces after them, so that a diff reads as whole words and keeps line breaks
_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> Markup:
    """HTML showing how ``old`` became ``new``.

    >>> str(word_diff("une prime de 300 €", "une prime de 400 €"))
    'une prime de <del>300</del><ins>400</ins> €'
    >>> str(word_diff("<b>", "<i>"))
    '<del>&lt;b&gt;</del><ins>&lt;i&gt;</ins>'
    """
    before = _TOKENS.findall(old)
    after = _TOKENS.findall(new)
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for operation, a1, a2, b1, b2 in matcher.get_opcodes():
        removed = str(escape("".join(before[a1:a2])))
        added = str(escape("".join(after[b1:b2])))
        if operation == "equal":
            parts.append(removed)
            continue
        if removed:
            parts.append(f"<del>{removed}</del>")
        if added:
            parts.append(f"<ins>{added}</ins>")
    return Markup("".join(parts))  # noqa: S704 - every piece was escaped above
