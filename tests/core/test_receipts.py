"""Receipt codes, their hash and the fingerprint the published list shows."""

import hashlib

from votes.core import receipts


def test_a_receipt_stored_before_the_move_still_verifies() -> None:
    # what the service, the published list and the exports computed before receipts were one
    # module: sha256 of the code, its first ten hex digits in upper case
    code = receipts.receipt_code_for("a token", "an instance key")
    stored = hashlib.sha256(code.encode()).hexdigest()
    assert receipts.receipt_hash(code) == stored
    assert receipts.receipt_fingerprint(code) == stored[:10].upper()
    assert receipts.fingerprint(stored) == receipts.receipt_fingerprint(code)


def test_a_code_is_derived_from_its_token_and_key_only() -> None:
    code = receipts.receipt_code_for("token", "key")
    assert len(code) == receipts.RECEIPT_LENGTH
    assert set(code) <= set(receipts.RECEIPT_ALPHABET)
    assert code != receipts.receipt_code_for("token", "other key")
    change = receipts.change_code_for("token", "key")
    assert len(change) == receipts.CHANGE_CODE_LENGTH
    assert not change.startswith(code)


def test_a_typed_code_is_read_however_it_was_typed() -> None:
    code = receipts.receipt_code_for("token", "key")
    typed = receipts.format_receipt(code).lower().replace("-", " - ")
    assert receipts.normalise_receipt(typed) == code
    assert receipts.format_change_code("ABCDEFGHJKLM") == "ABCDE-FGHJK-LM"


def test_a_change_code_is_bound_to_its_ballot_and_voter() -> None:
    hashes = {receipts.change_hash(b, m, "CODE") for b, m in [(1, 1), (1, 2), (2, 1)]}
    assert len(hashes) == 3
