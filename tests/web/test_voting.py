"""Voting from a phone, the console, the room count, the projector and the exports, through the
web app as a browser without JavaScript would use them (plain forms and redirects)."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import httpx
from tests.support.factories import close, open_ballot
from tests.web.helpers import assert_shows, csrf_token
from tests.web.phone_voting import (
    VotingCoop,
    hidden_values,
    open_ballot_signed_in,
    sign_in_as,
    vote_without_javascript,
)

from votes.db.tables import Ballot, BallotPaper, Participation
from votes.services.actors import actor_for
from votes.services.ballots import counting, drafts, rows, voting


async def _send(
    client: httpx.AsyncClient,
    path: str,
    token: str,
    submission: str,
    choice: str,
    language: str = "fr",
) -> httpx.Response:
    """A ballot's form posted as a phone without JavaScript would."""
    return await client.post(
        path,
        data={"_csrf_token": token, "submission": submission, "choice": choice},
        headers={"Accept-Language": language},
    )


async def _a_late_vote_is_refused_and_not_counted(
    client: httpx.AsyncClient, coop: VotingCoop, ballot_id: int, token: str
) -> None:
    """A vote posted once the ballot is over gets the closed page in French; none is counted."""
    late = await _send(client, coop.path(ballot_id, "/vote"), token, "late", "yes")
    assert late.status_code == 409
    assert "Ce scrutin est clos" in late.text
    assert await Participation.count().where(Participation.ballot == ballot_id) == 0


async def test_a_member_votes_confirms_and_sees_a_receipt_and_a_retry_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    coop, ballot_id = await open_ballot_signed_in(client, "ana", secret=True)
    voted, form = await vote_without_javascript(client, coop, ballot_id, "yes")
    assert voted.status_code == 303
    page = await client.get(coop.path(ballot_id), headers={"Accept-Language": "fr"})
    assert "Vote enregistré" in page.text
    receipt = re.search(r'class="receipt">([A-Z0-9-]+)<', page.text)
    assert receipt is not None
    # the same form again (double tap, retry after a timeout): same answer, one vote
    again = await client.post(coop.path(ballot_id, "/vote"), data=form, follow_redirects=False)
    assert again.status_code == 303
    kept = again.cookies.get(f"votes_receipt_{ballot_id}") or ""
    assert kept.split(".")[1] == receipt.group(1).replace("-", "")
    assert await BallotPaper.count().where(BallotPaper.ballot == ballot_id) == 1


async def test_htmx_gets_the_confirmation_fragment_at_once(client: httpx.AsyncClient) -> None:
    coop, ballot_id = await open_ballot_signed_in(client, "ben")
    token = await csrf_token(client, coop.path(ballot_id))
    response = await client.post(
        coop.path(ballot_id, "/vote"),
        data={"_csrf_token": token, "submission": "tok-htmx", "choice": "no"},
        headers={"HX-Request": "true", "Accept-Language": "en"},
    )
    assert response.status_code == 200
    assert "Vote recorded" in response.text
    assert "<html" not in response.text


async def test_a_vote_after_the_close_gets_a_clear_page_and_is_not_counted(
    client: httpx.AsyncClient,
) -> None:
    coop, ballot_id = await open_ballot_signed_in(client, "ana")
    page = await client.get(coop.path(ballot_id))
    token = hidden_values(page.text, "_csrf_token")[0]
    await close(ballot_id)
    await _a_late_vote_is_refused_and_not_counted(client, coop, ballot_id, token)


