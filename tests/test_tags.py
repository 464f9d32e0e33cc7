"""Tags on components, and rules written over tags (as Nx does for TypeScript monorepos)."""

from __future__ import annotations

from pathlib import Path

import pytest

from archguard.base.errors import ContractError
from archguard.contract.selectors import expand, is_tag_reference
from archguard.contract.validate import parse_layer
from tests.helpers import make_project, run_check, summary

FILES: dict[str, str | bytes] = {
    "mono/__init__.py": "",
    "mono/orders_domain/__init__.py": "from mono.shared_util import slugify\ndef slug(): ...\n",
    "mono/billing_domain/__init__.py": "from mono.orders_domain import slug\ndef charge(): ...\n",
    "mono/shared_util/__init__.py": "def slugify(): ...\n",
    "mono/orders_api/__init__.py": "from mono.orders_domain import slug\n",
    "mono/billing_api/__init__.py": "from mono.billing_domain import charge\n",
}

COMPONENTS = """
[project]
packages = ["mono"]

[components]
root           = { modules = ["mono:*"] }
orders-domain  = { modules = ["mono.orders_domain"], tags = ["type:domain", "scope:orders"] }
billing-domain = { modules = ["mono.billing_domain"], tags = ["type:domain", "scope:billing"] }
util           = { modules = ["mono.shared_util"], tags = ["type:util", "scope:shared"] }
orders-api     = { modules = ["mono.orders_api"], tags = ["type:api", "scope:orders"] }
billing-api    = { modules = ["mono.billing_api"], tags = ["type:api", "scope:billing"] }
"""


def findings(tmp_path: Path, rules: str, **changes: str) -> list[tuple[str, str, str | None, str | None, int]]:
    return summary(run_check(make_project(tmp_path, {**FILES, **changes}, COMPONENTS + rules)).findings)


def contract_error(tmp_path: Path, rules: str) -> ContractError:
    with pytest.raises(ContractError) as caught:
        run_check(make_project(tmp_path, FILES, COMPONENTS + rules))
    return caught.value


def test_tag_references_and_their_expansion() -> None:
    assert is_tag_reference("type:domain") and is_tag_reference("tag:core") and is_tag_reference("tag:team.a")
    assert not is_tag_reference("orders") and not is_tag_reference("shop:*") and not is_tag_reference("shop.api:Invoice")
    from archguard.contract.models import ComponentConfig

    components = {"a": ComponentConfig(modules=["x"], tags=["type:domain", "core"]), "b": ComponentConfig(modules=["y"], tags=["type:domain"])}
    assert expand("type:domain", components) == ("a", "b")
    assert expand("tag:core", components) == ("a",)
    assert expand("b", components) == ("b",)


ALLOWED_BY_TAG = """
[[rules]]
kind = "allowed"
from = "type:domain"
to = ["type:domain", "type:util"]
"""


def test_allowed_over_tags_kept(tmp_path: Path) -> None:
    assert findings(tmp_path, ALLOWED_BY_TAG) == []


def test_allowed_over_tags_broken(tmp_path: Path) -> None:
    result = run_check(make_project(tmp_path, {**FILES, "mono/orders_domain/__init__.py": "from mono.orders_api import x\n"}, COMPONENTS + ALLOWED_BY_TAG))
    assert summary(result.findings) == [("allowed", "not-allowed", "mono.orders_domain", "mono.orders_api", 1)]
    finding = result.findings[0]
    assert "orders-domain (type:domain) may depend on type:domain, type:util, not on orders-api" in finding.message
    assert finding.structured_remedy.kind == "remove-import"


def test_allow_table_keys_and_values_may_be_tags_and_every_matching_key_applies(tmp_path: Path) -> None:
    rules = """
[[rules]]
kind = "allowed"
[rules.allow]
"type:domain" = ["type:domain", "type:util"]
"scope:billing" = ["scope:billing", "scope:shared"]
"""
    # billing-domain imports orders-domain: allowed by type:domain, refused by scope:billing.
    assert findings(tmp_path, rules) == [("allowed", "not-allowed", "mono.billing_domain", "mono.orders_domain", 1)]


def test_layers_over_tags(tmp_path: Path) -> None:
    rules = '\n[[rules]]\nkind = "layers"\nlayers = ["type:api", "type:domain", "tag:type:util"]\n'
    assert findings(tmp_path, rules) == []
    broken = findings(tmp_path / "b", rules, **{"mono/shared_util/__init__.py": "from mono.orders_api import x\n"})
    assert broken == [("layers", "direct", "mono.shared_util", "mono.orders_api", 1)]


