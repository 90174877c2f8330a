"""The register's services on the real database: CSV import (all or nothing), codes stored as
keyed hashes only, and what a rejected change leaves behind (nothing)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from tests.support.factories import CATEGORIES, new_ballot, organisation
from tests.support.keys import SECRET_KEY
from tests.support.refusals import refusal, refusal_code

from votes.db.engine import VotesSQLiteEngine
from votes.db.tables import (
    AccessCode,
    AssemblyStatus,
    AuditEntry,
    College,
    Membership,
    MembershipStatus,
    Person,
)
from votes.services import (
    access_codes,
    accounts,
    assemblies,
    attendance,
    member_import,
    members,
    organisations,
)
from votes.services.actors import actor_for
from votes.services.ballots import counting, voting
from votes.services.members import MemberInput


async def _organisation(categories: tuple[str, ...] = CATEGORIES) -> int:
    organisation_id = await organisation("Import")
    for category in categories:
        await organisations.add_category(await actor_for(organisation_id), category)
    return organisation_id


async def _import(organisation_id: int, text: str) -> member_import.ImportReport:
    """``text`` imported into the organisation by the platform's actor: the report."""
    return await member_import.apply_import(await actor_for(organisation_id), text)


async def _count(organisation_id: int) -> int:
    return await Membership.count().where(Membership.organisation == organisation_id)


def _rows(count: int, prefix: str) -> list[str]:
    return [f"Personne {i};{prefix}-{i}@example.org;bénéficiaire;" for i in range(count)]


async def test_a_windows_1252_semicolon_file_is_read_like_a_spreadsheet_wrote_it() -> None:
    organisation_id = await _organisation()
    text = (
        "Nom;Courriel;Catégorie;Rôle\r\n"
        "Hélène Çavaré;HELENE@example.org;Salarié·e associé·e;Animatrice, administratrice\r\n"
    )
    data = text.replace("·", ".").encode("cp1252")  # Windows-1252 has no middle dot
    report = await member_import.check_import(organisation_id, member_import.decode_csv(data))
    assert report.rejected[0].reasons == ("category_unknown:Salarié.e associé.e",)
    await organisations.add_category(await actor_for(organisation_id), "Salarié.e associé.e")
    report = await _import(organisation_id, member_import.decode_csv(data))
    assert report.acceptable
    [added] = report.to_add
    assert (added.name, added.email, added.is_facilitator, added.is_admin) == (
        "Hélène Çavaré",
        "helene@example.org",
        True,
        True,
    )
    assert await _count(organisation_id) == 1


async def test_utf8_with_bom_and_commas_and_an_observer_without_email() -> None:
    organisation_id = await _organisation()
    text = "\ufeffname,email,category,roles\nSam Observateur,,bénéficiaire,observer\n\n"
    report = await _import(organisation_id, text)
    assert report.acceptable
    row = (
        await Membership.select(Membership.kind, Membership.person.email)
        .where(Membership.organisation == organisation_id)
        .first()
    )
    assert row == {"kind": "observer", "person.email": None}


async def test_5000_rows_with_3_bad_ones_import_nothing_and_name_each_bad_row() -> None:
    organisation_id = await _organisation()
    prefix = uuid.uuid4().hex[:8]
    rows = _rows(5000, prefix)
    rows[10] = "Personne 10;not-an-email;bénéficiaire;"
    rows[2000] = f"Personne 2000;{prefix}-2000@example.org;pirate;"
    rows[4999] = f"Personne 4999;{prefix}-3@example.org;bénéficiaire;"  # same email as line 5
    text = "nom;email;catégorie;rôles\n" + "\n".join(rows) + "\n"
    people_before = await Person.count()
    report = await _import(organisation_id, text)
    assert not report.acceptable
    assert [(r.line, r.reasons) for r in report.rejected] == [
        (12, ("email_invalid:not-an-email",)),
        (2002, ("category_unknown:pirate",)),
        (5001, ("email_repeated:5",)),
    ]
    assert await _count(organisation_id) == 0
    assert await Person.count() == people_before


async def test_a_corrected_file_of_5000_rows_imports_every_row() -> None:
    organisation_id = await _organisation()
    text = "nom;email;catégorie\n" + "\n".join(_rows(5000, uuid.uuid4().hex[:8]))
    report = await _import(organisation_id, text)
    assert report.acceptable
    assert await _count(organisation_id) == 5000


