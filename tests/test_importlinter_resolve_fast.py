"""import-linter's resolution computed once per statement (ImportLinterResolver.resolve) gives
the sites the name-by-name reading gives (requested_names, absolute_name, internal_target for
each name, as first written), on generated module sets and statements."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from archguard.analysis.read.facts import RawImport
from archguard.analysis.resolve import ImportSite, import_text, site_of
from archguard.importlinter.resolve import ImportLinterResolver, absolute_name, requested_names


def reference_resolve(resolver: ImportLinterResolver, raw: RawImport, importer: str, is_package: bool, path: str, dynamic: bool) -> list[ImportSite]:
    if raw.dynamic and not dynamic:
        return []
    targets: dict[str, tuple[str, list[str]]] = {}
    for name, imported_name in requested_names(raw):
        absolute = absolute_name(name, importer, is_package)
        if absolute is None:
            continue
        target = resolver.internal_target(absolute)
        if target is None:
            target = resolver.external_target(absolute)
        if target is None:
            continue
        entry = targets.setdefault(target, (absolute, []))
        if imported_name:
            entry[1].append(imported_name)
    return [
        ImportSite(
            importer=importer,
            imported=target,
            path=path,
            line=raw.line,
            column=raw.column,
            end_line=raw.end_line,
            text=import_text(raw, tuple(names) or None),
            requested=requested,
            names=tuple(names),
            type_checking=raw.type_checking,
            lazy=raw.lazy,
            guarded=raw.guarded,
            dynamic=raw.dynamic,
            main=raw.main,
        )
        for target, (requested, names) in targets.items()
    ]


part = st.sampled_from(["a", "b", "c", "pkg", "x"])
dotted = st.lists(part, min_size=1, max_size=4).map(".".join)
raws = st.builds(
    RawImport,
    module=st.one_of(st.just(""), dotted),
    level=st.integers(0, 4),
    names=st.lists(st.one_of(part, st.just("*")), max_size=3).map(tuple),
    line=st.integers(1, 50),
    column=st.integers(1, 9),
    end_line=st.integers(1, 50),
    type_checking=st.booleans(),
    lazy=st.booleans(),
    guarded=st.booleans(),
    dynamic=st.booleans(),
    main=st.booleans(),
)


@given(
    modules=st.lists(dotted, min_size=1, max_size=12),
    namespaces=st.lists(dotted, max_size=2),
    roots=st.lists(st.one_of(part, dotted), min_size=1, max_size=2),
    include_external=st.booleans(),
    raw=raws,
    importer_index=st.integers(0, 11),
    is_package=st.booleans(),
    dynamic=st.booleans(),
)
@settings(max_examples=600)
@example(
    modules=["pkg", "pkg.a"], namespaces=[], roots=["pkg"], include_external=True,
    raw=RawImport("", 2, (), 1, 1, 1, dynamic=True), importer_index=1, is_package=True, dynamic=True,
)  # fmt: skip
@example(
    modules=["pkg", "pkg.a", "pkg.a.b"], namespaces=[], roots=["pkg"], include_external=False,
    raw=RawImport("", 1, ("b", "x"), 1, 1, 1), importer_index=1, is_package=True, dynamic=False,
)  # fmt: skip
def test_resolved_once_per_statement_as_name_by_name(
    modules: list[str],
    namespaces: list[str],
    roots: list[str],
    include_external: bool,
    raw: RawImport,
    importer_index: int,
    is_package: bool,
    dynamic: bool,
) -> None:
    resolver = ImportLinterResolver(modules, namespaces, roots, include_external=include_external)
    importer = modules[importer_index % len(modules)]
    assert resolver.resolve(raw, importer, is_package, "p.py", dynamic=dynamic) == reference_resolve(resolver, raw, importer, is_package, "p.py", dynamic)


def test_a_site_built_in_field_order_is_the_site_built_by_name() -> None:
    raw = RawImport("shop.models", 1, ("Invoice",), 3, 5, 4, type_checking=True, guarded=True, main=True)
    built = site_of(raw, "shop.api", "shop.shop.models", "shop/api.py", "..x", ["Invoice"], ["Invoice"], ("shop",))
    assert built == ImportSite(
        importer="shop.api",
        imported="shop.shop.models",
        path="shop/api.py",
        line=3,
        column=5,
        end_line=4,
        text="from .shop.models import Invoice",
        requested="..x",
        names=("Invoice",),
        type_checking=True,
        lazy=False,
        guarded=True,
        dynamic=False,
        symbols=("Invoice",),
        via=("shop",),
        main=True,
    )