async def test_forged_options_observers_and_foreign_ballots_are_refused(
    client: httpx.AsyncClient,
) -> None:
    coop = await VotingCoop().create()
    other = await VotingCoop().create()
    ballot_id = await coop.ballot()
    foreign_id = await other.ballot()
    await open_ballot(ballot_id)
    await open_ballot(foreign_id)
    await sign_in_as(client, coop, "ana")
    token = await csrf_token(client, coop.path(ballot_id))
    forged = await _send(client, coop.path(ballot_id, "/vote"), token, "f", "maybe", "en")
    assert forged.status_code == 422
    assert "not one of this ballot" in forged.text
    foreign = await client.post(
        f"/o/{coop.slug}/ballots/{foreign_id}/vote",
        data={"_csrf_token": token, "submission": "g", "choice": "yes"},
    )
    assert foreign.status_code == 404
    await sign_in_as(client, coop, "observer")
    token = await csrf_token(client, coop.path(ballot_id))
    watcher = await client.post(
        coop.path(ballot_id, "/vote"),
        data={"_csrf_token": token, "submission": "h", "choice": "yes"},
    )
    assert watcher.status_code == 403
    assert (
        await Participation.count().where(Participation.ballot.is_in([ballot_id, foreign_id])) == 0
    )


async def test_a_ranked_ballot_is_filled_by_tapping_options_in_order(
    client: httpx.AsyncClient,
) -> None:
    coop, ballot_id = await open_ballot_signed_in(client, "ana", "irv")
    token = await csrf_token(client, coop.path(ballot_id))
    order: list[str] = []
    for tap in ({"add": "c"}, {"add": "a"}, {"add": "b"}, {"up": "b"}, {"remove": "c"}):
        data = {"_csrf_token": token, "submission": "rank", "rank": order, **tap}
        response = await client.post(coop.path(ballot_id, "/rank"), data=data)
        assert response.status_code == 200
        order = hidden_values(response.text, "rank")
    assert order == ["b", "a"]
    review = await client.post(
        coop.path(ballot_id, "/review"),
        data={"_csrf_token": token, "submission": "rank", "rank": order},
        headers={"Accept-Language": "en"},
    )
    assert "1. Bruno" in review.text
    assert "2. Alice" in review.text
    duplicate = await client.post(
        coop.path(ballot_id, "/vote"),
        data={"_csrf_token": token, "submission": "dup", "rank": ["a", "a"]},
    )
    assert duplicate.status_code == 422


async def test_the_console_runs_the_lifecycle_and_shows_who_has_not_voted(
    client: httpx.AsyncClient,
) -> None:
    coop = await VotingCoop().create()
    ballot_id = await coop.ballot("schulze")
    await sign_in_as(client, coop, "ana")
    assert (await client.get(coop.path(ballot_id, "/console"))).status_code == 403
    await sign_in_as(client, coop, "facilitator")
    token = await csrf_token(client, coop.path(ballot_id, "/console"))
    opened = await client.post(
        coop.path(ballot_id, "/console/open"),
        data={"_csrf_token": token, "despite": "1"},  # not in session: opened once told
        follow_redirects=False,
    )
    assert opened.status_code == 303
    await voting.cast_vote(ballot_id, coop.memberships["ana"], ["a", "b", "c"])
    turnout = await client.get(
        coop.path(ballot_id, "/turnout"), headers={"HX-Request": "true", "Accept-Language": "en"}
    )
    assert f"Ben {coop.n}" in turnout.text
    assert f"Ana {coop.n}" not in turnout.text
    refused = await client.post(
        coop.path(ballot_id, "/console/reopen"), data={"_csrf_token": token, "reason": "x"}
    )
    assert refused.status_code == 409
    for action in ("close", "publish"):
        done = await client.post(
            coop.path(ballot_id, f"/console/{action}"),
            data={"_csrf_token": token},
            follow_redirects=False,
        )
        assert done.status_code == 303
    result = await client.get(coop.path(ballot_id), headers={"Accept-Language": "en"})
    assert "Head-to-head" in result.text
    assert "<svg" in result.text
    assert (await client.get(coop.path(ballot_id, "/result.blt"))).text.startswith("3 1")
    csv = await client.get(coop.path(ballot_id, "/result.csv"))
    assert csv.text.splitlines()[0] == "round,option,label,votes,elected,excluded"
    exported = (await client.get(coop.path(ballot_id, "/result.json"))).json()
    assert exported["ballot"]["method"] == "schulze"


