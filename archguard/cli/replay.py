"""Replay: a whole-tree check whose inputs did not change prints the same report again, fast.

A check is a pure function of archguard's own code, the command line, a few environment
variables, the contract file, the baseline file, which files discovery finds and their bytes.
After a check, those inputs (hashed) and the reports it wrote are kept in the cache folder.
The next identical command re-runs discovery, reads and hashes every file, and when every
input matches it writes the same reports again and exits with the same code, without loading
the contract models (pydantic), the graph library (networkx), libcst or the rules: the cost
of a check where nothing changed is the cost of finding and hashing the files.

Anything that could change the verdict misses the replay: an edited, added or removed file,
another contract or baseline, other options or environment, another archguard (version or
code). Replay is skipped on a terminal (colour and timing vary), in diff mode (git state is an
input), with ``--no-cache``, and when ``GITHUB_STEP_SUMMARY`` asks for a side effect. It serves
archguard contracts (with either ``[project] resolution``) and import-linter configurations
alike: the entry says which discovery lists the files. Entries are written atomically; a
corrupt or foreign entry is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
import tomllib
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archguard import __version__
from archguard.analysis.cache import DigestIndex, cache_directory, content_hash
from archguard.analysis.discover import discover
from archguard.analysis.listings import FolderListings
from archguard.base.integrity import code_fingerprint
from archguard.base.safe_files import BASELINE_LIMIT, CONFIG_LIMIT, FileTooLarge, make_folder, read_regular, write_atomic
from archguard.contract.locate import find_contract

REPLAY_FORMAT = 2
ENVIRONMENT = ("NO_COLOR", "GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA", "CI_PROJECT_URL", "CI_COMMIT_SHA")
OPTIONS_WITH_VALUES = {"--config", "-c", "--root", "--format", "-f", "--output", "-o", "--jobs", "-j", "--cache-dir", "--color", "--baseline", "--contract"}
NEVER_REPLAYED = {"--no-cache", "--diff", "--watch", "--help", "-h", "--debug"}


@dataclass(frozen=True)
class Invocation:
    """A ``check`` command line that may be replayed: where its entry lives and its key."""

    argv: tuple[str, ...]
    contract: Path
    table: str
    root: Path
    entry: Path
    key: str


def _option_values(argv: list[str]) -> dict[str, str] | None:
    """``--name value`` / ``--name=value`` / ``-cvalue`` options of a check command line, or
    None when the line holds something replay does not handle."""
    values: dict[str, str] = {}
    index = 0
    while index < len(argv):
        arg = argv[index]
        name, equals, value = arg.partition("=")
        if name in NEVER_REPLAYED or arg in NEVER_REPLAYED:
            return None
        if arg.startswith("--") and equals:
            values[name] = value
        elif arg in OPTIONS_WITH_VALUES:
            if index + 1 >= len(argv):
                return None
            values[arg] = argv[index + 1]
            index += 1
        elif len(arg) > 2 and arg[:2] in OPTIONS_WITH_VALUES and not arg.startswith("--"):
            values[arg[:2]] = arg[2:]
        elif not arg.startswith("-"):
            return None  # check takes no arguments; let click say what is wrong
        index += 1
    return values


def _code_fingerprint() -> str:
    """archguard's own files: an edited archguard never replays an older archguard's output."""
    return code_fingerprint(Path(__file__).resolve().parent.parent)


def prepare(argv: list[str], environ: dict[str, str] | None = None) -> Invocation | None:
    """The replay entry this ``check`` command line would use, or None when it is not eligible."""
    env = dict(os.environ if environ is None else environ)
    if sys.stdout.isatty() or env.get("GITHUB_STEP_SUMMARY") or env.get("ARCHGUARD_NO_REPLAY"):
        return None
    values = _option_values(argv)
    if values is None:
        return None
    located = _locate_contract(values.get("--config") or values.get("-c"))
    if located is None:
        return None
    contract, table, foreign = located
    try:
        source = read_regular(contract, limit=CONFIG_LIMIT)
    except OSError:
        return None
    if foreign:  # an import-linter configuration: the project is its folder
        root = contract.parent
    else:
        try:
            document: Any = tomllib.loads(source.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError):
            return None
        for part in table.split(".") if table else ():
            document = document.get(part, {}) if isinstance(document, dict) else {}
        project = document.get("project", {}) if isinstance(document, dict) else {}
        root_text = project.get("root", ".") if isinstance(project, dict) else "."
        if not isinstance(root_text, str):
            return None
        root = (contract.parent / root_text).resolve()
    cache_dir = values.get("--cache-dir") or env.get("ARCHGUARD_CACHE_DIR")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the real run says it once
        cache = cache_directory(root, Path(cache_dir).resolve() if cache_dir else None)
    if cache is None:
        return None
    key_parts = {
        "format": REPLAY_FORMAT,
        "code": _code_fingerprint(),
        "argv": argv,
        "cwd": str(Path.cwd().resolve()),
        "contract": str(contract),
        "contract_bytes": content_hash(source),
        "environment": {k: v for k, v in sorted(env.items()) if k in ENVIRONMENT or k.startswith("ARCHGUARD_")},
    }
    key = hashlib.sha256(json.dumps(key_parts, sort_keys=True).encode()).hexdigest()
    return Invocation(tuple(argv), contract, table, root, cache / f"replay-{key[:32]}.json", key)


def _locate_contract(config: str | None) -> tuple[Path, str, bool] | None:
    """(contract file, its TOML table, whether it is an import-linter configuration) the way the
    check finds it (``--config``, else archguard's contract, else import-linter's), without
    validating anything; None when there is none."""
    from archguard.importlinter.files import find_importlinter_config, is_importlinter_file

    if config:
        contract = Path(config).resolve()
        if is_importlinter_file(contract):
            return contract, "", True
        return contract, "tool.archguard" if contract.name == "pyproject.toml" else "", False
    found = find_contract(Path.cwd())
    if found is not None:
        return found[0], found[1], False
    foreign = find_importlinter_config(Path.cwd())
    return (foreign, "", True) if foreign is not None else None


class _Project:
    """The [project] settings discovery reads, from a replay entry (no pydantic)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.roots: list[str] | None = data.get("roots")
        self.packages: list[str] | None = data.get("packages")
        self.exclude: list[str] = list(data.get("exclude") or [])
        self.resolution: str = data.get("resolution", "archguard")

    def discover(self, root: Path, cache: Path | None = None) -> Any:
        """The files as the recorded check's discovery lists them (with the folder listings
        kept in ``cache``, which this run only reads)."""
        if self.resolution == "import-linter":
            from archguard.importlinter.discover import discover_like_importlinter

            return discover_like_importlinter(root, self)  # type: ignore[arg-type]
        return discover(root, self, listings=FolderListings(cache).load() if cache is not None else None)  # type: ignore[arg-type]


