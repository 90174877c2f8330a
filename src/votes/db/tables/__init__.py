"""Piccolo tables, one module per area. Every row outside ``Person`` and ``LoginSession``
belongs to one organisation. See :mod:`votes.db.tables.base` for the conventions."""

from votes.db.tables.accounts import (
    AccessCode,
    Category,
    College,
    LegalForm,
    LoginSession,
    Membership,
    MembershipKind,
    MembershipStatus,
    Organisation,
    PasswordReset,
    Person,
    SignInFailure,
)
from votes.db.tables.assemblies import (
    AgendaItem,
    Assembly,
    AssemblyKind,
    AssemblyStatus,
    Contribution,
    Convocation,
    Proposal,
    ProposalStatus,
    ProposalVersion,
    Stance,
)
from votes.db.tables.audit import AuditChain, AuditEntry
from votes.db.tables.ballots import (
    Ballot,
    BallotOption,
    BallotPaper,
    BallotStatus,
    Participation,
)

TABLE_MODULES = (
    "votes.db.tables.accounts",
    "votes.db.tables.assemblies",
    "votes.db.tables.ballots",
    "votes.db.tables.audit",
)

__all__ = [
    "TABLE_MODULES",
    "AccessCode",
    "AgendaItem",
    "Assembly",
    "AssemblyKind",
    "AssemblyStatus",
    "AuditChain",
    "AuditEntry",
    "Ballot",
    "BallotOption",
    "BallotPaper",
    "BallotStatus",
    "Category",
    "College",
    "Contribution",
    "Convocation",
    "LegalForm",
    "LoginSession",
    "Membership",
    "MembershipKind",
    "MembershipStatus",
    "Organisation",
    "Participation",
    "PasswordReset",
    "Person",
    "Proposal",
    "ProposalStatus",
    "ProposalVersion",
    "SignInFailure",
    "Stance",
]
