"""``python -m votes.core count``: a recount anyone can run from a file alone, without the app.

Every golden election in ``../shared/data/ballots`` is recounted through the command, and its
winners compared with the reference count (Droop's for Glasgow and the STV edge cases, the
official results for Minneapolis and Burlington).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.support.golden import DATA, needs, references

from votes.core import tally
from votes.core.__main__ import main
from votes.core.recount import count, guess_format, read_ballots, recount
from votes.core.results import TallyError

REFERENCES = references()
METHOD_OF = {"scotland": "stv", "meek": "meek_stv"}

needs_data = needs(REFERENCES)


def _elected_line(output: str) -> set[str]:
    line = next(line for line in output.splitlines() if line.startswith("Elected:"))
    return {_name(name) for name in line.removeprefix("Elected:").strip().split(", ")}


def _name(name: str) -> str:
    return " ".join(name.split())  # Droop's reference folds the files' spaces in names


@needs_data
@pytest.mark.parametrize("reference", REFERENCES, ids=lambda p: p.stem)
def test_every_golden_stv_election_recounts_to_its_reference_winners(
    reference: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name, rule = reference.stem.split("-scotland-")[0], "scotland"
    if "-meek-" in reference.stem:
        name, rule = reference.stem.split("-meek-")[0], "meek"
    data = json.loads(reference.read_text())
    final = data["actions"][-1]["cstate"]
    elected = {cid for cid, state in final.items() if state["state"] == "elected"}
    blt = reference.parent.parent / f"{name}.blt"
    status = main(["count", METHOD_OF[rule], str(blt), "--language", "en"])
    output = capsys.readouterr().out
    assert status == 0
    assert _elected_line(output) == {_name(data["cdict"][cid]["name"]) for cid in elected}


@needs_data
def test_minneapolis_2013_recounts_to_hodges_with_the_official_final_round(
    capsys: pytest.CaptureFixture[str],
) -> None:
    csv = DATA / "minneapolis-2013-mayor/mn_2013_cast_vote_record.csv"
    assert main(["count", "irv", str(csv)]) == 0
    output = capsys.readouterr().out
    assert "38\u00a0870" in output.splitlines()[-2]  # the last round, in French
    assert output.splitlines()[-1] == "Élu·e\u00a0: BETSY HODGES"
    assert main(["count", "irv", str(csv), "--overvote", "exhaust", "--language", "en"]) == 0
    assert "38,857" in capsys.readouterr().out


@needs_data
@pytest.mark.parametrize(
    ("method", "winner"),
    [("irv", "Bob Kiss"), ("schulze", "Andy Montroll"), ("ranked_pairs", "Andy Montroll"),
     ("plurality", "Kurt Wright")],
)  # fmt: skip
def test_burlington_2009_recounts_as_the_data_readme_says(
    method: str, winner: str, capsys: pytest.CaptureFixture[str]
) -> None:
    toi = DATA / "burlington-2009-mayor/00005-00000002.toi"
    assert main(["count", method, str(toi), "--language", "en"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"Elected: {winner}"


BLT = (
    '3 1\n-3\n4 1 2 0\n3 2 1 0\n2 3 0\n0\n"Aïcha Benani"\n"Bruno Lefèvre"\n"Chloé Petit"\n'
    '"Trésorerie"\n'
)


def test_a_blt_file_says_its_title_rounds_and_result_in_french_by_default() -> None:
    lines = recount("irv", BLT, "blt")
    assert lines[0] == "Trésorerie"
    assert lines[-1] == "Élu·e\u00a0: Aïcha Benani"
    assert all("Chloé" not in line for line in lines[1:])  # withdrawn before the count


def test_an_unresolved_tie_elects_nobody_and_says_so() -> None:
    text = '2 1\n1 1 0\n1 2 0\n0\n"A"\n"B"\n"Égalité"\n'
    assert recount("plurality", text, "blt", language="en")[-1] == "Nobody is elected"
    assert recount("plurality", text, "blt")[-1] == "Personne n’est élu"
    assert recount("plurality", text, "blt", language="nl")[-1] == "Niemand is verkozen"
    # the same tie, settled by the lot recorded with the ballot: reproducible
    first = recount("plurality", text, "blt", seed="a1b2")
    assert first == recount("plurality", text, "blt", seed="a1b2")
    assert first[-1].startswith("Élu·e")


def test_seats_on_the_command_line_override_the_files() -> None:
    ballots = read_ballots(BLT, "blt", "stv")
    assert count("stv", ballots, seats=2).seats == 2
    assert count("schulze", read_ballots(BLT, "blt", "schulze"), seed="s").options["seed"] == "s"
    assert count("irv", ballots, seed="x").options["seed"] == "x"


def test_file_formats_are_told_by_their_extension() -> None:
    assert [guess_format(n) for n in ("w.blt", "cvr.CSV", "b.toi", "e.json", "notes", "x.txt")] == [
        "blt", "csv", "toi", "json", "blt", "blt",
    ]  # fmt: skip


def test_a_cast_vote_record_and_a_preflib_file_are_read() -> None:
    csv = "rank1,rank2\nAïcha,Bruno\nBruno,undervote\nAïcha,\n"
    assert recount("irv", csv, "csv", language="en")[-1] == "Elected: Aïcha"
    toi = "# FILE NAME: x\n2: 1,2\n1: 2\n# ALTERNATIVE NAME 1: Aïcha\n# ALTERNATIVE NAME 2: Bruno\n"
    with pytest.raises(TallyError):
        read_ballots("not a toi", "toi", "irv")
    assert read_ballots(toi, "toi", "irv").ballots


def test_a_file_that_holds_rankings_is_not_counted_by_a_method_that_takes_none() -> None:
    with pytest.raises(TallyError, match="holds rankings"):
        read_ballots(BLT, "blt", "approval")
    with pytest.raises(TallyError, match="unknown format"):
        read_ballots(BLT, "xls", "irv")


def _export(method: str, options: list[tuple[str, str]], papers: list[object], **kw: object) -> str:
    keys = [key for key, _ in options]
    counted = tally(method, keys, [_shape(method, p) for p in papers], **kw)
    return json.dumps(
        {
            "ballot": {
                "method": method,
                "question": "Qui élire ?",
                "seats": 1,
                "options": [{"key": k, "label": label} for k, label in options],
            },
            "result": json.loads(counted.to_json()),
            "papers": [{"receipt": "x", "choice": p} for p in papers],
        }
    )


def _shape(method: str, paper: object) -> object:
    if method == "approval":
        return frozenset(paper)  # type: ignore[arg-type]
    if method == "score":
        return frozenset((k, int(v)) for k, v in paper.items())  # type: ignore[attr-defined]
    return tuple(paper) if isinstance(paper, list) else paper


OPTIONS = [("o1", "Léa Dubois"), ("o2", "Hugo Lefèvre")]


@pytest.mark.parametrize(
    ("method", "papers"),
    [
        ("irv", [["o1", "o2"], ["o1"], ["o2", "o1"]]),
        ("approval", [["o1"], ["o1", "o2"], ["o2"], ["o1"]]),
        ("score", [{"o1": 2, "o2": 0}, {"o1": 1, "o2": 2}, {"o1": 2, "o2": 1}]),
        ("plurality", ["o1", "o1", "o2"]),
    ],
)
def test_an_export_of_the_app_recounts_to_what_it_published_with_labels_not_keys(
    method: str, papers: list[object], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "ballot-7.json"
    path.write_text(_export(method, OPTIONS, papers))
    assert main(["count", method, str(path), "--language", "en"]) == 0
    output = capsys.readouterr().out.splitlines()
    assert output[0] == "Qui élire ?"
    assert output[-2] == "Elected: Léa Dubois"
    assert output[-1] == "The recount gives the published result."
    assert not any("o1" in line or "o2" in line for line in output)


def test_an_export_whose_published_result_the_papers_do_not_give_is_caught(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = json.loads(_export("plurality", OPTIONS, ["o1", "o1", "o2"]))
    body["result"]["winners"] = ["o2"]  # someone rewrote the published result
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(body))
    assert main(["count", "plurality", str(path)]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == (
        "Le recomptage ne donne PAS le résultat publié (Hugo Lefèvre)."
    )
    body["result"]["winners"] = []
    path.write_text(json.dumps(body))
    assert main(["count", "plurality", str(path), "--language", "en"]) == 1
    assert capsys.readouterr().out.splitlines()[-1].endswith("(—).")


def test_an_export_is_recounted_by_its_own_method_only(tmp_path: Path) -> None:
    text = _export("plurality", OPTIONS, ["o1"])
    with pytest.raises(TallyError, match="counted by plurality"):
        recount("irv", text, "json")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{not json", "not a ballot exported"),
        ('{"ballot": {}}', "not a ballot exported"),
        (
            json.dumps(json.loads(_export("plurality", OPTIONS, ["o1"])) | {"papers": []}),
            "no papers",
        ),
    ],
)
def test_a_file_that_is_not_an_export_gets_a_clear_answer(
    text: str, reason: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "x.json"
    path.write_text(text)
    assert main(["count", "plurality", str(path)]) == 2
    assert reason in capsys.readouterr().err


def test_a_missing_file_gets_a_clear_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["count", "irv", str(tmp_path / "absent.blt"), "--format", "blt"]) == 2
    assert "absent.blt" in capsys.readouterr().err


def test_an_export_with_votes_by_correspondence_recounts_them_as_their_own_channel(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """#18: the export carries the postal channel as totals by answer; the recount adds them
    to the room's papers and agrees with the published result."""
    options = [("yes", "Pour"), ("no", "Contre"), ("abstain", "Abstention")]
    keys = [key for key, _ in options]
    counted = tally("majority", keys, {"yes": 2, "no": 3})
    body = json.loads(_export("majority", options, ["yes", "no"]))
    body["result"] = json.loads(counted.to_json())
    body["postal"] = {"yes": 1, "no": 2}
    path = tmp_path / "ballot-8.json"
    path.write_text(json.dumps(body))
    assert main(["count", "majority", str(path), "--language", "en"]) == 0
    output = capsys.readouterr().out
    assert "(2 for, 3 against)" in output  # 1 + 1 in the room, 1 + 2 by correspondence
    assert "The recount gives the published result." in output
    body["papers"], body["postal"] = [], {}
    path.write_text(json.dumps(body))
    with pytest.raises(TallyError, match="holds no papers"):
        read_ballots(path.read_text(), "json", "majority")
    body["postal"] = ["yes"]
    with pytest.raises(TallyError, match="not a ballot exported"):
        read_ballots(json.dumps(body), "json", "majority")
