"""Differential testing against import-linter: run both tools on the same code and config, compare.

- :func:`oracle` answers with import-linter's own results (a long-lived subprocess running
  ``tests/importlinter_oracle_server.py``); :func:`run_lint_imports` runs the real
  ``lint-imports`` command.
- :func:`archguard_answers` runs archguard's import-linter mode on the same tree.
- :func:`compare` lists every difference: the graph (modules, imports and their line numbers),
  each contract's KEPT/BROKEN verdict, its warnings, and what it reports (illegal layer pairs,
  direct imports, chains, cycle breakers, undeclared modules), or the error that stops it.

import-linter picks one of several equally short chains in an order that depends on hashing
(it changes from one run to the next), so chains are compared by what does not depend on
that choice: their endpoints and lengths, and that every reported chain is made of real
imports. :class:`Stats` counts how often the chains were also exactly the same.
"""

from __future__ import annotations

import atexit
import json
import os
import random
import shutil
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path
from typing import Any

from archguard.base.errors import ContractError
from archguard.engine.pipeline import RunOptions, analyze, evaluate
from archguard.importlinter.config import load_importlinter
from archguard.importlinter.contracts.graph import ContractGraph, il_name, session_view

SERVER = Path(__file__).with_name("importlinter_oracle_server.py")
LINT_IMPORTS = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"


class _Oracle:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(SERVER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "PYTHONPATH": ""},
        )

    def ask(self, root: Path, config: str, contract: str | None = None) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"root": str(root), "config": config, "contract": contract}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the import-linter oracle process died")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            self.process.wait(timeout=10)


_ORACLE: _Oracle | None = None


def oracle() -> _Oracle:
    global _ORACLE
    if _ORACLE is None or _ORACLE.process.poll() is not None:
        _ORACLE = _Oracle()
        atexit.register(_ORACLE.close)
    return _ORACLE


def run_lint_imports(root: Path, config: str, *extra: str) -> subprocess.CompletedProcess[str]:
    """The real ``lint-imports`` command, with the tree on PYTHONPATH and no cache."""
    env = {**os.environ, "PYTHONPATH": str(root), "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache", "--no-logo", config, *extra], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )


def lint_imports_verdicts(output: str) -> dict[str, str]:
    """Contract name -> KEPT/BROKEN from lint-imports' summary lines."""
    verdicts = {}
    for line in output.splitlines():
        for word in ("KEPT", "BROKEN"):
            marker = f" {word}"
            if marker in line and not line.startswith(("Contracts:", "-")):
                name = line[: line.rindex(marker)]
                verdicts[name.strip()] = word
    return verdicts


# -- archguard's side ------------------------------------------------------------------------------


@dataclass
class ArchguardAnswer:
    modules: list[str] = field(default_factory=list)
    edges: list[list[Any]] = field(default_factory=list)
    contracts: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> answer
    error: str | None = None  # a ContractError before any contract ran
    rerun: Callable[[str, Callable[[Iterable[str]], list[str]]], dict[str, Any]] | None = None


def _contract_answer(analysis: Any, loaded: Any, contract: Any) -> dict[str, Any]:
    single = replace(loaded, importlinter=loaded.importlinter.model_copy(update={"contracts": (contract,)}))
    try:
        result = evaluate(replace(analysis, loaded=single))
    except ContractError as error:
        return {"error": str(error)}
    findings = [f for f in result.findings if f.rule_name == contract.name and f.rule.startswith("importlinter-")]
    return {"kept": not any(f.severity == "error" for f in findings), "findings": findings, "type": contract.type}