async def test_people_already_in_the_register_are_left_unchanged_and_others_are_reused() -> None:
    organisation_id = await _organisation()
    other = await _organisation()
    email = f"shared-{uuid.uuid4().hex[:8]}@example.org"
    await members.add_member(await actor_for(other), MemberInput(name="Déjà Ailleurs", email=email))
    await members.add_member(
        await actor_for(organisation_id), MemberInput(name="Déjà Ici", email=f"x{email}")
    )
    text = f"name;email\nNom Différent;{email}\nDéjà Ici;X{email}\n"
    report = await _import(organisation_id, text)
    assert report.already_members == ["Déjà Ici"]
    person = await Person.select(Person.name).where(Person.email == email).first()
    assert person["name"] == "Déjà Ailleurs"  # another organisation's person keeps their name
    assert await _count(organisation_id) == 2


async def _open_ballot_elsewhere() -> tuple[int, int]:
    """Another cooperative's open ballot and one of its members, checked in: (ballot, member)."""
    suffix = uuid.uuid4().hex[:8]
    organisation_id = await organisations.create_organisation(f"Ailleurs {suffix}", f"ail-{suffix}")
    person_id = await accounts.create_person(f"Votante {suffix}", f"v-{suffix}@example.org", None)
    membership_id = await organisations.add_membership(organisation_id, person_id)
    assembly_id = await assemblies.create_assembly(
        await actor_for(organisation_id),
        f"AG {suffix}",
        datetime.now(UTC) + timedelta(hours=1),
        status=AssemblyStatus.IN_SESSION,
    )
    await attendance.check_in(await actor_for(organisation_id), assembly_id, membership_id)
    ballot_id = await new_ballot(organisation_id, assembly_id, "Adoptez-vous ?", opened=True)
    return ballot_id, membership_id


@pytest.mark.skipif(
    not isinstance(Membership._meta.db, VotesSQLiteEngine), reason="SQLite's single writer"
)
async def test_a_vote_elsewhere_is_acknowledged_while_a_20000_row_import_runs() -> None:
    ballot_id, voter = await _open_ballot_elsewhere()
    organisation_id = await _organisation()
    prefix = uuid.uuid4().hex[:8]
    text = "nom;email;catégorie\n" + "\n".join(_rows(member_import.MAX_IMPORT_ROWS, prefix))
    engine = Membership._meta.db
    assert isinstance(engine, VotesSQLiteEngine)
    importing = asyncio.create_task(
        member_import.apply_import(await actor_for(organisation_id), text)
    )
    while not engine.connections().write_lock.locked():  # the import is writing
        assert not importing.done()
        await asyncio.sleep(0)
    receipt = await voting.cast_vote(ballot_id, voter, "yes")
    assert receipt.code
    # the vote did not wait for the 20,000 rows: the import was still under way
    assert not importing.done()
    report = await importing
    assert report.acceptable
    assert await _count(organisation_id) == member_import.MAX_IMPORT_ROWS
    assert (await counting.count_ballot(ballot_id)).rounds[0].totals["yes"] == 1
    # audited once, as one import
    entries = await AuditEntry.select(AuditEntry.action, AuditEntry.details).where(
        AuditEntry.organisation == organisation_id
    )
    assert [(e["action"], e["details"]) for e in entries] == [
        ("members.imported", '{"added": 20000}')
    ]


async def test_an_import_the_register_overtook_halfway_is_undone_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(member_import, "IMPORT_BATCH_ROWS", 4)
    organisation_id = await _organisation()
    prefix = uuid.uuid4().hex[:8]
    rows = _rows(40, prefix)
    rows[5] = "Sans Courriel;;bénéficiaire;"  # a new person found by nothing but its id
    text = "nom;email;catégorie\n" + "\n".join(rows)
    people_before = await Person.count()
    importing = asyncio.create_task(
        member_import.apply_import(await actor_for(organisation_id), text)
    )
    while not await _count(organisation_id):  # the first batch is in
        assert not importing.done()
        await asyncio.sleep(0)
    # meanwhile an admin adds by hand someone on the file's last line
    await members.add_member(
        await actor_for(organisation_id),
        MemberInput(name="Personne 39", email=f"{prefix}-39@example.org", category="bénéficiaire"),
    )
    report = await importing
    assert report.file_problem == "register_changed"
    assert not report.acceptable
    # nothing of the file stays: only the person added by hand
    assert await _count(organisation_id) == 1
    assert await Person.count() == people_before + 1
    assert not await AuditEntry.exists().where(
        (AuditEntry.organisation == organisation_id)
        & AuditEntry.action.is_in(["members.imported", "members.import_interrupted"])
    )
    # checked again, the file says who is in the register now, and imports the others
    again = await _import(organisation_id, text)
    assert again.acceptable
    assert again.already_members == ["Personne 39"]
    assert await _count(organisation_id) == 40


