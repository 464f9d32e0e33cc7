"""Shared benchmark plumbing: workloads, timed runs with peak memory, medians, tables.

Benchmarks run on demand (never in the tests). Every comparison runs the tools side by side
in the same session, alternating, several repetitions; results are medians and ratios.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / "work"
RESULTS = HERE / "results"
DJANGO_VERSION = "5.2.*"

# One component per top-level subpackage of django.
DJANGO_SUBPACKAGES = [
    "apps", "conf", "contrib", "core", "db", "dispatch", "forms", "http", "middleware",
    "template", "templatetags", "test", "urls", "utils", "views",
]
# A plausible layering (Django breaks some of it: the benchmark measures, it does not judge).
DJANGO_LAYERS = ["contrib", "test", "views", "middleware", "forms", "template", "db", "http", "core", "utils"]


def compile_bytecode() -> None:
    """Byte-compile archguard's modules, as installing a wheel does.

    An editable install compiles nothing, and with ``PYTHONDONTWRITEBYTECODE`` set (as on the
    benchmark machines) every archguard module would be compiled from source on every run,
    about 0.2 s that no installed peer pays. Python reads the files even with that variable.
    """
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "archguard")], check=True)


def django_source() -> Path:
    """Django's source from its sdist, fetched through pip once and unpacked under work/."""
    target = WORK / "django-src"
    if (target / "django" / "__init__.py").is_file():
        return target
    WORK.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as download:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:", f"django=={DJANGO_VERSION}", "-d", download],
            check=True,
        )
        (archive,) = Path(download).glob("*.tar.gz")
        with tarfile.open(archive) as tar:
            tar.extractall(download, filter="data")
        (unpacked,) = [p for p in Path(download).iterdir() if p.is_dir()]
        target.mkdir(parents=True, exist_ok=True)
        shutil.copytree(unpacked / "django", target / "django")
    return target


def _tach_toml() -> str:
    """tach's form of the same contracts: each layer may use the layers below it and every
    component outside the layering; dispatch and urls may use anything but each other; the
    others are unconstrained (tach has no forbidden-only rule, the layering already keeps
    utils off db, forms and template)."""
    outside = [name for name in DJANGO_SUBPACKAGES if name not in DJANGO_LAYERS]

    def quoted(names: list[str]) -> str:
        return ", ".join(f'"django.{name}"' for name in names)

    modules = ['[[modules]]\npath = "django"\nutility = true\n']
    for index, name in enumerate(DJANGO_LAYERS):
        allowed = DJANGO_LAYERS[index + 1 :] + outside
        modules.append(f'[[modules]]\npath = "django.{name}"\ndepends_on = ["django", {quoted(allowed)}]\n')
    for name in outside:
        if name in ("dispatch", "urls"):
            other = "urls" if name == "dispatch" else "dispatch"
            allowed = [n for n in DJANGO_SUBPACKAGES if n not in (name, other)]
            modules.append(f'[[modules]]\npath = "django.{name}"\ndepends_on = ["django", {quoted(allowed)}]\n')
        else:
            modules.append(f'[[modules]]\npath = "django.{name}"\n')
    return 'source_roots = ["."]\nexact = false\n\n' + "\n".join(modules)


def _deply_yaml() -> str:
    """deply's form of the same contracts: one layer per subpackage (a directory collector), and
    each layer disallows the layers above it, utils also db, forms and template, and dispatch
    and urls each other. deply's dependencies are uses of code elements (classes, functions,
    variables) between layers, direct only; it has no cache."""
    lines = ["deply:", "  paths:", "    - .", "  layers:"]
    for name in DJANGO_SUBPACKAGES:
        lines += [f"    - name: {name}", "      collectors:", "        - type: directory", "          directories:", f"            - django/{name}"]
    forbidden: dict[str, set[str]] = {}
    for index, name in enumerate(DJANGO_LAYERS):
        forbidden.setdefault(name, set()).update(DJANGO_LAYERS[:index])
    forbidden["utils"].update(["db", "forms", "template"])
    forbidden.setdefault("dispatch", set()).add("urls")
    forbidden.setdefault("urls", set()).add("dispatch")
    lines.append("  ruleset:")
    for name, targets in forbidden.items():
        if targets:
            lines += [f"    {name}:", "      disallow_layer_dependencies:", *(f"        - {target}" for target in sorted(targets))]
    return "\n".join(lines) + "\n"


def django_contracts(root: Path) -> None:
    """Equivalent archguard, import-linter, tach and deply contracts (layers + forbidden + independence)."""
    (root / "tach.toml").write_text(_tach_toml())
    (root / "deply.yaml").write_text(_deply_yaml())
    components = "\n".join(f'{name} = {{ modules = ["django.{name}"] }}' for name in DJANGO_SUBPACKAGES)
    layers = ", ".join(f'"{name}"' for name in DJANGO_LAYERS)
    (root / "archguard.toml").write_text(
        f"""[project]
packages = ["django"]

[components]
root = {{ modules = ["django:*", "django.shortcuts", "django.__main__"] }}
{components}

[[rules]]
kind = "layers"
name = "layers"
layers = [{layers}]

[[rules]]
kind = "forbidden"
name = "utils stay low"
from = ["utils"]
to = ["db", "forms", "template"]

[[rules]]
kind = "independent"
name = "independent services"
components = ["dispatch", "urls"]

[drift]
unmapped = "off"
"""
    )
    layer_lines = "\n".join(f"    django.{name}" for name in DJANGO_LAYERS)
    (root / ".importlinter").write_text(
        f"""[importlinter]
root_package = django

[importlinter:contract:layers]
name = layers
type = layers
layers =
{layer_lines}

[importlinter:contract:forbidden]
name = utils stay low
type = forbidden
source_modules =
    django.utils
forbidden_modules =
    django.db
    django.forms
    django.template

[importlinter:contract:independence]
name = independent services
type = independence
modules =
    django.dispatch
    django.urls
"""
    )


@dataclass
class Sample:
    seconds: float
    max_rss_mib: float
    returncode: int


@dataclass
class Series:
    name: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def peak_mib(self) -> float:
        return max(s.max_rss_mib for s in self.samples)


def timed(command: Sequence[str], cwd: Path, env: dict[str, str] | None = None, before: Callable[[], None] | None = None) -> Sample:
    """Run a command; wall time and the peak RSS of the largest process it waited for."""
    if before:
        before()
    # /usr/bin/time measures the command's own peak; measuring our forked child directly would
    # count this (large) benchmark process's pages, shared until exec, as the child's.
    with tempfile.NamedTemporaryFile(mode="r", suffix=".rss") as rss:
        wrapper = ["/usr/bin/time", "-f", "%M", "-o", rss.name] if Path("/usr/bin/time").exists() else []
        started = time.perf_counter()
        completed = subprocess.run([*wrapper, *command], cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elapsed = time.perf_counter() - started
        text = rss.read().strip().splitlines()
    peak = int(text[-1]) / 1024 if text and text[-1].isdigit() else float("nan")
    return Sample(elapsed, peak, completed.returncode)


def alternate(series: list[tuple[Series, Callable[[], Sample]]], repetitions: int) -> None:
    """Run each measurement once per round, rounds repeated: load spikes hit all of them."""
    for _ in range(repetitions):
        for target, run in series:
            target.samples.append(run())


def table(rows: list[list[str]], header: list[str]) -> str:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> str:
    load = os.getloadavg()
    return f"{os.cpu_count()} cores, load average at start {load[0]:.2f}, Python {sys.version.split()[0]}"


def bin_path(name: str) -> str:
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name
