"""The layers of ARCHITECTURE.md hold: a layer imports only the layers below it.

Read with `ast`, not imported, so an import inside a function counts as much as
one at the top of a module:

(a) fitness/core/ is the ground floor: besides the standard library, Django and
    third-party packages it imports only fitness.core itself and the domain
    apps' `choices` modules (never their models, nor fitness.seeding,
    fitness.quality, fitness.csvio, fitness.admin_support, warehouse, ...).
(b) the domain apps (members, facilities, classes, equipment, staff; their
    migrations aside) never import fitness.seeding, fitness.quality or warehouse.
"""
import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DOMAIN_APPS = ("members", "facilities", "classes", "equipment", "staff")
FIRST_PARTY = {"fitness", "warehouse", "tests", "bench", *DOMAIN_APPS}
ABOVE_THE_APPS = ("fitness.seeding", "fitness.quality", "warehouse")


def module_name(path):
    """Dotted module name of a .py file under ROOT, and whether it is a package."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    return ".".join(parts), is_package


def imported_names(source, module, is_package=False):
    """(line, dotted name) for everything a module's source imports, anywhere in it.
    `from a.b import c` gives `a.b.c` (c may be a submodule or a name in a.b);
    relative imports are resolved against `module`."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                yield node.lineno, base if alias.name == "*" else f"{base}.{alias.name}"


def within(name, prefix):
    return name == prefix or name.startswith(prefix + ".")


def core_may_import(name):
    if name.split(".")[0] not in FIRST_PARTY:
        return True  # standard library, Django, third party
    if within(name, "fitness.core"):
        return True
    return any(within(name, f"{app}.choices") for app in DOMAIN_APPS)


def app_may_import(name):
    return not any(within(name, prefix) for prefix in ABOVE_THE_APPS)


def violations(source, module, is_package=False):
    """The imports of one module that break its layer's rule, as readable lines."""
    if within(module, "fitness.core"):
        allowed, rule = core_may_import, "fitness.core imports only fitness.core, the apps' choices and non-project code"
    elif module.split(".")[0] in DOMAIN_APPS and ".migrations" not in f".{module}.":
        allowed, rule = app_may_import, "a domain app imports neither fitness.seeding, fitness.quality nor warehouse"
    else:
        return []
    return [
        f"{module} line {line}: imports {name} ({rule})"
        for line, name in imported_names(source, module, is_package)
        if not allowed(name)
    ]


def layered_files():
    files = sorted((ROOT / "fitness" / "core").rglob("*.py"))
    for app in DOMAIN_APPS:
        files += sorted(p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.relative_to(ROOT).parts)
    return files


def test_the_checker_sees_the_files():
    modules = {module_name(p)[0] for p in layered_files()}
    assert {"fitness.core.tables", "fitness.core.business", "members.models", "staff.admin"} <= modules
    assert not any(".migrations." in m for m in modules)


@pytest.mark.parametrize("path", layered_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_imports_only_from_below(path):
    module, is_package = module_name(path)
    assert violations(path.read_text(), module, is_package) == []


# The checker itself, on sources that break the rules (and some that keep them).

def test_checker_catches_core_importing_app_models_and_upper_layers():
    source = (
        "from members.choices import MembershipStatus\n"
        "from staff import choices\n"
        "from members.models import Member\n"
        "import warehouse.models\n"
        "def late():\n"
        "    from fitness.seeding.run import seed_ods\n"
        "    from fitness import csvio\n"
        "    from ..admin_support import OdsModelAdmin\n"
    )
    found = violations(source, "fitness.core.example")
    assert [line.split(": imports ")[1].split(" (")[0] for line in found] == [
        "members.models.Member",
        "warehouse.models",
        "fitness.seeding.run.seed_ods",
        "fitness.csvio",
        "fitness.admin_support.OdsModelAdmin",
    ]
    assert found[0].startswith("fitness.core.example line 3: imports members.models.Member")


def test_checker_catches_an_app_importing_seeding_quality_or_warehouse():
    source = (
        "from fitness.core.ids import format_id\n"
        "from fitness.admin_support import OdsModelAdmin\n"
        "from .models import Member\n"
        "def build():\n"
        "    import fitness.quality.report\n"
        "    from fitness.seeding import run\n"
        "    from warehouse.etl import pipeline\n"
    )
    found = violations(source, "members.factories")
    assert [line.split(" (")[0] for line in found] == [
        "members.factories line 5: imports fitness.quality.report",
        "members.factories line 6: imports fitness.seeding.run",
        "members.factories line 7: imports warehouse.etl.pipeline",
    ]


def test_migrations_and_upper_layers_are_not_checked():
    assert violations("from fitness.seeding import run\n", "members.migrations.0001_initial") == []
    assert violations("from members.models import Member\n", "fitness.seeding.master") == []
