"""How rule entries name what they are about: components, tags and external packages.

- ``billing``: a component.
- ``tag:type:domain``, or the bare ``key:value`` form ``type:domain``: every component whose
  ``tags`` list holds that tag (``tag:NAME`` for tags without a colon).
- ``external:django``: a third-party package (or a standard-library module);
  ``external:django.db``: that module and its submodules only, matched against the full
  dotted name each import asks for; ``external:stdlib``: the whole standard library;
  ``external:stdlib:subprocess``: one standard-library module (the name is checked).

Pure functions of the entry text and the contract; the graph and the rules use them.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass

from archguard.contract.models import AcyclicRule, ComponentConfig, Contract, ForbiddenRule
from archguard.contract.patterns import ModulePattern, PatternError

EXTERNAL = "external:"
STDLIB_GROUP = "stdlib"
STDLIB_MODULES = frozenset(sys.stdlib_module_names) | {"_typeshed"}  # as archguard.analysis.resolve.STDLIB
TAG_PREFIX = "tag:"
_MODULE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
# The bare form of a tag: "key:value", letters, digits, '_' and '-' on both sides (other tags: "tag:NAME").
_BARE_TAG = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*:[A-Za-z0-9_][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class ExternalTarget:
    """``external:...`` in a rule: a package outside the analysed code, or part of one."""

    text: str
    module: str | None  # the dotted module named ("django.db"); None for the whole standard library

    @classmethod
    def parse(cls, entry: str) -> ExternalTarget:
        """Raises ValueError with a message for people when the entry is malformed."""
        name = entry.removeprefix(EXTERNAL).strip()
        if not name:
            raise ValueError("expected a package name after 'external:' (e.g. 'external:django.db', 'external:stdlib')")
        if name == STDLIB_GROUP:
            return cls(entry, None)
        if name.startswith(STDLIB_GROUP + ":"):
            name = name[len(STDLIB_GROUP) + 1 :].strip()
            if not _MODULE_NAME.match(name):
                raise ValueError(f"{entry!r}: expected a module name after 'external:stdlib:'")
            if name.split(".")[0] not in STDLIB_MODULES:
                raise ValueError(f"{entry!r}: {name.split('.')[0]!r} is not a standard-library module of Python {sys.version_info[0]}.{sys.version_info[1]}")
            return cls(entry, name)
        if not _MODULE_NAME.match(name):
            raise ValueError(f"{entry!r}: expected a dotted module name after 'external:' (e.g. 'external:django.db')")
        return cls(entry, name)

    @property
    def top(self) -> str | None:
        """The top-level package (the graph node is ``external:<top>``); None for the stdlib group."""
        return self.module.split(".")[0] if self.module is not None else None

    @property
    def whole_package(self) -> bool:
        """True when every import of its graph node(s) is meant, not only some submodules."""
        return self.module is None or "." not in self.module

    def covers_node(self, node: str) -> bool:
        """True when the graph node ``external:<top>`` is (partly) what this entry names."""
        if not node.startswith(EXTERNAL):
            return False
        top = node[len(EXTERNAL) :]
        return top in STDLIB_MODULES if self.module is None else top == self.top

    def matches(self, requested: str) -> bool:
        """True when an import asking for the dotted module ``requested`` is what this entry names."""
        if self.module is None:
            return requested.split(".")[0] in STDLIB_MODULES
        return requested == self.module or requested.startswith(self.module + ".")


def partial_external_nodes(targets: list[ExternalTarget], nodes: list[str]) -> frozenset[tuple[str, str]]:
    """(node, module) pairs for graph nodes that the targets name only in part (``external:django.db``
    but not ``external:django``): only imports of those modules count on edges into the node."""
    pairs: set[tuple[str, str]] = set()
    for node in nodes:
        covering = [t for t in targets if t.covers_node(node)]
        if covering and not any(t.whole_package for t in covering):
            pairs.update((node, t.module) for t in covering if t.module is not None)
    return frozenset(pairs)


# --- components and tags ---------------------------------------------------------------------


def is_tag_reference(entry: str) -> bool:
    """``tag:NAME`` or the bare ``key:value`` form."""
    return entry.startswith(TAG_PREFIX) or bool(_BARE_TAG.match(entry))


def tag_name(entry: str) -> str:
    return entry[len(TAG_PREFIX) :] if entry.startswith(TAG_PREFIX) else entry


def components_by_tag(components: Mapping[str, ComponentConfig]) -> dict[str, tuple[str, ...]]:
    """tag -> the components carrying it, in declaration order."""
    tags: dict[str, list[str]] = {}
    for name, component in components.items():
        for tag in component.tags:
            tags.setdefault(tag, [])
            if name not in tags[tag]:
                tags[tag].append(name)
    return {tag: tuple(names) for tag, names in tags.items()}


class UnknownReference(ValueError):
    """A rule names a component or tag that the contract does not declare."""


def expand(entry: str, components: Mapping[str, ComponentConfig]) -> tuple[str, ...]:
    """The components a rule entry names: itself, or every component carrying the tag.

    Raises :class:`UnknownReference` (with the known names) for an unknown component or tag.
    """
    if entry in components:
        return (entry,)
    if is_tag_reference(entry):
        tags = components_by_tag(components)
        tag = tag_name(entry)
        if tag in tags:
            return tags[tag]
        known = ", ".join(sorted(tags)) or "no component has tags"
        raise UnknownReference(f"no component has the tag {tag!r} (tags: {known})")
    listed = ", ".join(sorted(components)) or "none declared"
    raise UnknownReference(f"unknown component {entry!r} (known components: {listed})")


def expand_all(entries: list[str], components: Mapping[str, ComponentConfig]) -> tuple[str, ...]:
    """The components several entries name, each once, in the order they are first named."""
    found: dict[str, None] = {}
    for entry in entries:
        for name in expand(entry, components):
            found.setdefault(name)
    return tuple(found)


def referenced_packages(contract: Contract) -> set[str]:
    """The top-level packages the contract's module patterns name (``shop`` for ``shop.api``)."""
    texts: list[str] = []
    for component in contract.components.values():
        texts += component.modules + component.public
    for rule in contract.rules:
        if isinstance(rule, ForbiddenRule):
            entries = rule.from_ + rule.to
            texts += [e.removeprefix("module:") for e in entries if not e.startswith(EXTERNAL) and (e.startswith("module:") or "." in e or "*" in e)]
        elif isinstance(rule, AcyclicRule) and rule.scope != "components":
            texts.append(rule.scope)
    tops = set()
    for text in texts:
        try:
            first = ModulePattern.parse(text).segments[0]
        except PatternError:
            continue
        if not any(c in first for c in "*?["):
            tops.add(first)
    return tops