def archguard_answers(root: Path, config: str) -> ArchguardAnswer:
    """archguard on the tree: the graph, then each contract on its own (like the oracle)."""
    cwd = os.getcwd()
    os.chdir(root)
    try:
        # archguard validates every contract when it reads the file (import-linter, when it checks
        # each one): a contract with a configuration error is set aside and the rest compared.
        load_errors: dict[str, str] = {}
        path = root / config
        while True:
            try:
                loaded = load_importlinter(path)
                break
            except ContractError as error:
                contract_id = _contract_of(error)
                if contract_id is None or contract_id in load_errors or path.suffix == ".toml":
                    return ArchguardAnswer(error=str(error))
                load_errors[contract_id] = str(error)
                path = _without_contract(path, root / ".importlinter-rest", contract_id)
        assert loaded.importlinter is not None
        try:
            analysis = analyze(loaded, RunOptions(jobs=1, use_cache=False))
        except ContractError as error:
            return ArchguardAnswer(error=str(error))
        view = session_view(analysis.graph, loaded.importlinter.session.exclude_type_checking_imports)
        answer = ArchguardAnswer(modules=sorted(il_name(n) for n in view.nodes))
        for importer, imported, sites in sorted(view.edges(data="sites")):
            answer.edges.append([il_name(importer), il_name(imported), sorted({s.line for s in sites})])
        answer.edges.sort()
        for contract_id, message in load_errors.items():
            answer.contracts[contract_id] = {"error": message}
        by_key = {contract.id or contract.name: contract for contract in loaded.importlinter.contracts}
        for key, contract in by_key.items():
            answer.contracts[key] = _contract_answer(analysis, loaded, contract)

        def rerun(key: str, order: Callable[[Iterable[str]], list[str]]) -> dict[str, Any]:
            """The contract again, with another order for telling equally short chains apart."""
            saved = ContractGraph.__dict__["tie_order"]
            ContractGraph.tie_order = staticmethod(order)  # type: ignore[method-assign,assignment]
            try:
                return _contract_answer(analysis, loaded, by_key[key])
            finally:
                ContractGraph.tie_order = saved  # type: ignore[method-assign]

        answer.rerun = rerun
        return answer
    finally:
        os.chdir(cwd)


def _contract_of(error: ContractError) -> str | None:
    key = error.key or ""
    if not key.startswith("importlinter:contract:"):
        return None
    return key.removeprefix("importlinter:contract:").partition(".")[0]


def _without_contract(path: Path, target: Path, contract_id: str) -> Path:
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(path.read_text(encoding="utf-8"))
    parser.remove_section(f"importlinter:contract:{contract_id}")
    with target.open("w", encoding="utf-8") as handle:
        parser.write(handle)
    return target


# -- comparing -------------------------------------------------------------------------------------


@dataclass
class Stats:
    cases: int = 0
    contracts: int = 0
    broken: int = 0
    errors: int = 0
    chain_contracts: int = 0  # contracts whose answer lists chains of imports
    chain_exact: int = 0  # ... identical to import-linter's with archguard's own (sorted) tie order
    chain_reordered: int = 0  # ... identical once equally short chains were taken in another order
    by_type: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def summary(self) -> str:
        types = ", ".join(f"{k} {v}" for k, v in sorted(self.by_type.items()))
        return (
            f"{self.cases} cases, {self.contracts} contracts checked ({types}); {self.broken} broken, "
            f"{self.errors} configuration errors (same error in both); chains: {self.chain_contracts} contracts with chains, "
            f"{self.chain_exact} identical as reported, {self.chain_reordered} identical under another tie order"
        )


TIE_ORDERS = 40  # other orders tried when chains differ only in how equally short ones were picked


def _detail(finding: Any, key: str) -> str | None:
    for name, value in finding.details:
        if name == key:
            return str(value)
    return None


def _chain_of(finding: Any) -> list[str]:
    if finding.chain:
        return [il_name(h.importer) for h in finding.chain] + [il_name(finding.chain[-1].imported)]
    return [il_name(finding.importer), il_name(finding.imported)]


def _check_chain(chain: list[str], edges: set[tuple[str, str]], where: str, problems: list[str]) -> None:
    for a, b in pairwise(chain):
        if (a, b) not in edges:
            problems.append(f"{where}: chain {' -> '.join(chain)} uses {a} -> {b}, which import-linter's graph does not have")


