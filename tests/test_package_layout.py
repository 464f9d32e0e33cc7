"""The package tree is the pipeline: every room has its door sign, and only the dialect
registry and the CLI reach into the import-linter dialect."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import archguard

PACKAGE = Path(archguard.__file__).parent
ROOMS = ("base", "contract", "analysis", "rules", "engine", "importlinter", "gate", "advice", "report", "render", "cli")
# The only modules outside archguard.importlinter that may import it.
DIALECT_DOORS = ("archguard.engine.dialects", "archguard.cli")


def all_modules() -> list[str]:
    return sorted(info.name for info in pkgutil.walk_packages(archguard.__path__, "archguard."))


def imported_modules(module: str) -> set[str]:
    """Every archguard module a module's code names in an import statement (any depth, any context)."""
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    is_package = spec.origin.endswith("__init__.py")
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name == "archguard" or name.startswith("archguard.")}


def test_every_module_of_the_package_imports() -> None:
    modules = all_modules()
    assert len(modules) > 80
    for module in modules:
        importlib.import_module(module)


def test_no_module_outside_the_importlinter_dialect_imports_it_except_the_registry_and_the_cli() -> None:
    offenders = {}
    for module in all_modules():
        if module == "archguard.importlinter" or module.startswith("archguard.importlinter."):
            continue
        if any(module == door or module.startswith(door + ".") for door in DIALECT_DOORS):
            continue
        reached = sorted(name for name in imported_modules(module) if name == "archguard.importlinter" or name.startswith("archguard.importlinter."))
        if reached:
            offenders[module] = reached
    assert offenders == {}


def test_the_import_scan_sees_the_registrys_imports_of_the_dialect() -> None:
    # The scan above must be able to fail: the registry does import the dialect.
    assert "archguard.importlinter.dialect" in imported_modules("archguard.engine.dialects")


def test_no_loose_modules_beside_the_rooms() -> None:
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert loose == ["__init__.py", "__main__.py", "api.py"]
    for room in ROOMS:
        door = PACKAGE / room / "__init__.py"
        docstring = ast.get_docstring(ast.parse(door.read_text(encoding="utf-8")))
        assert docstring, f"{room}/__init__.py has no docstring"
        assert "May import" in docstring or room in ("report", "render", "cli"), f"{room}/__init__.py does not say what it may import"


def test_the_engine_never_asks_which_dialect_or_resolution_it_has() -> None:
    for module in ("archguard.engine.pipeline", "archguard.gate.revision", "archguard.gate.delta"):
        spec = importlib.util.find_spec(module)
        assert spec is not None and spec.origin is not None
        text = Path(spec.origin).read_text(encoding="utf-8")
        assert ".resolution ==" not in text and '"import-linter"' not in text and ".importlinter" not in text, module


def test_a_run_of_an_archguard_contract_imports_no_more_of_the_importlinter_dialect_than_its_file_detection(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "a.py").write_text("import pkg.b\n")
    (tmp_path / "pkg" / "b.py").write_text("")
    (tmp_path / "archguard.toml").write_text('[components]\na = { modules = ["pkg.a"] }\nb = { modules = ["pkg:*", "pkg.b"] }\n[[rules]]\nkind = "acyclic"\n')
    code = (
        "import sys\nfrom archguard.api import check, load\n"
        f"result = check(load({str(tmp_path / 'archguard.toml')!r}))\n"
        "print(result.exit_code, sorted(m for m in sys.modules if m.startswith('archguard.importlinter')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    # (--config asks the dialect whether it claims the file: a text check, no models)
    assert out.stdout.split(" ", 1) == ["0", "['archguard.importlinter', 'archguard.importlinter.files']\n"]
