"""import-linter mode on Django 5.2: archguard check vs lint-imports, side by side.

Usage: python benchmarks/importlinter_django.py [DJANGO_SOURCE] [RUNS]

Copies Django's package to a temporary folder with an .importlinter of seven contracts (every
contract type), then alternates ``lint-imports`` and ``archguard check`` RUNS times each, cold
(no cache) and warm (cache kept from the previous run). Prints the medians, their ratio, and
whether the two tools gave the same verdict for every contract.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CONFIG = Path(__file__).with_name("importlinter_django.ini")


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    return time.perf_counter() - started, result.stdout


def verdicts(output: str) -> dict[str, str]:
    found = {}
    for line in output.splitlines():
        for word in ("KEPT", "BROKEN"):
            if f" {word}" in line and not line.startswith("Contracts"):
                found[line[: line.rindex(f" {word}")].strip()] = word
    return found


def main() -> None:
    source = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/ref/django-5.2.19") / "django"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    root = Path(tempfile.mkdtemp(prefix="archguard-il-django-"))
    shutil.copytree(source, root / "django")
    shutil.copy(CONFIG, root / ".importlinter")
    env = {**os.environ, "PYTHONPATH": f"{root}{os.pathsep}{REPO}", "NO_COLOR": "1"}
    bin_dir = Path(sys.executable).parent
    lint_imports = [str(bin_dir / "lint-imports"), "--no-logo"]
    archguard = [sys.executable, "-m", "archguard", "check", "-q"]
    times: dict[str, list[float]] = {name: [] for name in ("lint-imports cold", "archguard cold", "lint-imports warm", "archguard warm")}
    outputs = {}
    for _ in range(runs):
        for name, command in (("lint-imports", lint_imports), ("archguard", archguard)):
            seconds, _ = timed([*command, "--no-cache"], root, env)
            times[f"{name} cold"].append(seconds)
            timed(command, root, env)  # fill the cache
            seconds, outputs[name] = timed(command, root, env)
            times[f"{name} warm"].append(seconds)
    files = sum(1 for _ in (root / "django").rglob("*.py"))
    print(f"Django 5.2 ({files} files), {runs} runs each, alternating; medians:")
    for name, values in times.items():
        print(f"  {name:18} {statistics.median(values):6.2f} s   (runs: {', '.join(f'{v:.2f}' for v in values)})")
    for mode in ("cold", "warm"):
        ratio = statistics.median(times[f"archguard {mode}"]) / statistics.median(times[f"lint-imports {mode}"])
        print(f"  archguard / lint-imports, {mode}: {ratio:.2f}x")
    same = verdicts(outputs["lint-imports"]) == verdicts(outputs["archguard"])
    print(f"  verdicts: {verdicts(outputs['archguard'])} ({'same' if same else 'DIFFERENT'} as lint-imports)")
    shutil.rmtree(root)


if __name__ == "__main__":
    main()
