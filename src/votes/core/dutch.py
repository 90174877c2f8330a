"""The tally explanations in Dutch (Belgian wording), for the Flemish members of cooperatives.

One mapping per method module, ``DUTCH[namespace][name]``, with the same names and ``str.format``
fields as that module's English ``MESSAGES``; a pair is (singular, plural), the singular for a
``count`` of exactly 1. A test checks that every English sentence has its Dutch one.

>>> DUTCH["ties"]["unresolved"][1]
'gelijkstand tussen {tied:and} voor {count} resterende plaatsen: niet beslecht'
"""

from __future__ import annotations

from collections.abc import Mapping

DUTCH: Mapping[str, Mapping[str, str | tuple[str, str]]] = {
    "approval": {
        "approvals": (
            "{candidate} krijgt {count} goedkeuring",
            "{candidate} krijgt {count} goedkeuringen",
        ),
    },
    "borda": {
        "points": ("{candidate} krijgt {count} punt", "{candidate} krijgt {count} punten"),
    },
    "condorcet": {
        "wins": (
            "{candidate} wint {count} onderling duel",
            "{candidate} wint {count} onderlinge duels",
        ),
        "condorcet_winner": (
            "{candidate} wint van elke andere kandidaat in een onderling duel (condorcetwinnaar)"
        ),
        "no_condorcet_winner": "niemand wint van elke andere kandidaat in een onderling duel",
        "ranking": "rangschikking: {ranking}",
        "skipped": (
            "het duel {winner} > {loser} (sterkte {strength}) wordt niet vastgelegd:"
            " het zou sterkere duels tegenspreken"
        ),
        "pairs_unresolved": (
            "duels van gelijke sterkte ({pairs}) spreken elkaar tegen: uitslag niet beslecht"
        ),
        "pairs_no_effect": (
            "duels van gelijke sterkte ({pairs}) spreken elkaar tegen, maar in welke volgorde ze"
            " ook vastgelegd worden, de uitslag blijft dezelfde: er valt niets te beslechten"
        ),
    },
    "consent": {
        "adopted": "Aangenomen — geen openstaand bezwaar ({counts})",
        "blocked_objection": (
            "Geblokkeerd — {count} openstaand bezwaar ({counts})",
            "Geblokkeerd — {count} openstaande bezwaren ({counts})",
        ),
        "blocked_block": (
            "Geblokkeerd — {count} veto ({counts})",
            "Geblokkeerd — {count} veto’s ({counts})",
        ),
        "rejected": (
            "Niet aangenomen — {count} terugtrekking, hoogstens {maximum} toegestaan ({counts})",
            "Niet aangenomen — {count} terugtrekkingen, hoogstens {maximum} toegestaan ({counts})",
        ),
        "no_quorum": "Geen quorum — {participants} antwoorden, {quorum} vereist ({counts})",
        "no_responses": "Geen antwoord — geen beslissing",
        "objection": ("bezwaar: {reason}", "{count} bezwaren: {reason}"),
        "consent": ("{count} instemming", "{count} instemmingen"),
        "concern": ("{count} bedenking", "{count} bedenkingen"),
        "stand_aside": ("{count} terugtrekking", "{count} terugtrekkingen"),
        "objection_count": ("{count} bezwaar", "{count} bezwaren"),
        "agree": ("{count} akkoord", "{count} akkoord"),
        "reservations": ("{count} voorbehoud", "{count} voorbehouden"),
        "abstain": ("{count} onthouding", "{count} onthoudingen"),
        "block_count": ("{count} veto", "{count} veto’s"),
    },
    "irv": {
        "excluded": (
            "{candidate} valt af ({votes} stem, het minst)",
            "{candidate} valt af ({votes} stemmen, het minst)",
        ),
        "transfers": "{moves}",
        "move_first": ("{votes} stem gaat naar {to}", "{votes} stemmen gaan naar {to}"),
        "move": "{votes} naar {to}",
        "exhausted_tail": ("{votes} is uitgeput", "{votes} zijn uitgeput"),
        "exhausted_only": ("{votes} stem is uitgeput", "{votes} stemmen zijn uitgeput"),
        "nothing_moves": "geen stemmen over te dragen",
        "elected_majority": (
            "{candidate} is verkozen met {votes} van de {live} stemmen ({share:%}),"
            " meer dan de helft van de stemmen die nog meetellen"
        ),
        "elected_last": "{candidate} is verkozen als laatste overblijvende kandidaat",
        "tie_history_fewest": (
            "gelijkstand tussen {tied:and}, beslecht door ronde {round},"
            " waarin {chosen} de minste stemmen had"
        ),
        "tie_history_most": (
            "gelijkstand tussen {tied:and}, beslecht door ronde {round},"
            " waarin {chosen} de meeste stemmen had"
        ),
        "tie_no_effect": (
            "gelijkstand tussen {tied:and} voor de uitsluiting: wie ook uitgesloten wordt,"
            " {winner} is verkozen; de gelijkstand blijft onbeslecht en {chosen} wordt"
            " uitgesloten voor de rest van de telling"
        ),
    },
    "majority": {
        "adopted": "Aangenomen — vereiste meerderheid: {rule}; {share:%} voor ({counts})",
        "rejected": "Verworpen — vereiste meerderheid: {rule}; {share:%} voor ({counts})",
        "rejected_empty": "Verworpen — geen stemmen om te tellen ({counts})",
        "no_quorum": "Geen quorum — {participants} deelnemers, {quorum} vereist ({counts})",
        "no_quorum_present": (
            "Niet geldig — quorum niet bereikt (aanwezig of vertegenwoordigd: {participants},"
            " {quorum} vereist; {counts})"
        ),
        "casting_vote": (
            "staking van stemmen beslecht door de beslissende stem van de voorzitter: {side}"
        ),
        "side_yes": "voor",
        "side_no": "tegen",
        "more_than_half": "meer dan de helft van {base}",
        "more_than_two_thirds": "meer dan twee derde van {base}",
        "more_than_three_quarters": "meer dan drie vierde van {base}",
        "more_than_other": "meer dan {p}/{q} van {base}",
        "at_least_half": "ten minste de helft van {base}",
        "at_least_two_thirds": "ten minste twee derde van {base}",
        "at_least_three_quarters": "ten minste drie vierde van {base}",
        "at_least_other": "ten minste {p}/{q} van {base}",
        "base_cast": "de uitgebrachte stemmen",
        "base_cast_and_abstentions": "de uitgebrachte stemmen en de onthoudingen",
        "base_present": "de aanwezige en vertegenwoordigde vennoten",
        "base_members": "alle stemgerechtigde vennoten",
        "yes": "{count} voor",
        "no": "{count} tegen",
        "abstain_excluded": (
            "{count} onthouding niet meegeteld",
            "{count} onthoudingen niet meegeteld",
        ),
        "abstain_counted": ("{count} onthouding", "{count} onthoudingen"),
        "blank": ("{count} blanco", "{count} blanco"),
        "invalid": ("{count} ongeldig", "{count} ongeldig"),
    },
    "meek": {
        "iterated": (
            "{iterations} iteratie, quotum {quota}, totaal overschot {surplus}",
            "{iterations} iteraties, quotum {quota}, totaal overschot {surplus}",
        ),
    },
    "onepass": {
        "winners": ("{names:and} is verkozen", "{names:and} zijn verkozen"),
        "no_winner": "geen zetel toegewezen",
    },
    "plurality": {
        "votes": ("{candidate} krijgt {count} stem", "{candidate} krijgt {count} stemmen"),
        "blank": ("{count} blanco stem", "{count} blanco stemmen"),
    },
    "score": {
        "sum": (
            "{candidate} haalt in totaal {score} punten ({count} beoordeling)",
            "{candidate} haalt in totaal {score} punten ({count} beoordelingen)",
        ),
        "mean": (
            "{candidate} haalt gemiddeld {score} ({count} beoordeling)",
            "{candidate} haalt gemiddeld {score} ({count} beoordelingen)",
        ),
        "too_few": (
            "{candidate} kan niet winnen: {count} beoordeling, {minimum} vereist",
            "{candidate} kan niet winnen: {count} beoordelingen, {minimum} vereist",
        ),
    },
    "stv": {
        "first": (
            "eerste voorkeuren, quotum {quota} (geldige stembiljetten: {valid}, {seats} zetel)",
            "eerste voorkeuren, quotum {quota} (geldige stembiljetten: {valid}, {seats} zetels)",
        ),
        "elected": "{candidate} is verkozen ({votes} stemmen voor een quotum van {quota})",
        "surplus": "het overschot van {candidate} wordt overgedragen ({surplus} stemmen)",
        "loss": "{loss} stemmen verloren door afronding",
        "elected_remaining": (
            "{candidates:and} is verkozen, want er blijven evenveel kandidaten als zetels over",
            "{candidates:and} zijn verkozen, want er blijven evenveel kandidaten als zetels over",
        ),
        "not_elected": (
            "alle zetels zijn toegewezen, {candidates:and} is niet verkozen",
            "alle zetels zijn toegewezen, {candidates:and} zijn niet verkozen",
        ),
        "tie_no_effect": (
            "gelijkstand tussen {tied:and} voor de uitsluiting: wie ook uitgesloten wordt,"
            " dezelfde kandidaten zijn verkozen ({elected:and}); de gelijkstand blijft"
            " onbeslecht en {chosen} wordt uitgesloten voor de rest van de telling"
        ),
    },
    "ties": {
        "unresolved": (
            "gelijkstand tussen {tied:and} voor {count} resterende plaats: niet beslecht",
            "gelijkstand tussen {tied:and} voor {count} resterende plaatsen: niet beslecht",
        ),
        "lot": (
            "gelijkstand tussen {tied:and}: de loting (startwaarde “{seed}”) wijst {chosen:and} aan"
        ),
        "order": (
            "gelijkstand tussen {tied:and}: de bekendgemaakte volgorde bij gelijkstand"
            " wijst {chosen:and} aan"
        ),
    },
}