def test_independent_siblings_in_a_layer_of_tags(tmp_path: Path) -> None:
    rules = '\n[[rules]]\nkind = "layers"\nlayers = ["type:api", "orders-domain | billing-domain", "type:util"]\n'
    assert findings(tmp_path, rules) == [("layers", "direct", "mono.billing_domain", "mono.orders_domain", 1)]


def test_independent_and_boundaries_and_forbidden_over_tags(tmp_path: Path) -> None:
    independent = '\n[[rules]]\nkind = "independent"\ncomponents = ["type:api"]\n'
    changes = {"mono/orders_api/__init__.py": "from mono.billing_api import x\n"}
    assert findings(tmp_path / "i", independent, **changes) == [("independent", "direct", "mono.orders_api", "mono.billing_api", 1)]
    forbidden = '\n[[rules]]\nkind = "forbidden"\nfrom = ["type:util"]\nto = ["type:domain"]\n'
    changes = {"mono/shared_util/__init__.py": "from mono.billing_domain import x\n"}
    assert findings(tmp_path / "f", forbidden, **changes) == [("forbidden", "direct", "mono.shared_util", "mono.billing_domain", 1)]
    boundaries = '\n[[rules]]\nkind = "boundaries"\ncomponents = ["scope:shared"]\n'
    assert [f[:2] for f in findings(tmp_path / "b", boundaries)] == [("boundaries", "internal-import")]


@pytest.mark.parametrize(
    ("rules", "key", "message"),
    [
        ('\n[[rules]]\nkind = "allowed"\nfrom = "type:domian"\nto = ["type:util"]\n', "rules[0].from", "no component has the tag 'type:domian'"),
        (
            '\n[[rules]]\nkind = "allowed"\n[rules.allow]\n"type:domain" = ["type:utl"]\n',
            'rules[0].allow."type:domain"[0]',
            "no component has the tag 'type:utl'",
        ),
        ('\n[[rules]]\nkind = "layers"\nlayers = ["type:api", "tag:nope"]\n', "rules[0].layers[1]", "no component has the tag 'nope'"),
        ('\n[[rules]]\nkind = "independent"\ncomponents = ["scope:nowhere"]\n', "rules[0].components[0]", "no component has the tag"),
        ('\n[[rules]]\nkind = "forbidden"\nfrom = ["type:x"]\nto = ["util"]\n', "rules[0].from[0]", "no component has the tag 'type:x'"),
        ('\n[[rules]]\nkind = "allowed"\nfrom = "type:domain"\n', "rules[0].from", "'to' is missing"),
        ('\n[[rules]]\nkind = "independent"\ncomponents = ["type:util"]\n', "rules[0].components", "at least two components"),
    ],
)
def test_unknown_tags_and_malformed_tag_rules_are_errors_naming_the_key(tmp_path: Path, rules: str, key: str, message: str) -> None:
    error = contract_error(tmp_path, rules)
    assert error.key == key
    assert message in error.message
    assert error.line is not None


def test_the_error_lists_the_known_tags(tmp_path: Path) -> None:
    error = contract_error(tmp_path, '\n[[rules]]\nkind = "boundaries"\ncomponents = ["type:nope"]\n')
    assert "(tags: scope:billing, scope:orders, scope:shared, type:api, type:domain, type:util)" in error.message


def test_a_tag_with_spaces_is_an_error(tmp_path: Path) -> None:
    contract = COMPONENTS.replace('tags = ["type:util", "scope:shared"]', 'tags = ["type util"]')
    with pytest.raises(ContractError) as caught:
        run_check(make_project(tmp_path, FILES, contract))
    assert caught.value.key == "components.util.tags[0]"


def test_layer_entries_keep_their_old_meaning() -> None:
    assert parse_layer("a | b").components == ("a", "b") and parse_layer("a | b").independent
    assert parse_layer("a : b").components == ("a", "b") and not parse_layer("a : b").independent
    assert parse_layer("type:domain").components == ("type:domain",)
    assert parse_layer("type:api | type:domain").components == ("type:api", "type:domain")
    from archguard.contract.models import ComponentConfig

    components = {"a": ComponentConfig(modules=["x"]), "b": ComponentConfig(modules=["y"])}
    assert parse_layer("a:b", components).components == ("a", "b")  # two components, as before tags
    with pytest.raises(ValueError, match="mixes"):
        parse_layer("a | b : c")
