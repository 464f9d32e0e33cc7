"""Folder listings kept between runs (archguard.analysis.listings): a folder is listed again
whenever an entry was added, removed, renamed or replaced in it; what a symlink leads to is
looked at every time. Each discovery with the kept listings is compared with one without."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from archguard.analysis.discover import Discovery, discover
from archguard.analysis.listings import FolderListings
from archguard.contract.models import ProjectConfig
from tests.helpers import write_tree

FILES: dict[str, str | bytes] = {
    "shop/__init__.py": "",
    "shop/api/__init__.py": "",
    "shop/api/views.py": "",
    "shop/domain/__init__.py": "",
    "shop/domain/model.py": "",
    "shop/locale/fr/LC_MESSAGES/django.po": "",
}
PROJECT = ProjectConfig.model_construct(roots=["."], packages=["shop"], exclude=[])


@pytest.fixture(autouse=True)
def no_racy_window(monkeypatch: pytest.MonkeyPatch) -> None:
    # Folders made by a test are seconds old at most: keep them anyway, so that the kept listings are used.
    monkeypatch.setattr(FolderListings, "RACY_NS", 0)


def both(root: Path, cache: Path) -> tuple[Discovery, Discovery, int]:
    """(discovery with the kept listings, discovery listing every folder, folders listed again)."""
    listings = FolderListings(cache).load()
    kept = discover(root, PROJECT, listings=listings)
    listings.save()
    return kept, discover(root, PROJECT), listings.listed


def modules(discovery: Discovery) -> list[str]:
    return [f.module for f in discovery.files]


def test_an_unchanged_tree_is_walked_from_the_kept_listings(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "project", FILES)
    first, fresh, listed = both(root, tmp_path / "cache")
    assert first == fresh and listed == 6  # shop, api, domain, locale, fr, LC_MESSAGES
    again, fresh, listed = both(root, tmp_path / "cache")
    assert again == fresh == first and listed == 0


def test_a_file_added_removed_or_renamed_is_seen(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "project", FILES)
    both(root, tmp_path / "cache")
    (root / "shop/domain/rules.py").write_text("")
    (root / "shop/api/views.py").rename(root / "shop/api/pages.py")
    kept, fresh, listed = both(root, tmp_path / "cache")
    assert kept == fresh and listed == 2
    assert modules(kept) == ["shop", "shop.api", "shop.api.pages", "shop.domain", "shop.domain.model", "shop.domain.rules"]


def test_a_renamed_folder_is_seen_under_its_new_name(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "project", FILES)
    both(root, tmp_path / "cache")
    (root / "shop/domain").rename(root / "shop/core")
    kept, fresh, _ = both(root, tmp_path / "cache")
    assert kept == fresh
    assert modules(kept) == ["shop", "shop.api", "shop.api.views", "shop.core", "shop.core.model"]


def test_a_file_replaced_by_a_fifo_of_the_same_name_is_reported(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "project", FILES)
    both(root, tmp_path / "cache")
    (root / "shop/domain/model.py").unlink()
    os.mkfifo(root / "shop/domain/model.py")
    kept, fresh, _ = both(root, tmp_path / "cache")
    assert kept == fresh
    assert [(p.relpath, p.kind) for p in kept.problems] == [("shop/domain/model.py", "not-a-file")]


def test_a_symlink_is_followed_where_it_leads_now(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "project", {**FILES, "shop/one/__init__.py": "", "shop/one/a.py": "", "shop/two/b.py": ""})
    (root / "shop/linked").symlink_to(root / "shop/one", target_is_directory=True)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside/c.py").write_text("")
    first, fresh, _ = both(root, tmp_path / "cache")
    assert first == fresh and "shop.linked.a" in modules(first)
    # Retargeted in place (the folder holding the link is left as it was: only the link changes).
    (root / "shop/one/a.py").unlink()
    (root / "shop/one/a2.py").write_text("")
    kept, fresh, _ = both(root, tmp_path / "cache")
    assert kept == fresh and "shop.linked.a2" in modules(kept) and "shop.linked.a" not in modules(kept)
    (root / "shop/linked").unlink()
    (root / "shop/linked").symlink_to(tmp_path / "outside", target_is_directory=True)
    kept, fresh, _ = both(root, tmp_path / "cache")
    assert kept == fresh and ("shop/linked", "outside-root") in [(p.relpath, p.kind) for p in kept.problems]


def test_a_folder_whose_modification_time_is_set_back_after_an_edit_is_listed_again(tmp_path: Path) -> None:
    # An archive extraction restores modification times; the change time still tells.
    root = write_tree(tmp_path / "project", FILES)
    both(root, tmp_path / "cache")
    folder = root / "shop/domain"
    before = folder.stat()
    (folder / "rules.py").write_text("")
    os.utime(folder, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert folder.stat().st_mtime_ns == before.st_mtime_ns
    kept, fresh, listed = both(root, tmp_path / "cache")
    assert kept == fresh and "shop.domain.rules" in modules(kept) and listed == 1


def test_folders_changed_just_now_are_not_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FolderListings, "RACY_NS", 60 * 1_000_000_000)
    root = write_tree(tmp_path / "project", FILES)
    both(root, tmp_path / "cache")
    assert both(root, tmp_path / "cache")[2] == 6  # every folder is a few seconds old: listed every time


def test_a_corrupt_listings_file_is_ignored(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "project", FILES)
    both(root, tmp_path / "cache")
    path = tmp_path / "cache" / "listings.bin"
    path.write_bytes(path.read_bytes()[:-5] + b"xxxxx")
    kept, fresh, listed = both(root, tmp_path / "cache")
    assert kept == fresh and listed == 6
