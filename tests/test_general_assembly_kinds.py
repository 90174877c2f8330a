"""One list of the kinds the general-assembly rules govern: the services, the rules page and
the templates (``kind is general_assembly``) agree on it."""

from __future__ import annotations

from votes.db.tables import GENERAL_ASSEMBLY_KINDS, AssemblyKind
from votes.services.rules import governed
from votes.web.templating import make_environment


def test_the_templates_and_the_services_agree_on_general_assemblies() -> None:
    environment = make_environment()
    page = environment.from_string(
        "{% for kind in kinds %}{{ kind }}={{ kind is general_assembly }};{% endfor %}"
    )
    kinds = [kind.value for kind in AssemblyKind]
    expected = "".join(f"{kind}={governed(kind)};" for kind in kinds)
    assert page.render(kinds=kinds) == expected
    assert {kind for kind in kinds if governed(kind)} == set(GENERAL_ASSEMBLY_KINDS)
    assert not governed(AssemblyKind.PLENARY.value)
    assert governed(AssemblyKind.AGE.value)