def _file_digest(path: Path, index: DigestIndex | None = None, limit: int = BASELINE_LIMIT) -> str:
    """The content hash of a file: from the digest index when its stat is unchanged, else read
    (a regular file of at most ``limit`` bytes; the same digests as the analysis records)."""
    try:
        if index is not None:
            known = index.lookup(str(path), os.stat(path))
            if known is not None:
                return known
        return content_hash(read_regular(path, limit=limit))
    except FileTooLarge as error:
        return f"too-large:{error.size}"
    except OSError as error:
        return f"unreadable:{error.errno}"


def replay(invocation: Invocation, on_edit: Callable[[], object] | None = None) -> int | None:
    """Write the recorded reports again and return the exit code, or None (nothing replayed).

    ``on_edit``: called when the miss is a recorded file whose content changed or a file that
    was added, so that the real run will parse something (the caller can prepare for it)."""
    started = time.perf_counter()
    try:
        # It holds the reports and the exit code: only a private file archguard wrote is trusted.
        entry = json.loads(read_regular(invocation.entry, limit=BASELINE_LIMIT, follow_symlinks=False, private=True).decode("utf-8"))
        if entry.get("key") != invocation.key or entry.get("format") != REPLAY_FORMAT:
            return None
        baseline = entry.get("baseline")
        if baseline is not None and _file_digest(Path(baseline["path"])) != baseline["digest"]:
            return None
        # The recorded files first (an edit is the usual difference, and is found without
        # listing the tree), then discovery: the same files, none added or removed.
        digests = entry["digests"]
        index = DigestIndex(invocation.entry.parent)  # the run that recorded the entry kept it there
        index.load()
        root = entry["root"]
        limit = int(entry["project"]["max_file_size"])
        for module, relpath in entry["files"]:
            if digests.get(module) != _file_digest(Path(f"{root}{os.sep}{relpath}"), index, limit):
                if on_edit is not None and os.path.exists(f"{root}{os.sep}{relpath}"):
                    on_edit()
                return None
        discovery = _Project(entry["project"]).discover(Path(root), invocation.entry.parent)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    except Exception:  # noqa: BLE001 - discovery errors are reported by the real run, never here
        return None
    if [[f.module, f.relpath] for f in discovery.files] != entry["files"]:
        if on_edit is not None and len(discovery.files) > len(entry["files"]):
            on_edit()
        return None
    if [[p.relpath, p.kind, p.message] for p in discovery.problems] != entry["problems"]:
        return None
    for path, text in entry["outputs"]:
        if path is None:
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            try:
                write_atomic(Path(path), text.encode("utf-8"))  # a symlink there is replaced, never followed
            except OSError:
                return None  # let the real run report the problem
    for line in entry.get("stderr", []):
        print(line, file=sys.stderr)
    files = len(discovery.files)
    if not entry.get("quiet"):
        print(
            f"archguard: {files:,} files ({files:,} cached, 0 parsed) in {time.perf_counter() - started:.2f} s "
            "(replayed: nothing changed since the last identical check)",
            file=sys.stderr,
        )
    code: int = entry["exit"]
    return code


def record(
    invocation: Invocation,
    *,
    project: Any,
    root: Path,
    discovery: Any,
    digests: dict[str, str],
    baseline_path: Path | None,
    outputs: list[tuple[Path | None, str]],
    stderr: list[str],
    quiet: bool,
    exit_code: int,
) -> None:
    """Keep what this check read and wrote, for the next identical command."""
    entry = {
        "format": REPLAY_FORMAT,
        "key": invocation.key,
        "archguard": __version__,
        "root": str(root),
        "project": {
            "roots": project.roots,
            "packages": project.packages,
            "exclude": list(project.exclude),
            "max_file_size": project.max_file_size,
            "resolution": project.resolution,
        },
        "files": [[f.module, f.relpath] for f in discovery.files],
        "problems": [[p.relpath, p.kind, p.message] for p in discovery.problems],
        "digests": digests,
        "baseline": None if baseline_path is None else {"path": str(baseline_path.resolve()), "digest": _file_digest(baseline_path)},
        "outputs": [[None if path is None else str(path.resolve()), text] for path, text in outputs],
        "stderr": stderr,
        "quiet": quiet,
        "exit": exit_code,
    }
    try:
        make_folder(invocation.entry.parent)
        write_atomic(invocation.entry, json.dumps(entry, sort_keys=True).encode("utf-8"), private=True, make_parents=False)
    except OSError:
        return  # a read-only tree: nothing to replay next time, the check itself succeeded
