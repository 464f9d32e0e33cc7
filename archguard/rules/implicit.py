"""Rules that every run applies, configured by the contract's other sections."""

from __future__ import annotations

from collections.abc import Iterator

from archguard.findings import Finding
from archguard.rules.base import Rule, RuleContext


class ParseErrorRule(Rule):
    """A file could not be analysed (syntax error, undecodable bytes, unreadable file).

    Why: archguard cannot see the imports of a file it cannot parse, so a violation could
    hide there; the run goes on with every other file.
    Fix: fix the syntax error or the file's encoding, or exclude the file in [project] exclude.
    Breaks:
    # shop/api/export.py
    def export(orders:
        return [order.id for order in orders]
    """

    kind = "parse-error"
    implicit = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for module in sorted(ctx.facts):
            problem = ctx.facts[module].problem
            if problem is None:
                continue
            remedy = f"fix the file, or leave it out with \"{ctx.paths[module]}\" in [project] exclude" if module in ctx.paths else PARSE_REMEDY
            yield Finding(
                rule=self.kind,
                rule_name=self.name,
                kind="parse-error",
                severity=self.severity,
                message=f"{module}: {problem.message}",
                path=ctx.paths.get(module),
                line=problem.line,
                column=problem.column,
                end_line=problem.line,
                importer=module,
                remedy=remedy,
                fix=self.remedy("fix-file", remedy, reason="archguard cannot see the imports of a file it cannot parse"),
                identity=(module,),
            )


PARSE_REMEDY = "fix the syntax error or the file's encoding, or exclude the file in [project] exclude"
DISCOVERY_REMEDY = "remove or repair the entry, or exclude it in [project] exclude"


class DiscoveryRule(Rule):
    """A file or folder under the source roots could not be used (broken symlink, loop, FIFO...).

    Also a folder whose name is no package name (``order-views/``): no import statement can
    reach the files in it, and two files that claim one module name.

    Why: a skipped file is code archguard did not check; it is reported, never skipped silently.
    Fix: remove or repair the entry, or exclude it in [project] exclude.
    Breaks:
    # shop/api/order-views/handlers.py
    from shop.infra.db import execute
    """

    kind = "discovery"
    implicit = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for problem in ctx.discovery_problems:
            yield Finding(
                rule=self.kind,
                rule_name=self.name,
                kind=problem.kind,
                severity="error" if problem.kind == "unreadable" else self.severity,
                message=problem.message,
                path=problem.relpath,
                remedy=DISCOVERY_REMEDY,
                fix=self.remedy("fix-file", DISCOVERY_REMEDY, reason="a file archguard skips is code it does not check"),
                identity=(problem.relpath, problem.kind),
            )


UNMAPPED_REMEDY = "add it to a component's 'modules' in the contract, or exclude it in [project] exclude"


class UnmappedRule(Rule):
    """A module belongs to no component.

    Its level is ``[drift] unmapped`` (``"error"``, ``"warning"`` or ``"off"``).

    Why: code outside every component is outside every rule: the contract no longer covers
    the codebase, and new code there is never checked.
    Fix: add the module to a component's modules, or exclude it in [project] exclude.
    Example:
    [drift]
    unmapped = "error"
    Breaks:
    # shop/reports/__init__.py
    # shop/reports/export.py
    from shop.orders import service
    """

    kind = "unmapped"
    implicit = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if not ctx.contract.components:
            return
        for module in ctx.components.unmapped:
            yield Finding(
                rule=self.kind,
                rule_name=self.name,
                kind="unmapped",
                severity=self.severity,
                message=f"{module} is not in any component",
                path=ctx.paths.get(module),
                line=1,
                column=1,
                end_line=1,
                importer=module,
                remedy=self._remedy(module, ctx),
                fix=self.remedy("add-to-contract", self._remedy(module, ctx), reason="code outside every component is outside every rule"),
                identity=(module,),
            )

    @staticmethod
    def _remedy(module: str, ctx: RuleContext) -> str:
        """Name the widest package that is entirely unmapped: one component can cover all of it."""
        mapped = [m for m, component in ctx.components.component_of.items() if component is not None]
        parts = module.split(".")
        package = module
        for depth in range(1, len(parts) + 1):
            prefix = ".".join(parts[:depth])
            if not any(m == prefix or m.startswith(prefix + ".") for m in mapped):
                package = prefix
                break
        name = package.rsplit(".", 1)[-1]
        if name in ctx.contract.components:
            name = package.replace(".", "_")
        return f'add it to a component, e.g. {name} = {{ modules = ["{package}"] }} in [components], or exclude it in [project] exclude'
