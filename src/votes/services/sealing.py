"""Sealed papers: what a secret ballot stores while it is open.

A vote writes its participation (who) and its paper (what) durably before it is acknowledged,
so on disk they arrive together: one commit, neighbouring rows, neighbouring WAL frames. Row
order, rowid/ctid, commit grouping and the WAL all pair them, and a copy of the database taken
during the vote (file and WAL, a dump, a backup, PostgreSQL's heap or its WAL) would tell who
chose what, whatever order the close rewrites the papers in afterwards.

So while a secret ballot is open its papers are sealed: everything a paper says (the choice,
the receipt's hash, the weighting group) is encrypted under a key derived from the instance's
secret key (``VOTES_SECRET_KEY``), which the database never holds, padded to one length per
ballot, and the paper's ``receipt_hash`` column holds a keyed tag that the published receipt
list cannot be matched against. The close unseals the papers and writes them again in random
order with new random ids (see ``ballots.lifecycle.close_ballot``); a copy taken at any moment
then shows a register and papers that nothing joins, beyond what the published totals tell.

The cipher is AES-256-GCM from the ``cryptography`` package (a reviewed library, never a
construction of our own), under keys derived for each ballot and round with HKDF-SHA256; the
ballot and round are also bound as associated data, so a paper moved to another ballot does not
open. Sealing a paper costs a few microseconds.

Whoever holds the instance's secret key and a copy made during the vote can unseal it: keep
the key out of backups (it is an environment variable in production), and do not change it
while a secret ballot is open (its papers could no longer be counted: ``sealed_key``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from votes.settings import Settings

PREFIX = "sealed:2:"
_NONCE = 12  # AES-GCM's standard nonce, random for every paper
_STEP = 64  # sealed lengths are multiples of this
REASON_BYTES = 7 * 1000  # a consent reason: 1,000 characters, each at most 7 bytes in JSON twice

_instance_key: str | None = None


class SealError(Exception):
    """A sealed paper that this instance's key cannot open (the key changed, or the paper was
    tampered with)."""


def configure(secret_key: str) -> None:
    """Use this instance secret key (the app calls it at start with its settings)."""
    global _instance_key
    _instance_key = secret_key


def _key() -> bytes:
    global _instance_key
    if _instance_key is None:
        _instance_key = Settings.from_env().secret_key
    return _instance_key.encode()


@dataclass(frozen=True, slots=True)
class Paper:
    """What a sealed paper holds."""

    content: str
    receipt_hash: str
    weight_group: str


def paper_room(method: str, keys: Sequence[str], *, with_reason: bool) -> int:
    """The longest paper a ballot can hold (bytes of its JSON once sealed), so every paper of
    the ballot is padded to the same length: the length of a sealed paper tells nothing.

    >>> paper_room("majority", ["yes", "no"], with_reason=False) % 64
    0
    """
    choice = sum(len(key.encode()) + 12 for key in keys) + 16  # every key, with a score
    if with_reason:
        choice += REASON_BYTES
    overhead = 64 + 64 + 2 * 120  # the receipt's hash, the JSON's keys, a weighting group
    return _rounded(choice + overhead)


def _rounded(size: int) -> int:
    return -(-size // _STEP) * _STEP


def _subkeys(ballot_id: int, round_: int) -> tuple[bytes, bytes]:
    return _derived(_key(), ballot_id, round_)


@lru_cache(maxsize=256)
def _derived(key: bytes, ballot_id: int, round_: int) -> tuple[bytes, bytes]:
    """The ballot round's keys: to seal papers, to tag receipts (derived once per process,
    not per vote)."""
    material = HKDF(
        algorithm=hashes.SHA256(),
        length=64,
        salt=None,
        info=f"votes-paper:{ballot_id}:{round_}".encode(),
    ).derive(key)
    return material[:32], material[32:]


def _bound(ballot_id: int, round_: int) -> bytes:
    return f"{ballot_id}:{round_}".encode()


def receipt_tag(ballot_id: int, round_: int, receipt_hash: str) -> str:
    """What the ``receipt_hash`` column holds while the paper is sealed: unique like the hash,
    and unmatchable with the published receipt list without the key."""
    key = _subkeys(ballot_id, round_)[1]
    return hmac.new(key, receipt_hash.encode(), hashlib.sha256).hexdigest()


def seal(ballot_id: int, round_: int, paper: Paper, room: int) -> str:
    """The paper, sealed for the ballot's round, as stored text."""
    plain = json.dumps(
        [paper.content, paper.receipt_hash, paper.weight_group], ensure_ascii=False
    ).encode()
    size = max(room, _rounded(len(plain) + 1))
    padded = plain + b"\n" + b" " * (size - len(plain) - 1)
    nonce = secrets.token_bytes(_NONCE)
    sealed = AESGCM(_subkeys(ballot_id, round_)[0]).encrypt(
        nonce, padded, _bound(ballot_id, round_)
    )
    return PREFIX + base64.b64encode(nonce + sealed).decode()


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)


def unseal(ballot_id: int, round_: int, stored: str) -> Paper:
    """Open a sealed paper; raise ``SealError`` when this instance's key cannot."""
    try:
        raw = base64.b64decode(stored[len(PREFIX) :], validate=True)
    except ValueError as error:
        raise SealError("not a sealed paper") from error
    nonce, sealed = raw[:_NONCE], raw[_NONCE:]
    try:
        plain = AESGCM(_subkeys(ballot_id, round_)[0]).decrypt(
            nonce, sealed, _bound(ballot_id, round_)
        )
    except (InvalidTag, ValueError) as error:
        raise SealError("the paper does not open with this instance's key") from error
    content, receipt_hash, weight_group = json.loads(plain.split(b"\n", 1)[0])
    return Paper(content, receipt_hash, weight_group)
