"""Readable differences between two texts: words removed in <del>, words added in <ins>.

The texts are member-written Markdown sources: every piece is HTML-escaped before it is wrapped,
so a diff can never carry markup of its own.

A word diff compares every word of one text with every word of the other: on two long texts
unlike each other that took minutes. So the work is bounded:

* the texts are compared by lines first, then, inside the lines that changed, by sentences, then
  by words inside the sentences that changed (what is the same at the start and at the end is
  set aside before each comparison, which is how most edits look);
* each comparison is charged, before it runs, the most it can cost (the product of the lengths
  compared); past :data:`DIFF_BUDGET` in all, or for texts longer than :data:`DIFF_MAX_CHARS`,
  the texts are shown apart, the former struck through and the new one after it;
* pages call :func:`diff_texts`, which runs the comparison in a worker thread (the event loop
  keeps serving votes), computes a pair of texts once even when many ask at the same time, and
  keeps the latest results (texts do not change once written: a version or an amendment is
  never edited, so a pair of texts always has the same diff).
"""

from __future__ import annotations

import asyncio
import difflib
import hashlib
import re
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import anyio
import anyio.to_thread
from markupsafe import Markup, escape

# the most a diff may cost, in word-against-word comparisons (about a tenth of a second)
DIFF_BUDGET = 2_000_000
# texts longer than this are not compared (the services keep texts shorter: see
# votes.services.proposals.BODY_MAX)
DIFF_MAX_CHARS = 40_000
CACHE_SIZE = 128
MAX_PARALLEL_DIFFS = 2

# lines (with their line breaks), sentences (with their punctuation and the spaces after it),
# then words and the spaces between them, so that a diff reads as whole words and keeps breaks
_LINES = re.compile(r"[^\n]*\n+|[^\n]+")
_SENTENCES = re.compile(r"[^.!?;:\n]*[.!?;:\n]+\s*|[^.!?;:\n]+")
_WORDS = re.compile(r"\s+|[^\s]+")
_LEVELS = (_LINES, _SENTENCES, _WORDS)


@dataclass(frozen=True, slots=True)
class TextDiff:
    """A diff ready for a template (``{{ diff }}`` renders it)."""

    html: Markup
    compared: bool  # False: too different or too long, the texts are shown apart
    work: int  # what the comparison was charged, never more than DIFF_BUDGET

    def __html__(self) -> str:
        return str(self.html)

    def __str__(self) -> str:
        return str(self.html)


class _OverBudgetError(Exception):
    pass


class _Budget:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.spent = 0

    def charge(self, cost: int) -> None:
        if self.spent + cost > self.limit:
            raise _OverBudgetError
        self.spent += cost


class _BudgetedMatcher(difflib.SequenceMatcher[str]):
    """A SequenceMatcher charged, before each search, the most that search can cost."""

    def __init__(self, a: Sequence[str], b: Sequence[str], budget: _Budget) -> None:
        self.budget = budget
        self.sizes = (len(a), len(b))
        budget.charge(len(a) + len(b))  # indexing the second sequence
        super().__init__(a=a, b=b, autojunk=False)

    def find_longest_match(
        self, alo: int = 0, ahi: int | None = None, blo: int = 0, bhi: int | None = None
    ) -> difflib.Match:
        ahi = self.sizes[0] if ahi is None else ahi
        bhi = self.sizes[1] if bhi is None else bhi
        # each word of a[alo:ahi] is looked up among its occurrences in b[blo:bhi]
        self.budget.charge(max(ahi - alo, 1) * max(bhi - blo, 1))
        return super().find_longest_match(alo, ahi, blo, bhi)


def word_diff(old: str, new: str, budget: int = DIFF_BUDGET) -> TextDiff:
    """How ``old`` became ``new``, as HTML, within ``budget`` comparisons.

    >>> str(word_diff("une prime de 300 €", "une prime de 400 €"))
    'une prime de <del>300</del><ins>400</ins> €'
    >>> str(word_diff("<b>", "<i>"))
    '<del>&lt;b&gt;</del><ins>&lt;i&gt;</ins>'
    >>> apart = word_diff("a b c d", "e f g h", budget=10)
    >>> apart.compared, str(apart)
    (False, '<del>a b c d</del><ins>e f g h</ins>')
    """
    spent = _Budget(budget)
    if len(old) <= DIFF_MAX_CHARS and len(new) <= DIFF_MAX_CHARS:
        parts: list[str] = []
        try:
            _diff(old, new, 0, spent, parts)
        except _OverBudgetError:
            pass
        else:
            html = Markup("".join(parts))  # noqa: S704 - every piece was escaped in _diff
            return TextDiff(html, compared=True, work=spent.spent)
    return TextDiff(_removed(old) + _added(new), compared=False, work=spent.spent)


