"""Resolution: which module each import depends on."""

from __future__ import annotations

from archguard.analysis.read.facts import RawImport
from archguard.analysis.resolve import Resolver, absolute_module

MODULES = ["shop", "shop.orders", "shop.orders.service", "shop.orders.models", "shop.billing", "shop.billing.api", "tools"]


def resolve(raw: RawImport, importer: str = "shop.orders.service", is_package: bool = False) -> list[tuple[str, str, str]]:
    sites = Resolver(MODULES).resolve(raw, importer, is_package, "path.py")
    return [(s.imported, s.requested, s.text) for s in sites]


def raw(module: str, level: int = 0, names: tuple[str, ...] = (), **flags: bool) -> RawImport:
    return RawImport(module=module, level=level, names=names, line=3, column=1, end_line=3, **flags)


def test_from_import_of_a_submodule_points_at_the_submodule() -> None:
    assert resolve(raw("shop.billing", names=("api",))) == [("shop.billing.api", "shop.billing.api", "from shop.billing import api")]


def test_from_import_of_a_name_points_at_the_module() -> None:
    assert resolve(raw("shop.billing.api", names=("Invoice", "total"))) == [
        ("shop.billing.api", "shop.billing.api", "from shop.billing.api import Invoice, total")
    ]


def test_mixed_names_and_submodules_give_one_site_each() -> None:
    assert resolve(raw("shop.billing", names=("api", "VERSION"))) == [
        ("shop.billing.api", "shop.billing.api", "from shop.billing import api"),
        ("shop.billing", "shop.billing", "from shop.billing import VERSION"),
    ]


def test_relative_imports_resolve_against_the_package() -> None:
    assert resolve(raw("", level=1, names=("models",))) == [("shop.orders.models", "shop.orders.models", "from . import models")]
    assert resolve(raw("billing.api", level=2, names=("x",))) == [("shop.billing.api", "shop.billing.api", "from ..billing.api import x")]
    # In a package's __init__, one dot is the package itself.
    assert resolve(raw("", level=1, names=("service",)), importer="shop.orders", is_package=True) == [
        ("shop.orders.service", "shop.orders.service", "from . import service")
    ]


def test_relative_import_above_the_top_level_is_dropped() -> None:
    assert absolute_module(raw("x", level=3), "shop.orders.service", False) is None
    assert resolve(raw("x", level=3, names=("y",))) == []
    assert absolute_module(raw("x", level=1), "tools", False) is None


def test_import_of_a_missing_submodule_points_at_its_nearest_ancestor() -> None:
    assert resolve(raw("shop.orders.gone")) == [("shop.orders", "shop.orders.gone", "import shop.orders.gone")]


def test_external_and_stdlib_packages_are_squashed_to_their_top_level() -> None:
    sites = Resolver(MODULES).resolve(raw("django.db.models", names=("Model",)), "shop.orders.service", False, "p.py")
    assert [(s.imported, s.requested, s.external, s.stdlib) for s in sites] == [("external:django", "django.db.models", True, False)]
    sites = Resolver(MODULES).resolve(raw("os.path"), "shop.orders.service", False, "p.py")
    assert [(s.imported, s.stdlib) for s in sites] == [("external:os", True)]


def test_future_imports_are_not_dependencies() -> None:
    assert resolve(raw("__future__", names=("annotations",))) == []


def test_star_import_points_at_the_module_and_flags_are_kept() -> None:
    sites = Resolver(MODULES).resolve(raw("shop.billing", names=("*",), lazy=True, guarded=True), "shop.orders.service", False, "p.py")
    assert [(s.imported, s.lazy, s.guarded, s.type_checking, s.flags) for s in sites] == [
        ("shop.billing", True, True, False, ("lazy", "guarded"))
    ]


def test_dynamic_relative_import() -> None:
    assert resolve(raw("models", level=1, dynamic=True)) == [("shop.orders.models", "shop.orders.models", 'import_module(".models")')]


def test_both_resolvers_carry_the_main_context_onto_every_site() -> None:
    from archguard.importlinter.resolve import ImportLinterResolver

    statement = raw("shop.billing", names=("api", "VERSION"), main=True)
    archguard_sites = Resolver(MODULES).resolve(statement, "shop.orders.service", False, "p.py")
    grimp_sites = ImportLinterResolver(MODULES).resolve(statement, "shop.orders.service", False, "p.py")
    assert [(s.imported, s.main) for s in archguard_sites] == [("shop.billing.api", True), ("shop.billing", True)]
    assert [(s.imported, s.main) for s in grimp_sites] == [("shop.billing.api", True), ("shop.billing", True)]
    assert "main" in archguard_sites[0].flags
    plain = Resolver(MODULES).resolve(raw("shop.billing", names=("api",)), "shop.orders.service", False, "p.py")
    assert [s.main for s in plain] == [False]
