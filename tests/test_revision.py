"""Revisions as source trees: the same discovery and facts from git objects as from the disk."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from archguard.analysis.discover import Discovery, discover, discover_paths
from archguard.base.errors import ContractError, GitError
from archguard.contract.loading import load_contract
from archguard.contract.models import ProjectConfig
from archguard.engine.pipeline import RunOptions, analyze
from archguard.gate.git import Repository
from archguard.gate.revision import RevisionTree
from tests.git_helpers import commit_all, git
from tests.helpers import REPO, make_project, write_tree

DJANGO = Path("/work/ref/django-5.2.19")


def all_files(root: Path) -> list[str]:
    found = []
    for directory, _dirs, names in os.walk(root):
        for name in names:
            found.append((Path(directory) / name).relative_to(root).as_posix())
    return found


def shape(discovery: Discovery) -> tuple[object, ...]:
    return (
        discovery.roots,
        discovery.packages,
        [(f.module, f.relpath, f.is_package) for f in discovery.files],
        [(p.relpath, p.kind, p.message) for p in discovery.problems],
    )


@pytest.mark.parametrize(
    "project",
    [
        {},
        {"packages": ["corp", "tool"]},
        {"exclude": ["**/migrations/**", "corp/legacy"]},
        {"roots": ["src", "."], "packages": ["corp"]},
    ],
)
def test_discovery_over_a_path_list_matches_the_file_system_walk(tmp_path: Path, project: dict[str, object]) -> None:
    write_tree(
        tmp_path,
        {
            "corp/__init__.py": "",
            "corp/billing/__init__.py": "",
            "corp/billing/api.py": "",
            "corp/billing/migrations/__init__.py": "",
            "corp/billing/migrations/0001_initial.py": "",
            "corp/util/text.py": "",  # namespace package inside a package
            "corp/legacy/old.py": "",
            "corp/my-scripts/run.py": "",  # not an importable folder name
            "corp/my-scripts/deeper/x.py": "",
            "corp/odd name.py": "",
            "corp/.hidden/secret.py": "",
            "corp/__pycache__/api.cpython-311.pyc": "",
            "corp/data.json": "{}",
            "tool.py": "",
            "other/__init__.py": "",
            "src/nested/__init__.py": "",
        },
    )
    config = ProjectConfig(**project)  # type: ignore[arg-type]
    assert outcome(lambda: discover_paths(tmp_path.resolve(), config, all_files(tmp_path), where=str(tmp_path.resolve()))) == outcome(
        lambda: discover(tmp_path, config)
    )
    shutil.rmtree(tmp_path / "src")  # (git keeps no empty folders: remove it whole)
    assert outcome(lambda: discover_paths(tmp_path.resolve(), config, all_files(tmp_path), where=str(tmp_path.resolve()))) == outcome(
        lambda: discover(tmp_path, config)
    )


def outcome(run: Callable[[], Discovery]) -> object:
    try:
        return shape(run())
    except ContractError as error:
        return str(error)


def test_discovery_over_a_path_list_matches_on_django_and_on_archguard() -> None:
    if not DJANGO.is_dir():
        pytest.skip("Django's source is not unpacked here")
    config = ProjectConfig(packages=["django"])
    assert shape(discover_paths(DJANGO, config, all_files(DJANGO), where="django")) == shape(discover(DJANGO, config))
    own = load_contract(REPO / "contracts/archguard.toml")
    files = [p for p in all_files(REPO) if not p.startswith((".git/", ".venv/"))]
    assert shape(discover_paths(own.root, own.contract.project, files, where="here")) == shape(discover(own.root, own.contract.project))


CONTRACT = """
[project]
packages = ["shop"]