async def test_a_scrutineer_enters_a_room_count_with_consistency_checks(
    client: httpx.AsyncClient,
) -> None:
    coop, ballot_id = await open_ballot_signed_in(client, "scrutineer")
    token = await csrf_token(client, coop.path(ballot_id, "/room-count"))
    fields = {"count-yes": "2", "count-no": "1", "count-abstain": "0", "blank": "0", "invalid": "0"}
    wrong = await client.post(
        coop.path(ballot_id, "/room-count"),
        data={"_csrf_token": token, **fields, "cast": "4"},
        headers={"Accept-Language": "fr"},
    )
    assert wrong.status_code == 422
    assert "total des bulletins" in wrong.text
    saved = await client.post(
        coop.path(ballot_id, "/room-count"),
        data={"_csrf_token": token, **fields, "cast": "3"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    result = await close(ballot_id)
    assert result.rounds[0].totals["yes"] == 2


async def test_the_projector_shows_the_question_turnout_and_a_qr_code(
    client: httpx.AsyncClient,
) -> None:
    coop = await VotingCoop().create()
    await coop.open_ballot()
    await sign_in_as(client, coop, "ana")
    page = await client.get(
        f"/o/{coop.slug}/assemblies/{coop.assembly_id}/projector",
        headers={"Accept-Language": "fr"},
    )
    assert page.status_code == 200
    assert_shows(page.text, "Question ?", 'class="qr"', f"/o/{coop.slug}/vote")


async def test_the_status_poll_is_silent_until_the_ballot_changes(
    client: httpx.AsyncClient,
) -> None:
    coop = await VotingCoop().create()
    ballot_id = await coop.ballot()
    await sign_in_as(client, coop, "ana")
    quiet = await client.get(coop.path(ballot_id, "/status?seen=draft::1"))
    assert quiet.status_code == 204
    assert "HX-Refresh" not in quiet.headers
    await open_ballot(ballot_id)
    changed = await client.get(coop.path(ballot_id, "/status?seen=draft::1"))
    assert changed.headers["HX-Refresh"] == "true"


async def test_after_the_deadline_the_phone_says_time_is_up_and_a_vote_is_refused(
    client: httpx.AsyncClient,
) -> None:
    coop, ballot_id = await open_ballot_signed_in(client, "ana", duration_seconds=60)
    page = await client.get(coop.path(ballot_id), headers={"Accept-Language": "fr"})
    token = hidden_values(page.text, "_csrf_token")[0]
    assert 'data-over="Temps écoulé"' in page.text  # what the ticking countdown shows at 0
    form_action = f'action="/o/{coop.slug}/ballots/{ballot_id}/review"'
    assert form_action in page.text
    past = datetime.now(UTC) - timedelta(seconds=1)
    await Ballot.update({Ballot.closes_at: past}).where(Ballot.id == ballot_id)
    # the server has not closed it yet: the page already says why no vote is taken
    page = await client.get(coop.path(ballot_id), headers={"Accept-Language": "fr"})
    assert "Temps écoulé\u00a0: les votes ne sont plus acceptés." in page.text
    assert form_action not in page.text
    await _a_late_vote_is_refused_and_not_counted(client, coop, ballot_id, token)
    review = await _send(client, coop.path(ballot_id, "/review"), token, "late", "yes")
    assert review.status_code == 409
    # the facilitator's console says the platform is closing it
    await sign_in_as(client, coop, "facilitator")
    console = await client.get(coop.path(ballot_id, "/console"), headers={"Accept-Language": "fr"})
    assert "Temps écoulé\u00a0: le scrutin se clôt et est dépouillé." in console.text


async def test_a_facilitator_corrects_a_draft_until_it_opens(client: httpx.AsyncClient) -> None:
    coop = await VotingCoop().create()
    ballot_id = await coop.ballot("irv")
    settings = coop.path(ballot_id, "/settings")
    french = {"Accept-Language": "fr"}
    await sign_in_as(client, coop, "facilitator")
    console = await client.get(coop.path(ballot_id, "/console"), headers=french)
    assert f'href="{settings}">Modifier</a>' in console.text
    form = await client.get(settings, headers=french)
    assert form.status_code == 200
    assert "Modifier le scrutin" in form.text
    assert "Alice\nBruno\nChloé</textarea>" in form.text  # the draft's own settings
    token = hidden_values(form.text, "_csrf_token")[0]
    fields = {
        "_csrf_token": token,
        "question": "Qui élire au conseil ?",
        "method": "irv",
        "options": "Alice\nBruno\nChloé\nDriss",
        "seats": "1",
        "minutes": "5",
    }
    # bad input: the form again, with the message and what was typed; nothing changes
    not_a_number = await client.post(settings, data={**fields, "minutes": "cinq"}, headers=french)
    assert not_a_number.status_code == 422
    assert "Écrivez un nombre entier de 0 à 40\u202f320." in not_a_number.text
    assert "Qui élire au conseil ?" in not_a_number.text
    one_option = await client.post(settings, data={**fields, "options": "Alice"}, headers=french)
    assert one_option.status_code == 422
    assert "Indiquez au moins deux options, une par ligne." in one_option.text
    unchanged = await rows.ballot_definition(ballot_id)
    assert unchanged.keys == ("a", "b", "c")
    saved = await client.post(settings, data=fields, follow_redirects=False)
    assert saved.status_code == 303
    assert saved.headers["location"] == coop.path(ballot_id, "/console")
    page = await client.get(coop.path(ballot_id), headers=french)
    assert "Qui élire au conseil ?" in page.text
    # members and observers may not
    for role in ("ana", "observer"):
        await sign_in_as(client, coop, role)
        token = await csrf_token(client, coop.path(ballot_id))
        assert (await client.get(settings)).status_code == 403
        refused = await client.post(settings, data={**fields, "_csrf_token": token})
        assert refused.status_code == 403
    # once open, its settings are fixed
    await open_ballot(ballot_id)
    await sign_in_as(client, coop, "facilitator")
    token = await csrf_token(client, coop.path(ballot_id, "/console"))
    assert (await client.get(settings, headers=french)).status_code == 409
    late = await client.post(
        settings, data={**fields, "_csrf_token": token, "question": "Trop tard ?"}, headers=french
    )
    assert late.status_code == 409
    assert "Seul un scrutin en préparation peut être modifié" in late.text
    opened = await rows.ballot_definition(ballot_id)
    assert opened.keys == ("o1", "o2", "o3", "o4")
    assert "Trop tard ?" not in (await client.get(coop.path(ballot_id))).text


async def test_a_scrutineer_counts_approval_papers_and_they_join_the_electronic_ones(
    client: httpx.AsyncClient,
) -> None:
    coop = await VotingCoop().create()
    ballot_id = await coop.open_ballot("approval", seats=2, rules={"max_selections": 2})
    await voting.cast_vote(ballot_id, coop.memberships["ana"], ["a", "b"])
    await sign_in_as(client, coop, "scrutineer")
    form = await client.get(coop.path(ballot_id, "/room-count"), headers={"Accept-Language": "fr"})
    assert "Vote par approbation\u00a0: pour chaque option, comptez les bulletins" in form.text
    token = hidden_values(form.text, "_csrf_token")[0]

    async def count(a: int, b: int, c: int, blank: int, invalid: int, cast: int) -> httpx.Response:
        return await client.post(
            coop.path(ballot_id, "/room-count"),
            data={
                "_csrf_token": token,
                "count-a": str(a),
                "count-b": str(b),
                "count-c": str(c),
                "blank": str(blank),
                "invalid": str(invalid),
                "cast": str(cast),
            },
            headers={"Accept-Language": "fr"},
            follow_redirects=False,
        )

    refused = {
        # Alice approved on 3 papers out of 2
        "plus de bulletins qu'il n'y a de bulletins valables": await count(3, 1, 0, 0, 0, 2),
        # 2 valid papers, 1 approval: one paper approves nothing
        "Trop peu d'approbations": await count(1, 0, 0, 0, 0, 2),
        # 2 papers of at most 2 approvals hold 4, not 5
        "Trop d'approbations": await count(2, 2, 1, 0, 0, 2),
        "ne peuvent pas dépasser le nombre de bulletins déposés": await count(0, 0, 0, 2, 1, 2),
    }
    for message, answer in refused.items():
        assert answer.status_code == 422, message
        assert message in html.unescape(answer.text)
    assert await counting.room_count_of(ballot_id, 1) is None
    # 3 papers: 1 blank, 2 valid holding 4 approvals (more than the papers, as approval allows)
    saved = await count(2, 1, 1, 1, 0, 3)
    assert saved.status_code == 303
    result = await close(ballot_id)
    totals = result.rounds[0].totals
    assert (totals["a"], totals["b"], totals["c"]) == (3, 2, 1)
    assert result.details["voters"] == 4  # Ana on her phone, 2 valid papers and a blank one
    assert set(result.winners) == {"a", "b"}
    await sign_in_as(client, coop, "facilitator")
    console = await client.get(coop.path(ballot_id, "/console"), headers={"Accept-Language": "fr"})
    assert "Dans la salle" in console.text


async def test_score_papers_are_not_added_up_by_option(client: httpx.AsyncClient) -> None:
    coop, ballot_id = await open_ballot_signed_in(client, "scrutineer", "score")
    page = await client.get(coop.path(ballot_id, "/room-count"), headers={"Accept-Language": "fr"})
    explained = "chaque bulletin doit être dépouillé un par un"
    assert explained in page.text
    token = await csrf_token(client, coop.path(ballot_id, "/room-count"))
    refused = await client.post(
        coop.path(ballot_id, "/room-count"),
        data={"_csrf_token": token, "count-a": "1", "cast": "1"},
        headers={"Accept-Language": "fr"},
    )
    assert refused.status_code == 409
    assert explained in refused.text
    assert await counting.room_count_of(ballot_id, 1) is None


async def test_a_crafted_score_gets_the_scale_message_and_is_not_counted(
    client: httpx.AsyncClient,
) -> None:
    """ "²" passes str.isdigit() yet int() refuses it; int() refuses 5,000 digits too: both
    once gave a 500. A score written any other way than in plain digits is off the scale."""
    coop, ballot_id = await open_ballot_signed_in(client, "ana", "score")
    token = await csrf_token(client, coop.path(ballot_id))
    for crafted in ("²", "٣", "9" * 5000, "-" + "9" * 5000, str(2**63), "1e3"):
        for step in ("/review", "/vote"):
            answer = await client.post(
                coop.path(ballot_id, step),
                data={"_csrf_token": token, "submission": "crafted", "score-a": crafted},
                headers={"Accept-Language": "fr"},
                follow_redirects=False,
            )
            assert answer.status_code == 422, (step, crafted[:10], answer.status_code)
            assert "Une note sort de l'échelle du scrutin." in html.unescape(answer.text)
    assert await Participation.count().where(Participation.ballot == ballot_id) == 0


async def test_a_consent_reason_over_the_limit_is_refused_not_cut(
    client: httpx.AsyncClient,
) -> None:
    coop = await VotingCoop().create()
    ballot_id = await drafts.create_ballot(
        await actor_for(coop.organisation_id),
        coop.assembly_id,
        "Adopter la charte ?",
        "consent",
        [(key, label) for key, label in drafts.default_options("consent")],
    )
    await open_ballot(ballot_id)
    await sign_in_as(client, coop, "ana")
    page = await client.get(coop.path(ballot_id))
    form = {
        "_csrf_token": hidden_values(page.text, "_csrf_token")[0],
        "submission": hidden_values(page.text, "submission")[0],
        "choice": "objection",
        "reason": "x" * 1001,
    }
    for step in ("/review", "/vote"):
        refused = await client.post(
            coop.path(ballot_id, step),
            data=form,
            headers={"Accept-Language": "fr"},
            follow_redirects=False,
        )
        assert refused.status_code == 422, (step, refused.status_code)
        assert (
            "Votre raison est trop longue\u00a0: 1\u00a0000 caractères au plus."
            in html.unescape(refused.text)
        )
    assert await BallotPaper.count().where(BallotPaper.ballot == ballot_id) == 0
