"""Receipt and change codes: derived from a vote form's one-time token under the instance key,
the hash a paper keeps of them, and the fingerprint the published list shows.

A voter checks their paper with the receipt code; the published list and the exports name each
paper by :func:`fingerprint` of its stored hash, so the code typed on the receipt page and the
line in an export always agree (one function, one length).
"""

from __future__ import annotations

import hashlib
import hmac

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
RECEIPT_LENGTH = 10
CHANGE_CODE_LENGTH = 20  # 100 bits: never published, and useless to anyone but its voter
FINGERPRINT_LENGTH = 10  # the start of a receipt's hash shown in the published list


def receipt_hash(code: str) -> str:
    """What a paper keeps of its receipt code (and a participation of its token).

    >>> receipt_hash("ABCDEFGHJK")[:8]
    'f57cbf1e'
    """
    return hashlib.sha256(code.encode()).hexdigest()


def fingerprint(stored_hash: str) -> str:
    """The published name of a paper whose receipt hash is ``stored_hash``.

    >>> fingerprint("ee09e4e6ab3c0f7d1e2a")
    'EE09E4E6AB'
    """
    return stored_hash[:FINGERPRINT_LENGTH].upper()


def receipt_fingerprint(code: str) -> str:
    """The published name of the paper of the receipt ``code``.

    >>> receipt_fingerprint("ABCDEFGHJK") == fingerprint(receipt_hash("ABCDEFGHJK"))
    True
    """
    return fingerprint(receipt_hash(code))


def _code(purpose: bytes, submission: str, key: str, length: int) -> str:
    digest = hmac.new(key.encode(), purpose + submission.encode(), hashlib.sha256).digest()
    return "".join(RECEIPT_ALPHABET[byte % len(RECEIPT_ALPHABET)] for byte in digest)[:length]


def receipt_code_for(submission: str, key: str) -> str:
    """The receipt code a submission token stands for under the instance key.

    >>> receipt_code_for("token", "key") == receipt_code_for("token", "key")
    True
    """
    return _code(b"receipt:", submission, key, RECEIPT_LENGTH)


def change_code_for(submission: str, key: str) -> str:
    """The change code a submission token stands for: another secret than the receipt code
    (which is shown, compared, read aloud and fingerprinted in the published list).

    >>> len(change_code_for("token", "key")) == CHANGE_CODE_LENGTH
    True
    """
    return _code(b"change:", submission, key, CHANGE_CODE_LENGTH)


def change_hash(ballot_id: int, membership_id: int, code: str) -> str:
    """What a paper keeps of its change code: bound to the ballot and to the voter, so a code
    seen by someone else changes nothing when they present it.

    >>> change_hash(1, 2, "X") != change_hash(1, 3, "X")
    True
    """
    return hashlib.sha256(f"change:{ballot_id}:{membership_id}:{code}".encode()).hexdigest()


def format_receipt(code: str) -> str:
    """Shown in two groups, easier to read aloud and compare.

    >>> format_receipt("ABCDEFGHJK"), format_receipt("ABC")
    ('ABCDE-FGHJK', 'ABC')
    """
    return f"{code[:5]}-{code[5:]}" if len(code) == RECEIPT_LENGTH else code


def format_change_code(code: str) -> str:
    """In groups of five.

    >>> format_change_code("ABCDEFGHJKLMNPQRSTUV")
    'ABCDE-FGHJK-LMNPQ-RSTUV'
    """
    return "-".join(code[i : i + 5] for i in range(0, len(code), 5))


def normalise_receipt(typed: str) -> str:
    """A receipt code as typed, without its dashes, spaces or lower case.

    >>> normalise_receipt(" abcde-fghjk ")
    'ABCDEFGHJK'
    """
    return "".join(ch for ch in typed.upper() if ch in RECEIPT_ALPHABET)
