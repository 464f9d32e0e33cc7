"""The oracle for the differential tests: import-linter itself, in a long-lived subprocess.

Reads one JSON request per line on stdin ({"root": dir, "config": file, "contract": id or
null}), runs import-linter's own ``create_report`` (what ``lint-imports`` runs, without the
rendering) with the working directory and ``sys.path`` set to ``root``, and answers one JSON
line: the graph import-linter built and, for the contract, KEPT/BROKEN with its metadata, or
the error that stopped it. A process per case would spend most of its time importing
import-linter; this one is started once per test session.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import sys
import traceback
from typing import Any


def _links(chain: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"importer": link["importer"], "imported": link["imported"], "lines": list(link["line_numbers"])} for link in chain]


def _detailed(detailed: dict[str, Any]) -> dict[str, Any]:
    chain = detailed["chain"]
    heads = [chain[0]["importer"]] + [link["importer"] for link in detailed["extra_firsts"]]
    tails = [chain[-1]["imported"]] + [link["imported"] for link in detailed["extra_lasts"]]
    middle = [link["imported"] for link in chain[:-1]]
    return {"heads": sorted(heads), "middle": middle, "tails": sorted(tails)}


def _metadata(contract_type: str, metadata: dict[str, Any]) -> dict[str, Any]:
    if contract_type == "layers":
        return {
            "dependencies": [
                {"importer": d["importer"], "imported": d["imported"], "routes": [_detailed(r) for r in d["routes"]]}
                for d in metadata["invalid_dependencies"]
            ],
            "undeclared": sorted(metadata["undeclared_modules"]),
        }
    if contract_type == "independence":
        return {
            "dependencies": [
                {"importer": d["downstream_module"], "imported": d["upstream_module"], "routes": [_detailed(r) for r in d["chains"]]}
                for d in metadata["invalid_chains"]
            ]
        }
    if contract_type == "forbidden":
        return {
            "pairs": [
                {
                    "importer": d["downstream_module"],
                    "imported": d["upstream_module"],
                    "chains": [[link["importer"] for link in chain] + [chain[-1]["imported"]] for chain in d["chains"]],
                }
                for d in metadata["invalid_chains"]
            ]
        }
    if contract_type == "protected":
        return {"links": sorted({(link["importer"], link["imported"]) for m in metadata["illegal_imports"] for link in m.illegal_links})}
    if contract_type == "private_modules":
        return {"links": sorted((link["importer"], link["imported"]) for link in metadata["illegal_imports"])}
    if contract_type == "acyclic_siblings":
        return {
            "breakers": sorted(
                (package, importer, imported)
                for package, breakers in metadata["cycle_breakers_by_package"].items()
                for importer, imported in breakers
            )
        }
    return {}


def _forget(packages: list[str]) -> None:
    for name in list(sys.modules):
        if name.split(".")[0] in {p.split(".")[0] for p in packages}:
            del sys.modules[name]


def handle(request: dict[str, Any]) -> dict[str, Any]:
    from importlinter.application import use_cases
    from importlinter.domain.contract import InvalidContractOptions

    root, config = request["root"], request["config"]
    os.chdir(root)
    sys.path.insert(0, root)
    importlib.invalidate_caches()
    packages: list[str] = []
    try:
        options = use_cases.read_user_options(config)
        packages = list(options.session_options.get("root_packages", []))
        _forget(packages)
        use_cases._register_built_in_contract_types()
        contract_ids = tuple(c for c in [request.get("contract")] if c)
        report = use_cases.create_report(options, limit_to_contracts=contract_ids, cache_dir=None)
        graph = report.graph
        edges = []
        for importer in sorted(graph.modules):
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                lines = sorted({d["line_number"] for d in graph.get_import_details(importer=importer, imported=imported)})
                edges.append([importer, imported, lines])
        answer: dict[str, Any] = {"modules": sorted(graph.modules), "edges": edges}
        if report.could_not_run:
            errors = {name: dict(exc.errors) for name, exc in report.invalid_contract_options.items()}
            answer["error"] = {"type": "InvalidContractOptions", "message": json.dumps(errors)}
            return answer
        contracts = []
        for contract, check in report.get_contracts_and_checks():
            contracts.append(
                {
                    "name": contract.name,
                    "type": contract.type_name,
                    "kept": check.kept,
                    "warnings": list(check.warnings),
                    "ignored": check.ignored_import_count,
                    "metadata": _metadata(contract.type_name, check.metadata),
                }
            )
        answer["contracts"] = contracts
        return answer
    except InvalidContractOptions as error:
        return {"error": {"type": "InvalidContractOptions", "message": json.dumps(error.errors)}}
    except BaseException as error:  # noqa: BLE001 - the oracle reports every failure (even a panic in grimp) as data
        return {"error": {"type": type(error).__name__, "message": str(error), "trace": traceback.format_exc(limit=3)}}
    finally:
        if root in sys.path:
            sys.path.remove(root)
        _forget(packages)


def main() -> None:
    from importlinter import configuration

    configuration.configure()
    protocol = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        with contextlib.redirect_stdout(io.StringIO()):  # import-linter's progress display
            answer = handle(json.loads(line))
        protocol.write(json.dumps(answer, sort_keys=True) + "\n")
        protocol.flush()


if __name__ == "__main__":
    main()
