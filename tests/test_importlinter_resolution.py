"""``[project] resolution = "import-linter"``: the graph import-linter builds, next to archguard's own.

The same tree is analysed twice, once with archguard's resolution and once with
import-linter's; each assertion is one documented difference (README, "import-linter
compatibility"), and archguard's own resolution stays as it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from archguard.contract.loading import load_contract
from archguard.engine.pipeline import RunOptions, analyze
from tests.helpers import make_project

FILES = {
    "pkg/__init__.py": "from . import helper\n",
    "pkg/helper.py": "",
    "pkg/a/__init__.py": "",
    "pkg/a/b.py": (
        "from __future__ import annotations\n"  # 1
        "import pkg.deep.x.y\n"  # 2: pkg.deep exists, pkg.deep.x does not
        "from pkg.deep import Name\n"  # 3: a name, not a module
        "import importlib\n"  # 4
        "importlib.import_module('pkg.helper')\n"  # 5: dynamic
        "import django.db.models\n"  # 6
        "from pkg.gone import thing\n"  # 7: nothing there
    ),
    "pkg/deep/__init__.py": "",
    "pkg/orphan/c.py": "import pkg.helper\n",  # no __init__.py in pkg/orphan
    "pkg/my-script.py": "import pkg.helper\n",
}


def edges(root: Path, resolution: str, external: bool | None = None) -> set[tuple[str, str, int]]:
    extra = f"\nresolution = {resolution!r}" if resolution != "archguard" else ""
    if external is not None:
        extra += f"\ninclude_external_packages = {'true' if external else 'false'}"
    (root / "archguard.toml").write_text(f'[project]\npackages = ["pkg"]{extra}\n[drift]\nunmapped = "off"\n', encoding="utf-8")
    analysis = analyze(load_contract(root / "archguard.toml"), RunOptions(jobs=1, use_cache=False))
    return {
        (s.importer, s.imported, s.line) for s in analysis.sites if s.importer == "pkg.a.b" or "orphan" in s.importer or "-" in s.importer
    }


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_project(tmp_path, FILES, "")


def test_archguard_resolution_is_unchanged(root: Path) -> None:
    assert edges(root, "archguard") == {
        ("pkg.a.b", "pkg.deep", 2),
        ("pkg.a.b", "pkg.deep", 3),
        ("pkg.a.b", "external:importlib", 4),
        ("pkg.a.b", "pkg.helper", 5),  # dynamic imports count
        ("pkg.a.b", "external:django", 6),
        ("pkg.a.b", "pkg", 7),  # the longest existing ancestor
        ("pkg.orphan.c", "pkg.helper", 1),  # folders without __init__.py are namespace packages
        ("pkg.my-script", "pkg.helper", 1),  # importlib reaches any name.py, so it is a module too
    }


def test_import_linter_resolution_follows_grimp(root: Path) -> None:
    assert edges(root, "import-linter") == {
        ("pkg.a.b", "pkg.deep", 3),  # 'from pkg.deep import Name' -> the parent of pkg.deep.Name
        ("pkg.my-script", "pkg.helper", 1),  # any name.py is a module
    }


def test_import_linter_resolution_with_external_packages(root: Path) -> None:
    assert edges(root, "import-linter", external=True) == {
        ("pkg.a.b", "external:__future__", 1),
        ("pkg.a.b", "pkg", 2),  # pkg.deep.x.y: not internal, squashed to its root package
        ("pkg.a.b", "pkg.deep", 3),
        ("pkg.a.b", "external:importlib", 4),
        ("pkg.a.b", "external:django", 6),
        ("pkg.a.b", "pkg", 7),
        ("pkg.my-script", "pkg.helper", 1),
    }


def test_include_external_packages_needs_import_linter_resolution(root: Path) -> None:
    from archguard.base.errors import ContractError

    (root / "archguard.toml").write_text('[project]\npackages = ["pkg"]\ninclude_external_packages = true\n', encoding="utf-8")
    with pytest.raises(ContractError, match="only meaningful with resolution"):
        load_contract(root / "archguard.toml")


def test_a_revisions_listing_is_discovered_as_grimp_walks_the_same_folders(tmp_path: Path) -> None:
    # `check --diff` discovers the base revision from git's listing of its files; grimp's walk
    # of the same files on disk is the reference: same modules, same problems, same order.
    from archguard.contract.models import ProjectConfig
    from archguard.importlinter.discover import discover_like_importlinter

    files = [
        "pkg/__init__.py", "pkg/a.py", "pkg/a/__init__.py", "pkg/ab/x.py", "pkg/b/__init__.py", "pkg/b/c.py",
        "pkg/b/plain/d.py", "pkg/my-mod.py", "pkg/some.mod.py", "pkg/.hidden.py", "pkg/9bad/x.py", "pkg/b/gen/e.py",
        "pkg/b/gen/__init__.py", "pkg/b/c.txt", "other/__init__.py",
    ]  # fmt: skip
    for relpath in files:
        (tmp_path / relpath).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relpath).write_text("")
    project = ProjectConfig.model_construct(roots=["."], packages=["pkg"], exclude=["**/gen/**"])
    on_disk = discover_like_importlinter(tmp_path, project)
    listed = discover_like_importlinter(tmp_path, project, listing=sorted(files, key=lambda p: p[::-1]))
    assert [f.module for f in on_disk.files] == ["pkg", "pkg.a", "pkg.b", "pkg.b.c", "pkg.my-mod"]
    assert listed.files == on_disk.files and listed.problems == on_disk.problems
    assert [p.kind for p in listed.problems] == ["duplicate-module"]


def test_the_import_linter_walk_reports_links_and_special_files_and_skips_symlinked_folders(tmp_path: Path) -> None:
    # The walk reads each folder's listing once (no stat per file): a regular file is taken from
    # the listing; symlinks and anything else are looked at one by one, as os.walk + stat did.
    import os

    from archguard.contract.models import ProjectConfig
    from archguard.importlinter.discover import discover_like_importlinter

    root = tmp_path / "project"
    for relpath in ["pkg/__init__.py", "pkg/a.py", "pkg/sub/__init__.py", "pkg/sub/b.py", "elsewhere/__init__.py"]:
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_text("")
    (tmp_path / "outside.py").write_text("")
    (root / "pkg" / "linked.py").symlink_to(root / "pkg" / "a.py")  # inside the root: a module
    (root / "pkg" / "broken.py").symlink_to(root / "pkg" / "missing.py")
    (root / "pkg" / "away.py").symlink_to(tmp_path / "outside.py")
    (root / "pkg" / "mirror").symlink_to(root / "pkg" / "sub", target_is_directory=True)  # not entered, as os.walk
    os.mkfifo(root / "pkg" / "pipe.py")
    project = ProjectConfig.model_construct(roots=["."], packages=["pkg"], exclude=[])
    found = discover_like_importlinter(root, project)
    assert [(f.module, f.relpath) for f in found.files] == [
        ("pkg", "pkg/__init__.py"), ("pkg.a", "pkg/a.py"), ("pkg.linked", "pkg/linked.py"), ("pkg.sub", "pkg/sub/__init__.py"),
        ("pkg.sub.b", "pkg/sub/b.py"),
    ]  # fmt: skip
    assert [(p.relpath, p.kind) for p in found.problems] == [
        ("pkg/away.py", "outside-root"), ("pkg/broken.py", "broken-symlink"), ("pkg/pipe.py", "not-a-file"),
    ]  # fmt: skip