def compare(oracle_answers: dict[str, dict[str, Any]], ours: ArchguardAnswer, stats: Stats | None = None) -> list[str]:
    """Every difference between import-linter's answers (contract id -> answer) and archguard's."""
    stats = stats or Stats()
    stats.cases += 1
    problems: list[str] = []
    graph_answer = next((a for a in oracle_answers.values() if "modules" in a), None)
    if ours.error is not None:
        for contract_id, answer in oracle_answers.items():
            if "error" not in answer:
                problems.append(f"archguard stopped with a configuration error ({ours.error}) but import-linter checked {contract_id}")
        stats.errors += 1
        return problems
    if graph_answer is not None:
        if graph_answer["modules"] != ours.modules:
            missing = sorted(set(graph_answer["modules"]) - set(ours.modules))
            extra = sorted(set(ours.modules) - set(graph_answer["modules"]))
            problems.append(f"modules differ: import-linter only {missing}, archguard only {extra}")
        if graph_answer["edges"] != ours.edges:
            theirs = {(a, b): lines for a, b, lines in graph_answer["edges"]}
            mine = {(a, b): lines for a, b, lines in ours.edges}
            for key in sorted(set(theirs) | set(mine)):
                if theirs.get(key) != mine.get(key):
                    problems.append(f"import {key[0]} -> {key[1]}: import-linter lines {theirs.get(key)}, archguard lines {mine.get(key)}")
    edges = {(a, b) for a, b, _ in (graph_answer or {}).get("edges", [])}
    for contract_id, answer in oracle_answers.items():
        mine = ours.contracts.get(contract_id)
        if mine is None:
            problems.append(f"{contract_id}: archguard did not check this contract")
            continue
        stats.contracts += 1
        error = answer.get("error")
        if error is not None:
            stats.errors += 1
            if error["type"] == "MissingImport":
                unmatched = [f for f in mine.get("findings", []) if f.kind == "unmatched-ignore" and f.severity == "error"]
                if not unmatched:
                    problems.append(
                        f"{contract_id}: import-linter stopped ({error['message']}); archguard reported no unmatched ignored import"
                    )
            elif "error" not in mine:
                problems.append(f"{contract_id}: import-linter failed with {error['type']}: {error['message']}; archguard did not fail")
            continue
        if "error" in mine:
            problems.append(f"{contract_id}: archguard failed ({mine['error']}) where import-linter checked the contract")
            continue
        (result,) = answer["contracts"]
        stats.by_type[result["type"]] += 1
        stats.broken += not result["kept"]
        where = f"{contract_id} ({result['type']})"
        hard, tie, has_chains = _compare_contract(result, mine, edges, where)
        stats.chain_contracts += has_chains
        if hard:
            problems.extend(hard)
        elif tie and ours.rerun is not None:
            # Each illegal pair's chains are searched on their own (like import-linter does), so
            # each pair may match under a different order of equally short chains.
            unmatched = {problem.partition(": chains differ")[0] for problem in tie}
            for attempt in range(TIE_ORDERS):
                rng = random.Random(attempt)
                alternative = ours.rerun(contract_id, lambda names, rng=rng: rng.sample(sorted(names), len(names)))
                hard_again, tie_again, _ = _compare_contract(result, alternative, edges, where)
                if not hard_again:
                    unmatched &= {problem.partition(": chains differ")[0] for problem in tie_again}
                if not unmatched:
                    stats.chain_reordered += 1
                    break
            else:
                problems.extend(
                    f"{p} (and in {TIE_ORDERS} other tie orders)" for p in tie if p.partition(": chains differ")[0] in unmatched
                )
        elif has_chains:
            stats.chain_exact += 1
    return problems


