"""Sealed papers (#15): what a secret ballot's paper looks like on disk while it is open."""

from __future__ import annotations

import pytest

from votes.services import sealing

ROOM = sealing.paper_room("consent", ["consent", "objection"], with_reason=True)


def test_a_sealed_paper_opens_for_its_ballot_and_round_only() -> None:
    paper = sealing.Paper('["objection", "Trop cher"]', "a" * 64, "college:3")
    sealed = sealing.seal(7, 1, paper, ROOM)
    assert sealing.is_sealed(sealed)
    assert sealing.unseal(7, 1, sealed) == paper
    for ballot_id, round_ in ((8, 1), (7, 2)):
        with pytest.raises(sealing.SealError):
            sealing.unseal(ballot_id, round_, sealed)
    for needle in ("objection", "Trop", "college", "a" * 64):
        assert needle not in sealed


def test_every_paper_of_a_ballot_has_the_same_length_and_a_tampered_one_is_refused() -> None:
    short = sealing.seal(7, 1, sealing.Paper('"consent"', "b" * 64, ""), ROOM)
    long = sealing.seal(7, 1, sealing.Paper(f'["objection", "{"é" * 1000}"]', "c" * 64, ""), ROOM)
    again = sealing.seal(7, 1, sealing.Paper('"consent"', "b" * 64, ""), ROOM)
    assert len(short) == len(long) == len(again)
    assert short != again  # a fresh nonce each time: equal papers do not look equal
    flipped = short[:-6] + ("A" if short[-6] != "A" else "B") + short[-5:]
    with pytest.raises(sealing.SealError):
        sealing.unseal(7, 1, flipped)


def test_the_receipt_tag_cannot_be_matched_with_the_published_fingerprint() -> None:
    tag = sealing.receipt_tag(7, 1, "d" * 64)
    assert len(tag) == 64
    assert tag != "d" * 64
    assert tag == sealing.receipt_tag(7, 1, "d" * 64)
    assert tag != sealing.receipt_tag(8, 1, "d" * 64)