def _removed(text: str) -> Markup:
    return Markup("<del>%s</del>") % text if text else Markup()


def _added(text: str) -> Markup:
    return Markup("<ins>%s</ins>") % text if text else Markup()


def _trimmed(before: list[str], after: list[str]) -> tuple[int, int, list[str], list[str]]:
    """How many tokens both lists share at the start and at the end, and what differs between:
    what is the same at both ends costs nothing to compare."""
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end = 0
    while (
        end < min(len(before), len(after)) - start
        and before[len(before) - 1 - end] == after[len(after) - 1 - end]
    ):
        end += 1
    return start, end, before[start : len(before) - end], after[start : len(after) - end]


def _diff(old: str, new: str, level: int, budget: _Budget, parts: list[str]) -> None:
    before = _LEVELS[level].findall(old)
    after = _LEVELS[level].findall(new)
    start, end, middle_before, middle_after = _trimmed(before, after)
    parts.append(str(escape("".join(before[:start]))))
    if middle_before and middle_after:
        matcher = _BudgetedMatcher(middle_before, middle_after, budget)
        for operation, a1, a2, b1, b2 in matcher.get_opcodes():
            removed = "".join(middle_before[a1:a2])
            added = "".join(middle_after[b1:b2])
            if operation == "equal":
                parts.append(str(escape(removed)))
            elif operation == "replace" and level + 1 < len(_LEVELS):
                _diff(removed, added, level + 1, budget, parts)
            else:
                parts.append(str(_removed(removed) + _added(added)))
    else:
        parts.append(str(_removed("".join(middle_before)) + _added("".join(middle_after))))
    parts.append(str(escape("".join(before[len(before) - end :]))))


# --- rendered Markdown ----------------------------------------------------------------------------

# an HTML tag, a run of spaces, or a word (what render_markdown writes: no "<" inside text)
_HTML_TOKENS = re.compile(r"<[^>]*>|\s+|[^\s<]+")
_DIFF_TAGS = {"del", "ins"}


def markdown_diff(old: str, new: str, budget: int = DIFF_BUDGET) -> TextDiff:
    """How the Markdown text ``old`` became ``new``, as people read it: the new text rendered
    (headings, lists, emphasis), words removed in <del> where they were, words added in <ins>.
    Markup is never shown as characters (no ``##`` nor ``**``).

    Both texts are rendered and sanitised first, then compared token by token (tags and words);
    the result keeps every tag of the new text in order and only the words of removed passages,
    so it is well formed, and it is sanitised once more.

    >>> str(markdown_diff("Une prime de **300 €**.", "Une prime de **400 €**.")).strip()
    '<p>Une prime de <strong><del>300</del><ins>400</ins> €</strong>.</p>'
    >>> str(markdown_diff("# Titre", "## Titre")).strip()
    '<h2>Titre</h2>'
    """
    from votes.web.markdown import render_markdown

    spent = _Budget(budget)
    old_html, new_html = str(render_markdown(old)), str(render_markdown(new))
    if len(old) <= DIFF_MAX_CHARS and len(new) <= DIFF_MAX_CHARS:
        try:
            merged = _block_diff(old_html, new_html, spent)
        except _OverBudgetError:
            pass
        else:
            return TextDiff(_sanitised(merged), compared=True, work=spent.spent)
    apart = (f'<del class="diff-block">{old_html}</del>' if old.strip() else "") + (
        f'<ins class="diff-block">{new_html}</ins>' if new.strip() else ""
    )
    return TextDiff(_sanitised(apart), compared=False, work=spent.spent)


def _sanitised(html: str) -> Markup:
    import nh3

    from votes.web.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

    attributes = {**ALLOWED_ATTRIBUTES, "del": {"class"}, "ins": {"class"}}
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS | _DIFF_TAGS,
        attributes=attributes,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above


