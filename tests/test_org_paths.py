"""One way to write an organisation's addresses in a template: ``org_path`` (issue #21)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from votes.web.templating import make_environment

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
COOP = {"short_name": "scop-du-coin"}


def _render(source: str, **context: object) -> str:
    return make_environment().from_string(source).render(**context)


@pytest.mark.parametrize(
    ("call", "path"),
    [
        ("org_path('assemblies', 4, 'attendance')", "/o/scop-du-coin/assemblies/4/attendance"),
        ("org_path('ballots', 12)", "/o/scop-du-coin/ballots/12"),
        ("org_path('members/codes/sheet')", "/o/scop-du-coin/members/codes/sheet"),
        ("org_path('members/')", "/o/scop-du-coin/members/"),
        ("org_path('')", "/o/scop-du-coin/"),
        ("org_path('assemblies', 4, 'convocation/')", "/o/scop-du-coin/assemblies/4/convocation/"),
    ],
)
def test_a_path_starts_at_the_organisation_of_the_page(call: str, path: str) -> None:
    assert _render("{{ " + call + " }}", organisation=COOP) == path


def test_a_part_made_from_data_stays_one_segment_of_the_path() -> None:
    source = "<a href=\"{{ org_path('proposals', key) }}?x=1\">"
    link = _render(source, organisation=COOP, key="a b?#")
    assert link == '<a href="/o/scop-du-coin/proposals/a%20b%3F%23?x=1">'


def test_a_page_listing_several_organisations_links_each_to_its_own() -> None:
    source = (
        "{% for membership in memberships %}{% set organisation = membership.organisation %}"
        "{% for ballot in membership.ballots %}{{ org_path('ballots', ballot, of=organisation) }} "
        "{% endfor %}{% endfor %}{{ org_path('', of=created) }}"
    )
    memberships = [
        {"organisation": {"short_name": "a"}, "ballots": [1, 2]},
        {"organisation": {"short_name": "b"}, "ballots": [3]},
    ]
    rendered = _render(source, memberships=memberships, created={"short_name": "nouvelle"})
    assert rendered == "/o/a/ballots/1 /o/a/ballots/2 /o/b/ballots/3 /o/nouvelle/"


# "/o/" written in a template, or a short name glued to a path: an address built by hand
_HAND_BUILT = re.compile(r"/o/|short_name\s*~|short_name\s*\}\}\s*/")


def test_no_template_builds_an_organisation_path_by_hand() -> None:
    """A path built by hand drifts from its route (a missing slash, a renamed segment) where
    ``org_path`` keeps every address of a cooperative written one way."""
    found = []
    for template in sorted(TEMPLATES.rglob("*.jinja")):
        text = re.sub(r"\{#.*?#\}", "", template.read_text(), flags=re.DOTALL)
        found += [
            f"{template.relative_to(TEMPLATES)}:{number}: {line.strip()[:90]}"
            for number, line in enumerate(text.splitlines(), 1)
            if _HAND_BUILT.search(line)
        ]
    assert found == [], "write these paths with org_path(...), see votes.web.templating"