def _compare_contract(
    result: dict[str, Any], mine: dict[str, Any], edges: set[tuple[str, str]], where: str
) -> tuple[list[str], list[str], bool]:
    """(differences, differences that depend on how equally short chains were picked, has chains)."""
    hard: list[str] = []
    tie: list[str] = []
    if "error" in mine:
        return [f"{where}: archguard failed ({mine['error']})"], [], False
    findings = mine["findings"]
    if result["kept"] != mine["kept"]:
        hard.append(
            f"{where}: import-linter says {'KEPT' if result['kept'] else 'BROKEN'}, archguard {'KEPT' if mine['kept'] else 'BROKEN'}"
        )
    their_warnings = sorted(w.removeprefix("No matches for ignored import ").rstrip(".") for w in result["warnings"])
    my_warnings = sorted(f.message.removeprefix("no matches for ignored import ") for f in findings if f.kind == "unmatched-ignore")
    if their_warnings != my_warnings:
        hard.append(f"{where}: warnings differ: import-linter {their_warnings}, archguard {my_warnings}")
    has_chains = False
    kind, metadata = result["type"], result["metadata"]
    reported = [f for f in findings if f.kind != "unmatched-ignore"]
    if kind in ("layers", "independence", "forbidden"):
        # Both lists per illegal pair: direct imports (tie-free), then chains (shortest first).
        theirs: dict[tuple[str, str], set[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]] = {}
        if kind == "forbidden":
            for pair in metadata["pairs"]:
                theirs[(pair["importer"], pair["imported"])] = {((c[0],), tuple(c[1:-1]), (c[-1],)) for c in pair["chains"]}
        else:
            for dependency in metadata["dependencies"]:
                theirs[(dependency["importer"], dependency["imported"])] = {
                    (tuple(r["heads"]), tuple(r["middle"]), tuple(r["tails"])) for r in dependency["routes"]
                }
        ours: dict[tuple[str, str], set[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]] = defaultdict(set)
        for finding in reported:
            if finding.kind not in ("direct", "indirect"):
                continue
            pair_text = _detail(finding, "pair")
            assert pair_text is not None
            a, _, b = pair_text.partition(" -> ")
            chain = _chain_of(finding)
            _check_chain(chain, edges, where, hard)
            heads = [chain[0], *(x for x in (_detail(finding, "also_from") or "").split(", ") if x)]
            tails = [chain[-1], *(x for x in (_detail(finding, "also_to") or "").split(", ") if x)]
            ours[(a, b)].add((tuple(sorted(heads)), tuple(chain[1:-1]), tuple(sorted(tails))))
        if set(theirs) != set(ours):
            hard.append(f"{where}: illegal pairs differ: import-linter {sorted(theirs)}, archguard {sorted(ours)}")
        for pair in sorted(set(theirs) & set(ours)):
            has_chains = True
            their_direct = {r for r in theirs[pair] if not r[1]}
            my_direct = {r for r in ours[pair] if not r[1]}
            if their_direct != my_direct:
                hard.append(f"{where} {pair}: direct imports differ: import-linter {sorted(their_direct)}, archguard {sorted(my_direct)}")
            their_lengths = sorted(len(r[1]) for r in theirs[pair] if r[1])
            my_lengths = sorted(len(r[1]) for r in ours[pair] if r[1])
            if bool(their_lengths) != bool(my_lengths) or (their_lengths and their_lengths[0] != my_lengths[0]):
                hard.append(f"{where} {pair}: indirect routes differ: import-linter {sorted(theirs[pair])}, archguard {sorted(ours[pair])}")
            elif theirs[pair] != ours[pair]:
                tie.append(f"{where} {pair}: chains differ: import-linter {sorted(theirs[pair])}, archguard {sorted(ours[pair])}")
        if kind == "layers":
            their_undeclared = metadata["undeclared"]
            my_undeclared = sorted(f.importer for f in reported if f.kind == "undeclared")
            if their_undeclared != my_undeclared:
                hard.append(f"{where}: undeclared modules differ: import-linter {their_undeclared}, archguard {my_undeclared}")
    elif kind in ("protected", "private_modules"):
        their_links = sorted(tuple(link) for link in metadata["links"])
        my_links = sorted({(il_name(f.importer), il_name(f.imported)) for f in reported})
        if their_links != my_links:
            hard.append(f"{where}: illegal imports differ: import-linter {their_links}, archguard {my_links}")
    elif kind == "acyclic_siblings":
        their_breakers = sorted(tuple(b) for b in metadata["breakers"])
        my_breakers = []
        for finding in reported:
            package = _detail(finding, "package")
            for item in (_detail(finding, "imports") or "").split(", "):
                importer, _, imported = item.partition(" -> ")
                my_breakers.append((package, importer, imported))
        if their_breakers != sorted(my_breakers):
            hard.append(f"{where}: cycle breakers differ: import-linter {their_breakers}, archguard {sorted(my_breakers)}")
    return hard, tie, has_chains


