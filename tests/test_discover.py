"""Discovery: source roots, packages, module names, and hostile file-system entries."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archguard.analysis.discover import Discovery, SourceFile, discover
from archguard.base.errors import ContractError
from archguard.contract.models import ProjectConfig
from tests.helpers import make_project, run_check, summary, write_tree


def modules(root: Path, **project: object) -> list[tuple[str, str, bool]]:
    found = discover(root, ProjectConfig(**project))  # type: ignore[arg-type]
    return [(f.module, f.relpath, f.is_package) for f in found.files]


def test_src_layout_is_detected_and_several_packages_are_found(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "src/shop/__init__.py": "",
            "src/shop/api.py": "",
            "src/tools/__init__.py": "",
            "src/notes.txt": "not python",
            "src/shop/data.json": "{}",
            "setup.py": "",
        },
    )
    assert modules(tmp_path) == [
        ("shop", "src/shop/__init__.py", True),
        ("shop.api", "src/shop/api.py", False),
        ("tools", "src/tools/__init__.py", True),
    ]


def test_namespace_packages_named_explicitly_and_nested_namespace_folders(tmp_path: Path) -> None:
    write_tree(tmp_path, {"corp/billing/__init__.py": "", "corp/billing/api.py": "", "corp/util/text.py": ""})
    # corp has no __init__.py: not found automatically, found when named.
    with pytest.raises(ContractError):
        modules(tmp_path)
    assert modules(tmp_path, packages=["corp"]) == [
        ("corp.billing", "corp/billing/__init__.py", True),
        ("corp.billing.api", "corp/billing/api.py", False),
        ("corp.util.text", "corp/util/text.py", False),
    ]


def test_exclude_globs(tmp_path: Path) -> None:
    write_tree(tmp_path, {"shop/__init__.py": "", "shop/migrations/__init__.py": "", "shop/migrations/0001.py": "", "shop/api.py": ""})
    assert [m for m, _, _ in modules(tmp_path, exclude=["**/migrations/**", "**/migrations"])] == ["shop", "shop.api"]


def test_missing_package_and_src_hint(tmp_path: Path) -> None:
    write_tree(tmp_path, {"src/shop/__init__.py": ""})
    with pytest.raises(ContractError) as info:
        modules(tmp_path, roots=["."], packages=["shop"])
    assert "set roots = [\"src\"]" in info.value.message
    assert info.value.key == "project.packages[0]"


def test_hostile_entries_are_reported_never_fatal(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"shop/__init__.py": "", "shop/ok.py": "", "shop/0001_initial.py": "", "shop/weird.name.py": "", "outside/secret.py": ""},
    )
    (tmp_path / "shop" / "gone.py").symlink_to(tmp_path / "nowhere.py")
    (tmp_path / "shop" / "loop").symlink_to(tmp_path / "shop")
    (tmp_path / "shop" / "escape.py").symlink_to("/etc/hostname")
    (tmp_path / "shop" / "inside.py").symlink_to(tmp_path / "outside" / "secret.py")
    os.mkfifo(tmp_path / "shop" / "pipe.py")
    found = discover(tmp_path, ProjectConfig())
    # A file name that is no identifier is still a module (importlib reaches it), unless it has a dot.
    assert [f.module for f in found.files] == ["shop", "shop.0001_initial", "shop.inside", "shop.ok"]
    assert [(p.relpath, p.kind) for p in found.problems] == [
        ("shop/escape.py", "outside-root"),
        ("shop/gone.py", "broken-symlink"),
        ("shop/loop", "symlink-loop"),
        ("shop/pipe.py", "not-a-file"),
        ("shop/weird.name.py", "not-a-module"),
    ]


def test_a_run_over_hostile_files_reports_them_and_checks_the_rest(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "shop/__init__.py": "",
        "shop/api.py": "from shop import domain\n",
        "shop/domain.py": "from shop import api\n",
        "shop/latin.py": b"# -*- coding: latin-1 -*-\nname = '\xe9'\nimport shop.api\n",
        "shop/binary.py": b"import os\nname = '\xff\xfe'\n",
        "shop/empty.py": "",
        "shop/syntax.py": "def f(:\n",
    }
    make_project(
        tmp_path,
        files,
        """
        [components]
        api = { modules = ["shop.api"] }
        domain = { modules = ["shop.domain"] }
        rest = { modules = ["shop"] }

        [[rules]]
        kind = "layers"
        layers = ["api", "domain"]
        """,
    )
    (tmp_path / "shop" / "gone.py").symlink_to(tmp_path / "missing.py")
    result = run_check(tmp_path)
    assert summary(result.findings) == [
        ("discovery", "broken-symlink", None, None, 0),
        ("layers", "direct", "shop.domain", "shop.api", 1),
        ("parse-error", "parse-error", "shop.binary", None, 2),
        ("parse-error", "parse-error", "shop.syntax", None, 1),
    ]
    assert result.exit_code == 1


def test_unreadable_file_is_a_parse_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can read files without permission bits")
    make_project(tmp_path, {"shop/__init__.py": "", "shop/secret.py": "import os\n"}, "[components]\nall = { modules = ['shop'] }\n")
    (tmp_path / "shop" / "secret.py").chmod(0)
    result = run_check(tmp_path)
    assert summary(result.findings) == [("parse-error", "parse-error", "shop.secret", None, 1)]
    assert "cannot read" in result.findings[0].message


def test_a_file_that_cannot_be_read_becomes_a_parse_error_finding(tmp_path: Path) -> None:
    from archguard.engine.pipeline import RunOptions, Stats, extract_files

    write_tree(tmp_path, {"shop/__init__.py": "", "shop/secret.py": "import os\n"})
    files = list(discover(tmp_path, ProjectConfig()).files)

    def read(file: object) -> bytes | OSError:
        if getattr(file, "module", "") == "shop.secret":
            return PermissionError(13, "Permission denied")
        return b""

    facts = extract_files(files, read, RunOptions(jobs=1), None, Stats())  # type: ignore[arg-type]
    problem = facts["shop.secret"].problem
    assert problem is not None and problem.message == "cannot read file: Permission denied"
    assert facts["shop"].problem is None


def _namespaces_name_by_name(discovery: Discovery) -> list[str]:
    """namespace_packages as first written: every ancestor of every module looked at."""
    modules = {f.module for f in discovery.files}
    found: set[str] = set()
    for module in modules:
        parts = module.split(".")
        for depth in range(1, len(parts)):
            ancestor = ".".join(parts[:depth])
            if ancestor not in modules and any(ancestor == p or ancestor.startswith(p + ".") for p in discovery.packages):
                found.add(ancestor)
    return sorted(found)


@given(
    st.lists(st.lists(st.sampled_from(["a", "b", "c", "ns"]), min_size=1, max_size=5).map(".".join), min_size=1, max_size=25, unique=True),
    st.lists(st.sampled_from(["a", "ns", "a.b", "ns.c", "b"]), min_size=1, max_size=3, unique=True),
)
@settings(max_examples=300)
def test_namespace_packages_are_the_fileless_ancestors_under_a_root(modules: list[str], packages: list[str]) -> None:
    from archguard.importlinter.discover import namespace_packages

    files = tuple(SourceFile(path=Path(f"/x/{m}.py"), relpath=f"{m}.py", module=m, is_package=False) for m in modules)
    discovery = Discovery(root=Path("/x"), roots=(".",), packages=tuple(packages), files=files)
    first = namespace_packages(discovery)
    assert first == _namespaces_name_by_name(discovery)
    first.append("changed by the caller")
    assert namespace_packages(discovery) == _namespaces_name_by_name(discovery)  # (the kept answer is not the caller's list)