async def test_an_undo_that_cannot_finish_says_who_stayed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(member_import, "IMPORT_BATCH_ROWS", 4)
    organisation_id = await _organisation()
    assembly_id = await assemblies.create_assembly(
        await actor_for(organisation_id), "AG", datetime.now(UTC), status=AssemblyStatus.IN_SESSION
    )
    prefix = uuid.uuid4().hex[:8]
    text = "nom;email;catégorie\n" + "\n".join(_rows(40, prefix))
    importing = asyncio.create_task(
        member_import.apply_import(await actor_for(organisation_id), text)
    )
    while not await _count(organisation_id):
        assert not importing.done()
        await asyncio.sleep(0)
    # a steward checks in someone just imported, then an admin adds someone of the file
    [first] = (
        await Membership.select(Membership.id)
        .where(Membership.organisation == organisation_id)
        .limit(1)
    )
    await attendance.check_in(await actor_for(organisation_id), assembly_id, first["id"])
    await members.add_member(
        await actor_for(organisation_id),
        MemberInput(name="Personne 39", email=f"{prefix}-39@example.org"),
    )
    report = await importing
    assert report.file_problem == "import_partial:1"
    assert await _count(organisation_id) == 2
    [entry] = await AuditEntry.select(AuditEntry.details).where(
        (AuditEntry.organisation == organisation_id)
        & (AuditEntry.action == "members.import_interrupted")
    )
    assert entry["details"] == '{"added": 1}'


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "file_empty"),
        ("email;category\nx@example.org;bénéficiaire\n", "no_name_column"),
        ("name\n\n\n", "file_empty"),
    ],
)
async def test_files_that_cannot_be_used_say_why(text: str, problem: str) -> None:
    organisation_id = await _organisation()
    report = await _import(organisation_id, text)
    assert report.file_problem == problem
    assert await _count(organisation_id) == 0


async def test_unknown_roles_and_colleges_are_rejected() -> None:
    organisation_id = await _organisation()
    await organisations.add_college(await actor_for(organisation_id), "Salariés", "50")
    text = "nom;collège;rôles\nA;Salariés;trésorier\nB;Usagers;\nC;salariés;scrutatrice\n"
    report = await member_import.check_import(organisation_id, text)
    assert [(r.line, r.reasons) for r in report.rejected] == [
        (2, ("role_unknown:trésorier",)),
        (3, ("college_unknown:Usagers",)),
    ]
    assert report.to_add[0].is_scrutineer


async def test_codes_are_stored_only_as_keyed_hashes_and_reissue_revokes() -> None:
    organisation_id = await _organisation()
    membership_id = await members.add_member(
        await actor_for(organisation_id), MemberInput(name="Code", email=None)
    )
    [first] = await access_codes.issue_codes(
        await actor_for(organisation_id), secret_key=SECRET_KEY
    )
    rows = await AccessCode.select().where(AccessCode.membership == membership_id)
    stored = " ".join(str(value) for row in rows for value in row.values())
    assert first.code not in stored
    assert first.link_token not in stored
    [second] = await access_codes.issue_codes(
        await actor_for(organisation_id), [membership_id], secret_key=SECRET_KEY
    )
    attempt = access_codes.sign_in_with_code(first.code, secret_key=SECRET_KEY, hours=1)
    assert await refusal_code(attempt) == "code_unknown"
    signed_in = await access_codes.sign_in_with_link(
        second.link_token, secret_key=SECRET_KEY, hours=1
    )
    viewer = await accounts.viewer_for_token(signed_in.session_token, secret_key=SECRET_KEY)
    assert viewer is not None
    assert viewer.organisation_scope == organisation_id
    attempt = access_codes.sign_in_with_code(second.code, secret_key=SECRET_KEY, hours=1)
    assert await refusal_code(attempt) == "code_used"


async def test_codes_go_only_to_active_members_of_the_organisation() -> None:
    organisation_id = await _organisation()
    other = await _organisation()
    active = await members.add_member(
        await actor_for(organisation_id), MemberInput(name="Active", email=None)
    )
    gone = await members.add_member(
        await actor_for(organisation_id), MemberInput(name="Partie", email=None)
    )
    admin = await members.add_member(
        await actor_for(organisation_id), MemberInput(name="Admin", email=None, is_admin=True)
    )
    await members.set_status(await actor_for(organisation_id, admin), gone, MembershipStatus.LEFT)
    foreign = await members.add_member(
        await actor_for(other), MemberInput(name="Ailleurs", email=None)
    )
    issued = await access_codes.issue_codes(
        await actor_for(organisation_id), [active, gone, foreign], secret_key=SECRET_KEY
    )
    assert [code.membership_id for code in issued] == [active]
    await refusal(
        access_codes.issue_codes(await actor_for(organisation_id), secret_key=SECRET_KEY, days=0)
    )