[components]
shop = { modules = ["shop"] }
"""


def test_a_revision_is_analysed_like_the_working_tree_symlinks_included(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "repo",
        {
            "shop/__init__.py": "",
            "shop/api.py": "from shop import models\nimport vendored.helpers\n",
            "shop/models.py": "import dataclasses\n",
            "shop/ünïcode_name.py": "x = 1\n",
            "shop/with space.py": "",
            "vendor/lib/__init__.py": "",
            "vendor/lib/helpers.py": "from shop.models import *\n",
        },
        CONTRACT,
    )
    (root / "shop/link.py").symlink_to("models.py")
    (root / "shop/vendored").symlink_to("../vendor/lib")
    (root / "shop/broken.py").symlink_to("nowhere.py")
    (root / "shop/outside.py").symlink_to("../../outside.py")
    (tmp_path / "outside.py").write_text("")
    git(root, "init", "-q", "-b", "main")
    commit = commit_all(root, "base")
    loaded = load_contract(root / "archguard.toml")
    options = RunOptions(jobs=1, use_cache=False)
    on_disk = analyze(loaded, options)
    tree = RevisionTree(Repository.find(root), commit, "main")
    from_git = analyze(loaded, options, tree)
    assert shape(from_git.discovery) == shape(on_disk.discovery)
    assert "shop.vendored.helpers" in from_git.paths and "shop.link" in from_git.paths
    assert from_git.facts == on_disk.facts
    assert sorted(from_git.sites, key=repr) == sorted(on_disk.sites, key=repr)
    assert {p.kind for p in from_git.discovery.problems} >= {"broken-symlink", "outside-root", "not-a-module"}


def test_a_project_in_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    root = make_project(repo / "services/shop", {"shop/__init__.py": "", "shop/api.py": "import os\n"}, CONTRACT)
    write_tree(repo, {"other/shop/__init__.py": "import sys\n"})  # same names elsewhere in the repo: not ours
    git(repo, "init", "-q", "-b", "main")
    commit = commit_all(repo, "base")
    loaded = load_contract(root / "archguard.toml")
    analysis = analyze(loaded, RunOptions(jobs=1, use_cache=False), RevisionTree(Repository.find(root), commit, "main"))
    assert analysis.paths == {"shop": "shop/__init__.py", "shop.api": "shop/api.py"}


def test_renames_and_blobs_from_git(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write_tree(root, {"a/one.py": "x = 1\n" * 20, "b/two.py": "y = 2\n"})
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "base")
    git(root, "mv", "a/one.py", "a/moved.py")
    (root / "b/two.py").write_text("y = 3\n")
    (root / "c.py").write_text("new\n")  # untracked: git diff does not list it
    repository = Repository.find(root / "a")
    changes = {(c.status, c.path, c.old_path) for c in repository.changes("main", None)}
    assert changes == {("R", "a/moved.py", "a/one.py"), ("M", "b/two.py", None)}
    entries = {e.path: e.object_id for e in repository.tree("main")}
    blobs = repository.read_blobs([*entries.values(), "0" * 40])
    assert blobs[entries["b/two.py"]] == b"y = 2\n"
    assert len(blobs) == 2
    assert repository.read_path("main", "a/one.py") == b"x = 1\n" * 20
    assert repository.read_path("main", "missing.py") is None
    assert repository.added_lines("main", None, "b/two.py") == [(1, 1)]


def test_added_lines_of_many_files_from_one_diff_are_those_of_each_file_alone(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    names = ["a/one.py", "a/two words.py", "b/tëst.py", "b/gone.py", "c/same.py", 'd/quote"d.py']
    write_tree(root, {name: "".join(f"line{i} = {i}\n" for i in range(30)) for name in names})
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "base")
    for name in ["a/one.py", "a/two words.py", "b/tëst.py", 'd/quote"d.py']:
        path = root / name
        lines = path.read_text().splitlines(keepends=True)
        path.write_text("".join(["first = 0\n", *lines[:10], "middle = 1\n", "middle2 = 2\n", *lines[12:], "last = 3\n"]))
    (root / "b/gone.py").unlink()
    repository = Repository.find(root)
    alone = {name: repository.added_lines("main", None, name) for name in names}
    assert alone["a/one.py"] == [(1, 1), (12, 13), (32, 32)] and alone["c/same.py"] == [] and alone["b/gone.py"] == []
    together = repository.added_lines_of("main", None, names)
    # Paths git quotes in its headers are left out (asked one by one); the others are as alone.
    assert {name: ranges for name, ranges in together.items()} == {name: alone[name] for name in together}
    assert "a/one.py" in together and "d/quote\"d.py" not in together
    plain = repository.added_lines_of("main", None, ["a/one.py", "b/gone.py", "c/same.py"])
    assert plain == {"a/one.py": alone["a/one.py"], "b/gone.py": [], "c/same.py": []}


def test_a_prefetched_diff_gives_each_file_its_own_lines_and_is_used_once(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    names = ["a/one.py", "a/two.py", "b/three.py", "b/gone.py"]
    write_tree(root, {name: "".join(f"line{i} = {i}\n" for i in range(20)) for name in names})
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "base")
    for index, name in enumerate(names[:3]):
        path = root / name
        lines = path.read_text().splitlines(keepends=True)
        path.write_text("".join([*lines[: 5 + index], "new = 1\n", *lines[5 + index :]]))
    (root / "b/gone.py").unlink()
    alone = {name: Repository.find(root).added_lines("main", None, name) for name in names}
    assert alone["a/one.py"] == [(6, 6)] and alone["b/three.py"] == [(8, 8)] and alone["b/gone.py"] == []

    repository = Repository.find(root)
    repository.prefetch_added_lines("main", None, names)
    prefetched = repository._prefetched
    assert prefetched is not None
    # Fewer paths than the prefetch named: their lines only, from the prefetched output.
    assert repository.added_lines_of("main", None, ["a/two.py", "b/gone.py"]) == {"a/two.py": alone["a/two.py"], "b/gone.py": []}
    assert repository._prefetched is None and prefetched[3].returncode == 0
    # Paths outside a prefetch, or another base: git runs again, with the same answer.
    repository.prefetch_added_lines("main", None, ["a/one.py"])
    assert repository.added_lines_of("main", None, ["a/one.py", "b/three.py"]) == {n: alone[n] for n in ["a/one.py", "b/three.py"]}
    assert repository._prefetched is not None  # (not read: it covers a/one.py only)
    assert repository.added_lines_of("HEAD", None, ["a/one.py"]) == {"a/one.py": alone["a/one.py"]}
    pending = repository._prefetched[3]
    repository.close()
    assert repository._prefetched is None and pending.returncode is not None


def test_paths_are_never_patterns_to_git(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write_tree(root, {"a[1].py": "x = 1\n", "a1.py": "y = 1\n", "dir*/m.py": "z = 1\n", "dirx/m.py": "w = 1\n"})
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "base")
    for name in ("a[1].py", "a1.py", "dirx/m.py"):
        (root / name).write_text("changed = 2\nmore = 3\n")
    repository = Repository.find(root)
    # As patterns, `a[1].py` would also name a1.py, and `dir*/` dirx/: each names itself only.
    assert repository.added_lines_of("main", None, ["a[1].py"]) == {"a[1].py": [(1, 2)]}
    assert repository.added_lines("main", None, "a[1].py") == [(1, 2)]
    assert [e.path for e in repository.tree("main", "dir*")] == ["dir*/m.py"]
    assert {c.path for c in repository.changes("main", None, "dir*")} == set()


def test_a_file_read_with_a_limit_is_never_read_past_it(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write_tree(root, {"small.toml": "a = 1\n", "big.toml": "b = 2\n" * 1000, "odd name .toml": "c = 3\n"})
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "base")
    repository = Repository.find(root)
    assert repository.read_path("main", "small.toml", limit=6) == b"a = 1\n"
    assert repository.read_path("main", "small.toml", limit=5) is None
    assert repository.read_path("main", "big.toml", limit=100) is None
    assert repository.read_path("main", "big.toml", limit=6000) == b"b = 2\n" * 1000
    assert repository.read_path("main", "odd name .toml", limit=100) == b"c = 3\n"
    assert repository.read_path("main", "missing.toml", limit=100) is None
    assert repository.read_path("main", "small.toml") == b"a = 1\n"
    assert repository.read_path("nonexistent-revision", "small.toml", limit=100) is None


def test_a_prefetched_command_gives_git_s_output_once_and_the_rest_is_stopped(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write_tree(root, {"a/one.py": "x = 1\n", "b/two.py": "y = 2\n", "c.txt": "z\n"})
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "base")
    repository = Repository.find(root)
    expected = repository.tree("main", "a")
    repository.prefetch(*Repository.tree_args("main", "a"))
    repository.prefetch(*Repository.tree_args("main", "b"))
    repository.prefetch_added_lines("main", None, ["a/one.py"])
    pending = dict(repository._started)
    assert repository.tree("main", "a") == expected and Repository.tree_args("main", "a") not in repository._started
    assert pending[Repository.tree_args("main", "a")].returncode == 0
    # A prefetch of a command that fails: the call runs git again and says what failed.
    repository.prefetch(*Repository.tree_args("no-such-revision"))
    with pytest.raises(GitError, match="ls-tree"):
        repository.tree("no-such-revision")
    repository.close()  # (the listing of b and the added lines: nobody read them)
    assert not repository._started and repository._prefetched is None
    assert pending[Repository.tree_args("main", "b")].returncode is not None


def test_the_added_lines_of_more_paths_than_a_command_line_holds_are_read_in_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import archguard.gate.git as git_module
    from archguard.gate.git import _parts

    assert list(_parts(["aa", "b", "cc", "d"], 5)) == [["aa", "b"], ["cc", "d"]]
    assert list(_parts(["long-path", "x"], 4)) == [["long-path"], ["x"]]  # (a longer path alone)
    assert list(_parts([], 4)) == []
    # Paths long enough that naming all of them passes Linux's 2 MB limit of a command line.
    root = tmp_path / "repo"
    folder = "/".join(["d" * 200] * 17)  # 3.4 KB
    names = [f"{folder}/m{index:03}.py" for index in range(700)]  # 2.4 MB of paths
    write_tree(root, {name: "x = 1\n" for name in names})
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "base")
    for name in names[::2]:
        (root / name).write_text("x = 1\ny = 2\n")
    repository = Repository.find(root)
    repository.prefetch_added_lines("main", None, names)
    assert repository._prefetched is None  # (too many for one call: read in parts when asked)
    found = repository.added_lines_of("main", None, names)
    assert found == {name: ([(2, 2)] if index % 2 == 0 else []) for index, name in enumerate(names)}
    # The same answer from parts of any size.
    monkeypatch.setattr(git_module, "PATHS_PER_CALL", 10_000)
    assert repository.added_lines_of("main", None, names[:40]) == {name: found[name] for name in names[:40]}
