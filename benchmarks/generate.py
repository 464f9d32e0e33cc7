"""Generated packages for the scale benchmark: N modules with realistic import fan-out.

The package has 10 layers of subpackages (``big.l0`` at the top ... ``big.l9`` at the bottom),
each with a handful of subpackages holding modules. Every module imports about six others,
mostly from the same subpackage or from lower layers (fan-out skewed towards the bottom, like
real code), with a small share of upward imports so the rules find something. The same seed
gives the same tree, so runs are comparable.
"""

from __future__ import annotations

import random
from pathlib import Path

LAYERS = 10


def generate(root: Path, modules: int, seed: int = 1) -> Path:
    """Write ``big/`` with about ``modules`` modules under ``root``; return root."""
    rng = random.Random(seed)
    per_layer = max(1, modules // LAYERS)
    packages_per_layer = max(1, per_layer // 50)
    names: list[list[str]] = []  # per layer, module names
    for layer in range(LAYERS):
        layer_modules = []
        for index in range(per_layer):
            package = f"big.l{layer}.p{index % packages_per_layer}"
            layer_modules.append(f"{package}.m{index}")
        names.append(layer_modules)
    files: dict[str, str] = {"big/__init__.py": ""}
    for layer in range(LAYERS):
        files[f"big/l{layer}/__init__.py"] = ""
        for package in range(packages_per_layer):
            files[f"big/l{layer}/p{package}/__init__.py"] = ""
    for layer, layer_modules in enumerate(names):
        for module in layer_modules:
            lines = ['"""Generated module."""', ""]
            for _ in range(6):
                roll = rng.random()
                if roll < 0.02 and layer > 0:
                    target_layer = rng.randrange(0, layer)  # an upward import: a violation
                elif roll < 0.5:
                    target_layer = layer
                else:
                    target_layer = rng.randrange(layer, LAYERS)
                target = rng.choice(names[target_layer])
                if target == module:
                    continue
                package, _, leaf = target.rpartition(".")
                if rng.random() < 0.7:
                    lines.append(f"from {package} import {leaf}")
                else:
                    lines.append(f"import {target}")
            if rng.random() < 0.3:
                lines.append("import json")
            lines += ["", "", f"def function_{rng.randrange(1000)}(value):", "    total = 0", "    for item in range(value):",
                      "        total += item * 2", "    return total", ""]
            files[module.replace(".", "/") + ".py"] = "\n".join(lines)
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def contracts(root: Path) -> None:
    """Equivalent archguard, import-linter and tach contracts: one layers rule over the 10 layers."""
    components = "\n".join(f'l{i} = {{ modules = ["big.l{i}"] }}' for i in range(LAYERS))
    layers = ", ".join(f'"l{i}"' for i in range(LAYERS))
    (root / "archguard.toml").write_text(
        f'[project]\npackages = ["big"]\n\n[components]\nroot = {{ modules = ["big:*"] }}\n{components}\n\n'
        f'[[rules]]\nkind = "layers"\nname = "layers"\nlayers = [{layers}]\n'
    )
    layer_lines = "\n".join(f"    big.l{i}" for i in range(LAYERS))
    (root / ".importlinter").write_text(
        f"[importlinter]\nroot_package = big\n\n[importlinter:contract:layers]\nname = layers\ntype = layers\nlayers =\n{layer_lines}\n"
    )
    # tach: each layer may depend on the layers below it (declared explicitly).
    tach_modules = "\n".join(
        f'[[modules]]\npath = "big.l{i}"\ndepends_on = [{", ".join(repr(f"big.l{j}").replace(chr(39), chr(34)) for j in range(i + 1, LAYERS))}]\n'
        for i in range(LAYERS)
    )
    (root / "tach.toml").write_text(
        f'source_roots = ["."]\nexact = false\n\n[[modules]]\npath = "big"\ndepends_on = []\nutility = true\n\n{tach_modules}'
    )