async def test_the_last_admin_cannot_be_demoted_and_a_rejected_edit_changes_nothing() -> None:
    organisation_id = await _organisation()
    admin = await members.add_member(
        await actor_for(organisation_id), MemberInput(name="Seule Admin", email=None, is_admin=True)
    )
    attempt = members.update_member(
        await actor_for(organisation_id),
        admin,
        MemberInput(name="Renommée", email=None, is_admin=False),
    )
    assert await refusal_code(attempt) == "last_admin"
    row = (
        await Membership.select(Membership.is_admin, Membership.person.name)
        .where(Membership.id == admin)
        .first()
    )
    assert row == {"is_admin": True, "person.name": "Seule Admin"}


async def test_a_college_in_use_cannot_be_removed() -> None:
    organisation_id = await _organisation()
    college_id = await organisations.add_college(
        await actor_for(organisation_id), "Usagers", "12,5"
    )
    assert (
        await College.select(College.weight_basis_points).where(College.id == college_id).first()
    )["weight_basis_points"] == 1250
    await members.add_member(
        await actor_for(organisation_id),
        MemberInput(name="Usager", email=None, college_id=college_id),
    )
    attempt = organisations.remove_college(await actor_for(organisation_id), college_id)
    assert await refusal_code(attempt) == "college_in_use"
    attempt = organisations.remove_college(await actor_for(await _organisation()), college_id)
    assert await refusal_code(attempt) == "not_found"


@pytest.mark.parametrize(
    ("header", "row"),
    [
        ("Prénom;Nom;Courriel", "Aïcha;Benani;aicha@example.org"),
        ("Nom;Prénom;Courriel", "Benani;Aïcha;aicha@example.org"),
        ("First name,Last name,Email", "Aïcha,Benani,aicha@example.org"),
        ("Voornaam;Achternaam;E-mail", "Aïcha;Benani;aicha@example.org"),
        ("prénom;nom de famille;email", "Aïcha;Benani;aicha@example.org"),
    ],
)
async def test_first_and_last_name_columns_are_joined_not_dropped(header: str, row: str) -> None:
    organisation_id = await _organisation()
    report = await _import(organisation_id, f"{header}\n{row}\n")
    assert report.acceptable
    assert [person.name for person in report.to_add] == ["Aïcha Benani"]
    name = await Membership.select(Membership.person.name).where(
        Membership.organisation == organisation_id
    )
    assert name == [{"person.name": "Aïcha Benani"}]


async def test_the_preview_says_how_each_column_was_read() -> None:
    organisation_id = await _organisation()
    report = await member_import.check_import(
        organisation_id, "Nom;Prénom;Téléphone;Courriel\nBenani;Aïcha;0600;a@example.org\n"
    )
    assert report.columns == [
        ("Nom", "last_name"),
        ("Prénom", "first_name"),
        ("Téléphone", ""),
        ("Courriel", "email"),
    ]
    # a full name column is read as it is, and a first name column beside it is left aside
    report = await member_import.check_import(
        organisation_id, "Nom complet;Prénom\nAïcha Benani;Aïcha\n"
    )
    assert [person.name for person in report.to_add] == ["Aïcha Benani"]
    assert report.columns == [("Nom complet", "name"), ("Prénom", "")]


async def test_importing_the_same_first_name_last_name_file_twice_adds_nobody_twice() -> None:
    organisation_id = await _organisation()
    text = "Prénom;Nom\nAïcha;Benani\nJan;Peeters\n"
    first = await _import(organisation_id, text)
    assert first.acceptable
    again = await member_import.check_import(organisation_id, text.replace("Jan", " JAN "))
    assert again.to_add == []
    assert again.already_members == ["Aïcha Benani", "JAN Peeters"]
    assert not again.acceptable
    assert await _count(organisation_id) == 2


async def test_the_apostrophe_our_export_puts_before_a_formula_is_removed_on_import() -> None:
    organisation_id = await _organisation()
    text = "nom;catégorie\n'=cmd|calc Formule;bénéficiaire\nO'Brien;bénéficiaire\n'Anne;\n"
    report = await member_import.check_import(organisation_id, text)
    assert [row.name for row in report.to_add] == ["=cmd|calc Formule", "O'Brien", "'Anne"]
