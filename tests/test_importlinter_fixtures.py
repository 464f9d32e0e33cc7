"""Hand-written differential fixtures: one or more per import-linter contract type and option.

Every fixture is a small package and a configuration; import-linter (the oracle) and archguard
must build the same graph and give the same verdict, warnings and illegal imports/chains for
every contract (tests/importlinter_oracle.py). A selection also runs the real ``lint-imports``
command next to ``archguard check`` and compares their KEPT/BROKEN lines and exit codes.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.helpers import run_cli, write_tree
from tests.importlinter_oracle import Stats, differential, lint_imports_verdicts, run_lint_imports

LAYERED = {
    "pkg/__init__.py": "",
    "pkg/high/__init__.py": "",
    "pkg/high/views.py": "from pkg.mid import services\n",
    "pkg/mid/__init__.py": "",
    "pkg/mid/services.py": "from pkg.low import models\n",
    "pkg/low/__init__.py": "",
    "pkg/low/models.py": "from pkg import utils\n",
    "pkg/low/direct.py": "def render():\n    from pkg.high.views import thing\n",
    "pkg/utils.py": "import pkg.high.views\n",
}

FIXTURES: dict[str, tuple[dict[str, str], str]] = {
    "layers-direct-and-indirect": (
        LAYERED,
        """
        [importlinter]
        root_package = pkg

        [importlinter:contract:layers]
        name = Layers
        type = layers
        layers =
            pkg.high
            pkg.mid
            pkg.low
        """,
    ),
    "layers-main-block-counts-as-import-linter-counts-it": (
        {
            "pkg/__init__.py": "",
            "pkg/high/__init__.py": "",
            "pkg/high/views.py": "from pkg.low import models\n",
            "pkg/low/__init__.py": "",
            "pkg/low/models.py": 'VALUE = 1\n\nif __name__ == "__main__":\n    from pkg.high import views\n',
        },
        """
        [importlinter]
        root_package = pkg

        [importlinter:contract:layers]
        name = Layers with a demo block
        type = layers
        layers =
            pkg.high
            pkg.low
        """,
    ),
    "layers-containers-optional-exhaustive": (
        {
            "pkg/__init__.py": "",
            "pkg/one/__init__.py": "",
            "pkg/one/api.py": "from pkg.one import domain\n",
            "pkg/one/domain.py": "from pkg.one.api import x\nfrom pkg.two.api import y\n",
            "pkg/one/extra.py": "",
            "pkg/one/utils.py": "",
            "pkg/two/__init__.py": "",
            "pkg/two/api.py": "from pkg.two.domain import z\n",
            "pkg/two/domain.py": "import pkg.one.api\n",
            "pkg/two/infra.py": "from . import api\n",
        },
        """
        [importlinter]
        root_package = pkg

        [importlinter:contract:containers]
        name = Layers in every feature
        type = layers
        containers =
            pkg.one
            pkg.two
        layers =
            api
            domain
            (infra)
        exhaustive = true
        exhaustive_ignores =
            utils
        """,
    ),
    "layers-siblings-independent-and-not": (
        {
            "pkg/__init__.py": "",
            "pkg/top.py": "",
            "pkg/blue.py": "import pkg.green\n",
            "pkg/green.py": "",
            "pkg/red.py": "import pkg.yellow\n",
            "pkg/yellow.py": "import pkg.red\n",
            "pkg/base.py": "import pkg.top\n",
        },
        """
        [importlinter]
        root_package = pkg

        [importlinter:contract:siblings]
        name = Siblings
        type = layers
        layers =
            pkg.top
            pkg.blue | pkg.green
            pkg.red : pkg.yellow
            pkg.base
        """,
    ),
    "layers-chains-through-other-layers-do-not-count": (
        {
            "pkg/__init__.py": "",
            "pkg/high.py": "",
            "pkg/mid.py": "import pkg.high\n",
            "pkg/low.py": "import pkg.mid\nimport pkg.helper\n",
            "pkg/helper.py": "import pkg.high\n",
        },
        """
        [importlinter]
        root_package = pkg

        [importlinter:contract:layers]
        name = Layers
        type = layers
        layers =
            pkg.high
            pkg.mid
            pkg.low
        """,
    ),
    "forbidden-external-packages": (
        {
            "pkg/__init__.py": "",
            "pkg/domain/__init__.py": "",
            "pkg/domain/model.py": "from django.db import models\nimport pkg.adapters\n",
            "pkg/adapters.py": "import requests.sessions\nimport os.path\n",
        },
        """
        [importlinter]
        root_package = pkg
        include_external_packages = True

        [importlinter:contract:pure]
        name = Pure domain
        type = forbidden
        source_modules = pkg.domain
        forbidden_modules =
            django
            requests
            sqlalchemy
        """,
    ),
    "forbidden-allow-indirect-and-as-packages": (
        {
            "pkg/__init__.py": "",
            "pkg/a/__init__.py": "import pkg.c\n",
            "pkg/a/inner.py": "from pkg.b import inner\n",
            "pkg/b/__init__.py": "",
            "pkg/b/inner.py": "",
            "pkg/c.py": "import pkg.b\n",
        },
        """
        [importlinter]
        root_package = pkg

        [importlinter:contract:indirect-allowed]
        name = Direct only
        type = forbidden
        source_modules = pkg.a
        forbidden_modules = pkg.b
        allow_indirect_imports = True

        [importlinter:contract:modules-only]
        name = Modules only
        type = forbidden
        source_modules = pkg.a
        forbidden_modules = pkg.b
        as_packages = False

        [importlinter:contract:packages]
        name = Packages
        type = forbidden
        source_modules = pkg.a
        forbidden_modules = pkg.b
        """,
    ),
    "forbidden-wildcards-and-overlap": (
        {
            "pkg/__init__.py": "",
            "pkg/one/__init__.py": "",
            "pkg/one/x.py": "import pkg.two\nimport pkg.one.y\n",
            "pkg/one/y.py": "",
            "pkg/two/__init__.py": "",
            "pkg/three.py": "import pkg.one\n",
        },
        """
        [importlinter]
        root_package = pkg

        [importlinter:contract:siblings]
        name = No siblings
        type = forbidden
        source_modules = pkg.one
        forbidden_modules = pkg.*

        [importlinter:contract:descendants]
        name = No descendants
        type = forbidden
        source_modules = pkg.one
        forbidden_modules = pkg.one.**
        as_packages = false
        """,
    ),
    "independence-with-wildcard": (
        {
            "pkg/__init__.py": "",
            "pkg/features/__init__.py": "",
            "pkg/features/orders.py": "from pkg.shared import money\n",
            "pkg/features/billing.py": "from pkg.features import orders\n",
            "pkg/features/search.py": "import pkg.glue\n",
            "pkg/glue.py": "import pkg.features.billing\n",
            "pkg/shared.py": "",
        },
        """
        [importlinter]
        root_package = pkg

        [importlinter:contract:independent]
        name = Independent features
        type = independence
        modules = pkg.features.*
        """,
    ),
    "protected-packages-modules-and-externals": (
        {
            "pkg/__init__.py": "",
            "pkg/models/__init__.py": "",
            "pkg/models/user.py": "from pkg.models import base\n",
            "pkg/models/base.py": "",
            "pkg/repository.py": "from pkg.models.user import User\nimport boto3\n",
            "pkg/views.py": "from pkg.models import user\nimport boto3.session\n",
            "pkg/colors/__init__.py": "",
            "pkg/colors/red.py": "import pkg.models\n",
        },
        """
        [importlinter]
        root_package = pkg
        include_external_packages = True

        [importlinter:contract:models]
        name = Models behind the repository
        type = protected
        protected_modules = pkg.models
        allowed_importers =
            pkg.repository
            pkg.colors.*

        [importlinter:contract:exact]
        name = Exact module only
        type = protected
        protected_modules = pkg.models
        allowed_importers = pkg.repository
        as_packages = False

        [importlinter:contract:boto]
        name = Boto via the repository
        type = protected
        protected_modules = boto3
        allowed_importers = pkg.repository
        """,
    ),
    "private-modules": (
        {
            "pkg/__init__.py": "",
            "pkg/_internal.py": "",
            "pkg/green/__init__.py": "from pkg.green import _private\n",
            "pkg/green/_private/__init__.py": "",
            "pkg/green/_private/red.py": "",
            "pkg/green/public.py": "from pkg.green._private import red\n",
            "pkg/blue.py": "import pkg.green._private.red\nimport pkg._internal\nimport pkg.__main__\n",
            "pkg/__main__.py": "",
        },
        """
        [importlinter]
        root_package = pkg

        [importlinter:contract:everywhere]
        name = Private everywhere
        type = private_modules

        [importlinter:contract:green]
        name = Private in blue only
        type = private_modules
        packages_with_private_modules = pkg.blue
        """,
    ),
    "acyclic-siblings-depth-and-skip": (
        {
            "pkg/__init__.py": "",
            "pkg/blue/__init__.py": "",
            "pkg/blue/one.py": "import pkg.blue.two\nimport pkg.green\n",
            "pkg/blue/two.py": "import pkg.blue.one\n",
            "pkg/green/__init__.py": "",
            "pkg/green/deep.py": "import pkg.red.deep\n",
            "pkg/red/__init__.py": "",
            "pkg/red/deep.py": "from pkg import blue\n",
            "pkg/red/a.py": "from . import b\n",
            "pkg/red/b.py": "from . import a\n",
        },
        """
        [importlinter]
        root_package = pkg

        [importlinter:contract:all]
        name = Acyclic everywhere
        type = acyclic_siblings
        ancestors = pkg

        [importlinter:contract:top]
        name = Acyclic at the top only
        type = acyclic_siblings
        ancestors = pkg
        depth = 0

        [importlinter:contract:skip]
        name = Acyclic except red
        type = acyclic_siblings
        ancestors = pkg
        skip_descendants = pkg.red
        """,
    ),
    "ignore-imports-wildcards-and-alerting": (
        LAYERED,
        """
        [importlinter]
        root_package = pkg

        [importlinter:contract:ignored]
        name = Layers with exceptions
        type = layers
        layers =
            pkg.high
            pkg.mid
            pkg.low
        ignore_imports =
            pkg.low.* -> pkg.high.views
            pkg.** -> pkg.utils
            pkg.nothing -> pkg.high
        unmatched_ignore_imports_alerting = warn

        [importlinter:contract:quiet]
        name = Quiet unmatched
        type = forbidden
        source_modules = pkg.low
        forbidden_modules = pkg.high
        ignore_imports = pkg.nothing -> pkg.high
        unmatched_ignore_imports_alerting = none

        [importlinter:contract:strict]
        name = Strict unmatched
        type = forbidden
        source_modules = pkg.low
        forbidden_modules = pkg.high
        ignore_imports = pkg.nothing -> pkg.high
        """,
    ),
    "type-checking-imports-excluded": (
        {
            "pkg/__init__.py": "",
            "pkg/low.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.high\nelse:\n    import pkg.other\n",
            "pkg/high.py": "import typing\nif typing.TYPE_CHECKING:\n    from pkg import low\n",
            "pkg/other.py": "",
        },
        """
        [importlinter]
        root_package = pkg
        exclude_type_checking_imports = True

        [importlinter:contract:layers]
        name = Layers
        type = layers
        layers =
            pkg.high
            pkg.low
        """,
    ),
    "tricky-import-forms": (
        {
            "pkg/__init__.py": "from . import helper\nfrom . import *\n",
            "pkg/helper.py": "",
            "pkg/a/__init__.py": "from .b import name_not_module\nfrom ..helper import thing\n",
            "pkg/a/b.py": (
                "from __future__ import annotations\n"
                "import pkg.c.d.e.f\n"
                "from pkg.c import d, not_a_module\n"
                "import importlib\n"
                "importlib.import_module('pkg.high')\n"
                "__import__('pkg.high')\n"
                "class Thing:\n"
                "    import pkg.c\n"
                "def later():\n"
                "    try:\n"
                "        from pkg.gone.module import x\n"
                "    except ImportError:\n"
                "        pass\n"
            ),
            "pkg/c/__init__.py": "",
            "pkg/c/d.py": "from . import *\nimport pkg.c.d as alias\n",
            "pkg/high.py": "",
            "pkg/orphan/mod.py": "import pkg.high\n",
            "pkg/my-script.py": "import pkg.high\n",
            "pkg/some.module.py": "import pkg.high\n",
        },
        """
        [importlinter]
        root_package = pkg
        include_external_packages = True

        [importlinter:contract:high]
        name = Nothing imports high
        type = protected
        protected_modules = pkg.high
        allowed_importers = pkg.helper

        [importlinter:contract:future]
        name = No future
        type = forbidden
        source_modules = pkg.a
        forbidden_modules = __future__

        [importlinter:contract:root]
        name = No root
        type = forbidden
        source_modules = pkg.a.b
        forbidden_modules = pkg.helper
        """,
    ),
    "namespace-root-package": (
        {
            "ns/alpha/__init__.py": "import ns.beta.gamma\n",
            "ns/beta/gamma.py": "from ns import alpha\n",
            "ns/beta/delta/epsilon.py": "import ns.alpha\n",
        },
        """
        [importlinter]
        root_package = ns

        [importlinter:contract:acyclic]
        name = Acyclic namespace
        type = acyclic_siblings
        ancestors = ns

        [importlinter:contract:independent]
        name = Independent portions
        type = independence
        modules =
            ns.alpha
            ns.beta
        """,
    ),
    "namespace-portion-as-root-package": (
        {
            "ns/foo/__init__.py": "",
            "ns/foo/a.py": "import ns.bar.x\nimport ns.foo.sub.y\nfrom ns import other\nimport ns.foo.gone\n",
            "ns/foo/sub/__init__.py": "",
            "ns/foo/sub/y.py": "from ns.foo import a\n",
            "ns/bar/x.py": "",
        },
        """
        [importlinter]
        root_package = ns.foo
        include_external_packages = True

        [importlinter:contract:independent]
        name = Independent
        type = independence
        modules =
            ns.foo.a
            ns.foo.sub

        [importlinter:contract:protected]
        name = Bar only from sub
        type = protected
        protected_modules = ns.bar
        allowed_importers = ns.foo.sub
        """,
    ),
    "multiple-root-packages": (
        {
            "high/__init__.py": "",
            "high/api.py": "import low.db\n",
            "mid/__init__.py": "import high.api\n",
            "low/__init__.py": "",
            "low/db.py": "import mid\n",
        },
        """
        [importlinter]
        root_packages =
            high
            mid
            low

        [importlinter:contract:three-tier]
        name = Three tiers
        type = layers
        layers =
            high
            mid
            low
        """,
    ),
    "errors-missing-modules": (
        LAYERED,
        """
        [importlinter]
        root_package = pkg

        [importlinter:contract:missing-layer]
        name = Missing layer
        type = layers
        layers =
            pkg.high
            pkg.absent

        [importlinter:contract:missing-source]
        name = Missing source
        type = forbidden
        source_modules = pkg.absent
        forbidden_modules = pkg.high

        [importlinter:contract:missing-ancestor]
        name = Missing ancestor
        type = acyclic_siblings
        ancestors = pkg.absent.*

        [importlinter:contract:external-without-flag]
        name = External without flag
        type = forbidden
        source_modules = pkg.low
        forbidden_modules = django
        """,
    ),
}

TOML_FIXTURE = (
    LAYERED,
    """
    [tool.importlinter]
    root_package = "pkg"
    include_external_packages = false

    [[tool.importlinter.contracts]]
    id = "layers"
    name = "Layers (TOML)"
    type = "layers"
    layers = ["pkg.high", "pkg.mid", "pkg.low"]

    [[tool.importlinter.contracts]]
    id = "acyclic"
    name = "Acyclic (TOML)"
    type = "acyclic_siblings"
    ancestors = ["pkg"]
    depth = 2
    """,
)

STATS = Stats()


def _write(root: Path, files: dict[str, str], config: str, name: str = ".importlinter") -> Path:
    write_tree(root, files)
    (root / name).write_text(textwrap.dedent(config).lstrip("\n"), encoding="utf-8")
    return root


@pytest.mark.parametrize("fixture", sorted(FIXTURES))
def test_archguard_agrees_with_import_linter(fixture: str, tmp_path: Path) -> None:
    files, config = FIXTURES[fixture]
    root = _write(tmp_path, files, config)
    problems = differential(root, ".importlinter", STATS)
    assert not problems, "\n".join(problems)


def test_archguard_agrees_with_import_linter_on_pyproject_toml(tmp_path: Path) -> None:
    files, config = TOML_FIXTURE
    root = _write(tmp_path, files, config, "pyproject.toml")
    problems = differential(root, "pyproject.toml", STATS)
    assert not problems, "\n".join(problems)


def test_fixtures_break_and_keep_contracts(tmp_path: Path) -> None:
    """The fixtures are worth comparing: they keep some contracts, break others, and list chains."""
    stats = Stats()
    for index, fixture in enumerate(sorted(FIXTURES)):
        files, config = FIXTURES[fixture]
        differential(_write(tmp_path / str(index), files, config), ".importlinter", stats)
    assert stats.broken >= 15
    assert stats.contracts - stats.broken - stats.errors >= 4
    assert stats.errors >= 4
    assert stats.chain_contracts >= 6
    assert set(stats.by_type) == {"layers", "forbidden", "independence", "protected", "private_modules", "acyclic_siblings"}


CLI_FIXTURES = [
    "layers-direct-and-indirect",
    "layers-main-block-counts-as-import-linter-counts-it",
    "layers-containers-optional-exhaustive",
    "forbidden-external-packages",
    "protected-packages-modules-and-externals",
    "acyclic-siblings-depth-and-skip",
    "ignore-imports-wildcards-and-alerting",
]


@pytest.mark.parametrize("fixture", CLI_FIXTURES)
def test_lint_imports_and_archguard_check_print_the_same_verdicts(fixture: str, tmp_path: Path) -> None:
    files, config = FIXTURES[fixture]
    root = _write(tmp_path, files, config)
    theirs = run_lint_imports(root, ".importlinter")
    ours = run_cli("check", "--no-cache", "--config", ".importlinter", cwd=root)
    verdicts = lint_imports_verdicts(ours.stdout)
    if "No matches for ignored import" in theirs.stdout + theirs.stderr:
        # import-linter stops the whole run at an unmatched ignored import (alerting = error);
        # archguard reports it as an error of that contract and checks the others.
        assert verdicts["Strict unmatched"] == "BROKEN"
        assert ours.returncode == theirs.returncode == 1
        return
    expected = lint_imports_verdicts(theirs.stdout)
    assert expected, theirs.stdout + theirs.stderr
    assert {name: verdicts.get(name) for name in expected} == expected
    assert ours.returncode == theirs.returncode
    assert ours.stdout.splitlines()[0].startswith("archguard · using the import-linter configuration in .importlinter")
