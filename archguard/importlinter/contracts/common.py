"""What every import-linter contract rule shares: its graph, ignored imports, findings."""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import pairwise
from typing import Any, ClassVar

from archguard.analysis.graph import ModuleGraph
from archguard.base.errors import ContractError
from archguard.findings import Finding, Hop, Remedy, site_finding
from archguard.importlinter.config import ContractBase, ModuleExpression, SessionOptions
from archguard.importlinter.contracts.graph import ContractGraph, session_view
from archguard.rules.base import Rule, RuleContext

# The session's graph in import-linter's terms, built once per module graph (and dropped with it).
_BASE_GRAPHS: weakref.WeakKeyDictionary[ModuleGraph, dict[bool, ContractGraph]] = weakref.WeakKeyDictionary()


class ImportLinterRule(Rule):
    """Base of the rules that check one import-linter contract each.

    Subclasses implement :meth:`check_contract` on a :class:`ContractGraph` from which the
    contract's ``ignore_imports`` are already removed.
    """

    reports_verdict = True
    contract_type: ClassVar[str]

    def __init__(self, config: ContractBase, index: int = 0, *, session: SessionOptions, name: str | None = None) -> None:
        super().__init__(config, index, name=name or config.name, severity="error")
        self.contract: Any = config
        self.session = session
        self.ignored_import_count = 0
        # (the context of this rule's last check, and what it found: what the dynamic-import
        # check compares with, without checking the contract once more)
        self.own_findings: tuple[RuleContext, tuple[Finding, ...]] | None = None

    @property
    def description(self) -> str | None:
        guidance: str | None = self.contract.broken_contract_guidance
        return guidance

    @property
    def contract_id(self) -> str | None:
        contract_id: str | None = self.contract.id
        return contract_id

    def error(self, field: str | None, message: str) -> ContractError:
        error: ContractError = self.contract.error(field, message)
        return error

    # -- the template ---------------------------------------------------------------------------
    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        graph = self.contract_graph(ctx)
        self.prepare(graph)
        findings = list(self.remove_ignored_imports(graph))
        if not any(f.severity == "error" for f in findings):
            # (else import-linter stops at an unmatched ignored import (alerting = error) before
            # it checks anything else; the contract is broken and not checked further)
            findings.extend(self.check_contract(ctx, graph))
        self.own_findings = (ctx, tuple(findings))
        yield from findings

    def prepare(self, graph: ContractGraph) -> None:
        """Checks import-linter makes before it removes ignored imports (raise ContractError)."""

    def check_contract(self, ctx: RuleContext, graph: ContractGraph) -> Iterable[Finding]:
        raise NotImplementedError

    def contract_graph(self, ctx: RuleContext) -> ContractGraph:
        """This contract's copy of the session's graph (built once per run, copied per contract)."""
        exclude_type_checking = self.session.exclude_type_checking_imports
        built = _BASE_GRAPHS.setdefault(ctx.graph, {})
        if exclude_type_checking not in built:
            built[exclude_type_checking] = ContractGraph.from_view(session_view(ctx.graph, exclude_type_checking))
        return built[exclude_type_checking].copy()

    def remove_ignored_imports(self, graph: ContractGraph) -> Iterator[Finding]:
        """Remove the contract's ignored imports; unmatched expressions are reported as configured."""
        removed: set[tuple[str, str]] = set()
        unmatched = []
        for expression in self.contract.ignore_imports:
            matched = graph.matching_imports(expression)
            if matched:
                removed.update(matched)
            else:
                unmatched.append(expression)
        for importer, imported in sorted(removed):
            graph.remove_import(importer, imported)
        self.ignored_import_count = len(removed)
        level = self.contract.unmatched_ignore_imports_alerting
        if level == "none":
            return
        origin = self.contract.origin
        for expression in unmatched:
            yield Finding(
                rule=self.kind,
                rule_name=self.name,
                kind="unmatched-ignore",
                severity="error" if level == "error" else "warning",
                message=f"no matches for ignored import {expression}",
                path=origin.file,
                line=origin.field_lines.get("ignore_imports", origin.line or 0),
                column=1,
                end_line=origin.field_lines.get("ignore_imports", origin.line or 0),
                remedy="remove the expression from ignore_imports, or fix its module names if the code moved "
                "(or set unmatched_ignore_imports_alerting = warn / none)",
                identity=("unmatched-ignore", str(expression)),
            )

    # -- module expressions -------------------------------------------------------------------------
    def expand(
        self,
        graph: ContractGraph,
        expressions: Iterable[ModuleExpression],
        field: str,
        *,
        as_packages: bool = False,
        must_exist: bool = False,
    ) -> set[str]:
        """Modules named by expressions (import-linter's ``module_expressions_to_modules``)."""
        modules: set[str] = set()
        for expression in expressions:
            matched = graph.matching(expression)
            if must_exist:
                if expression.has_wildcard and not matched:
                    raise self.error(field, f"the expression {expression.text!r} did not match any modules")
                if not expression.has_wildcard and expression.text not in graph.modules:
                    raise self.error(field, f"module {expression.text!r} does not exist")
            found = set(matched)
            if as_packages:
                for module in matched:
                    self.require(graph, module, field)
                    found.update(graph.descendants(module))
            modules |= found
        return modules

    def require(self, graph: ContractGraph, module: str, field: str) -> None:
        if module not in graph.modules:
            raise self.error(field, f"module {module!r} does not exist")

    # -- findings -------------------------------------------------------------------------------------
    @staticmethod
    def where(graph: ContractGraph, importer: str, imported: str) -> str:
        """``path:line`` of the first import of ``importer -> imported``, for messages."""
        sites = graph.sites(importer, imported)
        return f"{sites[0].path}:{sites[0].line}" if sites else "?"

    def direct_findings(
        self,
        graph: ContractGraph,
        importer: str,
        imported: str,
        message: str,
        *,
        details: tuple[tuple[str, str], ...] = (),
        identity_extra: tuple[str, ...] = (),
        fix: Remedy | None = None,
    ) -> Iterator[Finding]:
        """One finding per import statement behind the edge ``importer -> imported``."""
        for site in graph.sites(importer, imported):
            finding = site_finding(
                rule=self.kind,
                rule_name=self.name,
                kind="direct",
                severity=self.severity,
                message=message,
                site=site,
                imported=graph.node_of[imported],
                fix=fix or self.review(message),
                identity_extra=identity_extra,
            )
            yield replace(finding, details=details) if details else finding

    def chain_finding(
        self,
        graph: ContractGraph,
        chain: list[str],
        message: str,
        *,
        details: tuple[tuple[str, str], ...] = (),
        identity_extra: tuple[str, ...] = (),
        fix: Remedy | None = None,
    ) -> Finding:
        """A finding for a chain of imports, located at its first import, with every hop."""
        hops = tuple(Hop.from_site(graph.sites(a, b)[0]) for a, b in pairwise(chain))
        head = graph.sites(chain[0], chain[1])[0]
        finding = site_finding(
            rule=self.kind,
            rule_name=self.name,
            kind="indirect",
            severity=self.severity,
            message=message,
            site=head,
            chain=hops,
            imported=graph.node_of[chain[-1]],
            fix=fix or self.review(message),
            identity_extra=(*chain[1:-1], *identity_extra),
        )
        return replace(finding, details=details) if details else finding


    def review(self, message: str) -> Remedy:
        """The remedy of a finding no contract type has a better one for: the contract's guidance."""
        if self.description:
            return self.remedy("review", self.description.strip())
        return self.remedy("review", f"change the import so that the contract holds: {message}")


def is_in_package(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")