def _block_diff(old_html: str, new_html: str, budget: _Budget) -> str:
    """Blocks first (the renderer writes each block on its lines), then tokens inside the
    blocks that changed: a few words changed in a long text cost a few blocks' comparison."""
    before, after = _LINES.findall(old_html), _LINES.findall(new_html)
    parts: list[str] = []
    start, end, middle_before, middle_after = _trimmed(before, after)
    parts.extend(before[:start])
    opcodes = (
        _BudgetedMatcher(middle_before, middle_after, budget).get_opcodes()
        if middle_before and middle_after
        else [("replace", 0, len(middle_before), 0, len(middle_after))]
    )
    for operation, a1, a2, b1, b2 in opcodes:
        if operation == "equal":
            parts.extend(middle_after[b1:b2])
        else:
            removed = _HTML_TOKENS.findall("".join(middle_before[a1:a2]))
            added = _HTML_TOKENS.findall("".join(middle_after[b1:b2]))
            parts.append(_token_diff(removed, added, budget))
    parts.extend(after[len(after) - end :])
    return "".join(parts)


def _token_diff(before: list[str], after: list[str], budget: _Budget) -> str:
    start, end, middle_before, middle_after = _trimmed(before, after)
    parts = before[:start]
    if middle_before and middle_after:
        matcher = _BudgetedMatcher(middle_before, middle_after, budget)
        for operation, a1, a2, b1, b2 in matcher.get_opcodes():
            if operation == "equal":
                parts.extend(middle_after[b1:b2])
                continue
            parts.append(_removed_words(middle_before[a1:a2]))
            parts.extend(_added_tokens(middle_after[b1:b2]))
    else:
        parts.append(_removed_words(middle_before))
        parts.extend(_added_tokens(middle_after))
    parts.extend(after[len(after) - end :])
    return "".join(parts)


def _removed_words(tokens: list[str]) -> str:
    """The words of a removed passage, without its tags (the new text's tags stand alone)."""
    words = "".join(" " if token.startswith("<") else token for token in tokens)
    words = re.sub(r"\s+", " ", words)
    return f"<del>{words}</del>" if words.strip() else ""


def _added_tokens(tokens: list[str]) -> list[str]:
    """An added passage: its tags as they are, each run of words between them in <ins>."""
    parts: list[str] = []
    run: list[str] = []
    end = "<>"  # a tag of no kind that closes the last run
    for token in [*tokens, end]:
        if token.startswith("<"):
            words = "".join(run)
            if words.strip():
                parts.append(f"<ins>{words}</ins>")
            elif words:
                parts.append(words)
            run = []
            if token is not end:
                parts.append(token)
        else:
            run.append(token)
    return parts


async def diff_markdown(old: str, new: str) -> TextDiff:
    """:func:`markdown_diff` computed in a worker thread, once per pair of texts (cached)."""
    return await _diff_once(b"markdown", markdown_diff, old, new)


# --- off the event loop, once per pair of texts --------------------------------------------------

_cache: OrderedDict[bytes, TextDiff] = OrderedDict()
_pending: dict[bytes, asyncio.Task[TextDiff]] = {}
_limiter: anyio.CapacityLimiter | None = None


def _capacity() -> anyio.CapacityLimiter:
    global _limiter
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(MAX_PARALLEL_DIFFS)
    return _limiter


def _key(old: str, new: str) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    for text in (old, new):
        data = text.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.digest()


async def diff_texts(old: str, new: str) -> TextDiff:
    """:func:`word_diff` computed in a worker thread, once per pair of texts (cached)."""
    return await _diff_once(b"", word_diff, old, new)


async def _diff_once(
    kind: bytes, differ: Callable[[str, str], TextDiff], old: str, new: str
) -> TextDiff:
    key = kind + _key(old, new)
    cached = _cache.get(key)
    if cached is not None:
        _cache.move_to_end(key)
        return cached
    task = _pending.get(key)
    if task is None:
        task = asyncio.ensure_future(_compute(key, differ, old, new))
        _pending[key] = task
    # a reader who leaves does not stop the computation the others are waiting for
    return await asyncio.shield(task)


async def _compute(
    key: bytes, differ: Callable[[str, str], TextDiff], old: str, new: str
) -> TextDiff:
    try:
        result = await anyio.to_thread.run_sync(differ, old, new, limiter=_capacity())
    finally:
        _pending.pop(key, None)
    _cache[key] = result
    while len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)
    return result
