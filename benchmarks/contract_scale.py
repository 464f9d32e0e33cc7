"""Contract scale benchmark (issue 19): cost against the number of components in the contract.

    python -m benchmarks.contract_scale [--sizes 1000,5000,10000] [--repetitions 3] [--timeout 600]

A generated package with one small subpackage per component (``big.c0`` ... ``big.cN``), each
module importing three others (mostly lower-numbered components, a few upward), and two
contracts over it: the components alone (no rule: only the implicit ones, whose findings
each locate a contract key), and every rule kind at once over all components (layers,
boundaries, allowed, forbidden, independent, acyclic). Each size: ``archguard check`` with
the facts cache warm (replay off), so that the time is the contract's: discovery, graph,
rules and reports; the cold time (cache off) once for reference. Wall time medians, peak RSS,
the import sites and findings of the run. Writes benchmarks/results/contract-scale.md.
``ARCHGUARD`` names another archguard command to measure (e.g. an older checkout).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
from pathlib import Path

from benchmarks.common import RESULTS, WORK, Series, alternate, bin_path, compile_bytecode, machine, table, timed

LAYERS = 10


def generate(root: Path, components: int, seed: int = 1) -> None:
    """``big/`` with one subpackage per component; about 3 imports per module."""
    rng = random.Random(seed)
    package = root / "big"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for index in range(components):
        folder = package / f"c{index}"
        folder.mkdir()
        (folder / "__init__.py").write_text("")
        lines = ['"""Generated module."""']
        for _ in range(3):
            # Mostly a lower component; a few anywhere (upward imports, cycles).
            other = rng.randrange(index) if index and rng.random() < 0.97 else rng.randrange(components)
            lines.append(f"from big.c{other} import mod as m{other}")
        lines.append("VALUE = 1")
        (folder / "mod.py").write_text("\n".join(lines) + "\n")


def contract(components: int, rules: bool) -> str:
    names = [f"c{index}" for index in range(components)]
    lines = ['[project]\npackages = ["big"]\n', "[components]"]
    lines.append('root = { modules = ["big:*"] }')
    lines += [f'{name} = {{ modules = ["big.{name}"], public = ["big.{name}:*"] }}' for name in names]
    # As many components again that match no module: one finding each, at its contract key.
    lines += [f'ghost{index} = {{ modules = ["big.ghost{index}"] }}' for index in range(components // 2)]
    lines.append("\n[drift]\nunmapped = \"error\"\nvacuous = \"warning\"\n")
    if rules:
        per_layer = max(1, components // LAYERS)
        layers = [" : ".join(names[start : start + per_layer]) for start in range(0, components, per_layer)]
        layers.reverse()  # higher-numbered components import lower ones: they sit higher
        quoted = ", ".join(f'"{layer}"' for layer in layers)
        lines.append(f'[[rules]]\nkind = "layers"\nname = "layers"\nlayers = [{quoted}]\nallow_indirect = true\n')
        everyone = ", ".join(f'"{name}"' for name in names)
        lines.append(f'[[rules]]\nkind = "boundaries"\nname = "boundaries"\ncomponents = [{everyone}]\n')
        lines.append('[[rules]]\nkind = "allowed"\nname = "allowed"\n[rules.allow]')
        lines += [f"{name} = {json.dumps(names[max(0, i - 3) : i])}" for i, name in enumerate(names)]
        half = components // 2
        lines.append(f'\n[[rules]]\nkind = "forbidden"\nname = "forbidden"\nfrom = ["c0", "c1"]\nto = ["c{half}", "c{components - 1}"]\n')
        lines.append(f'[[rules]]\nkind = "independent"\nname = "independent"\ncomponents = [{everyone}]\n')
        lines.append('[[rules]]\nkind = "acyclic"\nname = "acyclic"\nscope = "components"\n')
    return "\n".join(lines) + "\n"


def summary(archguard: list[str], root: Path, config: str) -> tuple[int, int]:
    """(import sites, findings) of a check with this contract, from its JSON report."""
    completed = subprocess.run(
        [*archguard, "check", "-q", "--format", "json", "--config", config],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "ARCHGUARD_NO_REPLAY": "1"},
    )
    report = json.loads(completed.stdout)
    return report["summary"]["imports"], report["summary"]["errors"] + report["summary"]["warnings"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,5000,10000")
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds; a slower run is recorded as such")
    parser.add_argument("--output", default=str(RESULTS / "contract-scale.md"))
    args = parser.parse_args()
    compile_bytecode()
    archguard = os.environ.get("ARCHGUARD", bin_path("archguard")).split()
    rows = []
    for size in (int(size) for size in args.sizes.split(",")):
        root = WORK / f"contract-scale-{size}"
        if root.exists():
            shutil.rmtree(root)
        root.mkdir(parents=True)
        generate(root, size)
        (root / "components.toml").write_text(contract(size, rules=False))
        (root / "every-rule.toml").write_text(contract(size, rules=True))
        for name, config in (("components only", "components.toml"), ("every rule kind", "every-rule.toml")):
            command = [*archguard, "check", "-q", "--config", config]
            warm = Series(f"{name} warm")
            first = timed(["timeout", str(args.timeout), *command], root, {"ARCHGUARD_NO_REPLAY": "1"})  # fills the facts cache
            if first.returncode == 124:
                rows.append([f"{size:,}", name, f"> {args.timeout:.0f}", "timed out", "", "", ""])
                continue
            cold = timed([*command, "--no-cache"], root)
            alternate([(warm, lambda command=command, root=root: timed(command, root, {"ARCHGUARD_NO_REPLAY": "1"}))], args.repetitions)
            sites, findings = summary(archguard, root, config)
            rows.append(
                [f"{size:,}", name, f"{warm.median:.2f}", f"{cold.seconds:.2f}", f"{warm.peak_mib:.0f}", f"{sites:,}", f"{findings:,}"]
            )
            print(rows[-1], flush=True)
    text = [
        "# Contract scale: cost against the number of components (issue 19)",
        "",
        f"Machine: {machine()}. `archguard check -q`, medians of {args.repetitions} runs with the facts cache warm "
        "(replay off: the contract is evaluated every time), and one cold run (`--no-cache`). "
        "A generated package with one subpackage (two modules) per component, about three imports per module. "
        "'components only': the components and no rule (half as many components again match no module: "
        "one finding each, located at its key in the contract); 'every rule kind': layers, boundaries, allowed, forbidden, "
        "independent and acyclic over every component. Regenerate: `python -m benchmarks.contract_scale`.",
        "",
        table(rows, ["components", "contract", "warm (s)", "cold (s)", "peak RSS (MiB)", "import sites", "findings"]),
        "",
    ]
    Path(args.output).write_text("\n".join(text))
    print("\n".join(text))


if __name__ == "__main__":
    main()