def differential(root: Path, config: str, stats: Stats | None = None) -> list[str]:
    """Run both tools on ``root`` (every contract on its own) and list the differences."""
    ours = archguard_answers(root, config)
    server = oracle()
    contract_ids = _contract_ids(root / config)
    answers: dict[str, dict[str, Any]] = {}
    if contract_ids:
        for contract_id in contract_ids:
            answers[contract_id] = server.ask(root, config, contract_id)
    else:  # contracts without ids: one run, answers keyed by contract name
        whole = server.ask(root, config, None)
        if "error" in whole:
            return [] if ours.error else [f"import-linter failed ({whole['error']}) but archguard did not"]
        for contract in whole["contracts"]:
            answers[contract["name"]] = {**whole, "contracts": [contract]}
    return compare(answers, ours, stats)


def _contract_ids(path: Path) -> list[str]:
    """The ids of the contracts, when every contract has one (INI sections always do)."""
    import configparser
    import tomllib

    text = path.read_text(encoding="utf-8")
    if path.name.endswith(".toml"):
        contracts = tomllib.loads(text).get("tool", {}).get("importlinter", {}).get("contracts", [])
        ids = [c.get("id") for c in contracts]
        return [str(i) for i in ids] if ids and all(ids) else []
    parser = configparser.ConfigParser()
    try:
        parser.read_string(text)
    except configparser.Error:
        return []
    return [name.split(":")[-1] for name in parser.sections() if name.startswith("importlinter:")]


# -- converted contracts -----------------------------------------------------------------------------


def converted_differences(root: Path, config: str, stats: Stats | None = None) -> list[str]:
    """Convert the configuration to an archguard contract, check it, and compare each contract's
    verdict with import-linter's. Contracts that import-linter cannot check (configuration
    errors, unmatched ignored imports with alerting = error) and those the conversion notes as
    not expressible with a different verdict are left out."""
    from archguard.contract.loading import load_contract
    from archguard.engine.pipeline import check
    from archguard.importlinter.convert import convert_importlinter

    cwd = os.getcwd()
    os.chdir(root)
    try:
        try:
            loaded = load_importlinter(root / config)
        except ContractError:
            return []
        assert loaded.importlinter is not None
        conversion = convert_importlinter(loaded, root)
        (root / "archguard.toml").write_text(conversion.text, encoding="utf-8")
        result = check(load_contract(root / "archguard.toml"), RunOptions(jobs=1, use_cache=False))
    finally:
        os.chdir(cwd)
    broken_rules = {f.rule_name for f in result.findings if f.severity == "error"}
    unexpressible = {note.split('"')[1] for note in conversion.notes if "archguard does not" in note}
    problems = []
    server = oracle()
    for contract in loaded.importlinter.contracts:
        if contract.name in unexpressible:
            continue
        answer = server.ask(root, config, contract.id) if contract.id else None
        if answer is None or "error" in answer:
            continue
        (theirs,) = answer["contracts"]
        broken = any(name in broken_rules for name in conversion.rule_names.get(contract.name, []))
        if stats is not None:
            stats.contracts += 1
            stats.broken += broken
        if broken == theirs["kept"]:
            rules = conversion.rule_names.get(contract.name, [])
            problems.append(
                f'converted contract "{contract.name}" (rules {rules}): import-linter says {"KEPT" if theirs["kept"] else "BROKEN"}, '
                f"archguard on the converted contract {'BROKEN' if broken else 'KEPT'}"
            )
    return problems
