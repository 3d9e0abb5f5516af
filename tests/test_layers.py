"""The package's layers: a lower layer never imports a higher one, and no two packages import each other.

Every import counts, a lazy one inside a function included: it is a dependency all the same, found later.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "vpcflow"

# Lowest first. A package may import only packages of lower layers; packages of one layer are independent.
LAYERS: list[tuple[str, ...]] = [
    ("errors",),
    ("timeutil", "jsonable", "config"),  # plain helpers: times, JSON values, settings
    ("fields",),  # the field table everything derives from
    ("parse",),  # bytes to lines to typed blocks, and the SQL that checks them
    # where records come from (files, objects, streams) and the network they flowed through
    ("sources", "network"),
    # AWS's layouts written (the inverse of sources), and boto3: the AWS side of sources and deliver, provisioning
    ("deliver", "aws"),
    ("emulate",),  # records born from a scenario and the network model, written through deliver
    ("lab",),  # records born from real packets, through the emulator's capture
    ("store",),  # one DuckDB file, the ledger, the quarantine; the block pipeline ingest and read share
    ("reader", "interop"),  # vpcflow.read (the store's pipeline without the store); export and Insights SQL
    ("engines",),  # where a named query runs: DuckDB over the store, Spark
    ("analyze", "detect", "diagnose", "rules", "cost", "athena"),  # the analyses, and Athena's SQL out
    ("enrich", "alert"),  # enrichment tables written through detect's; alarms over the store
    ("report", "live"),  # the HTML report; the process that holds the store and serves the others
    ("web", "demo"),
    ("cli",),
]

# Edges that break the order today, each with why it is still there. Strict: a listed edge that no longer
# exists fails too, so the entry goes when the import does.
KNOWN: dict[tuple[str, str], str] = {
}


def _layer_of() -> dict[str, int]:
    return {pkg: i for i, layer in enumerate(LAYERS) for pkg in layer}


def _package(path: Path) -> str:
    """The top-level package (or module) under vpcflow/ a file belongs to."""
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py")


def _imported(path: Path) -> set[str]:
    """The vpcflow top-level packages a file imports, by absolute or relative import, anywhere in it."""
    module = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return _imported_by(path.read_text(), module if path.name == "__init__.py" else module[:-1])


def _imported_by(source: str, here: list[str]) -> set[str]:
    """The same for source text in package `here` (["vpcflow", "store"] for vpcflow/store/x.py)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            base = here[:len(here) - node.level + 1] if node.level else []
            names = base + (node.module.split(".") if node.module else [])
            targets = [names + [a.name] for a in node.names] if len(names) == 1 else [names]
        elif isinstance(node, ast.Import):
            targets = [a.name.split(".") for a in node.names]
        else:
            continue
        found |= {t[1] for t in targets if len(t) > 1 and t[0] == "vpcflow"}
    return found


def _edges() -> dict[tuple[str, str], str]:
    """(importer, imported) between different top-level packages, with one file that does it."""
    edges: dict[tuple[str, str], str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.parent == PACKAGE and path.name == "__init__.py":
            continue  # vpcflow/__init__.py publishes the API: it sits above everything
        pkg = _package(path)
        for other in _imported(path) - {pkg}:
            if (PACKAGE / other).is_dir() or (PACKAGE / f"{other}.py").exists():
                edges.setdefault((pkg, other), str(path.relative_to(PACKAGE.parent)))
    return edges


def test_every_package_has_a_layer():
    packages = {_package(p) for p in PACKAGE.rglob("*.py") if p != PACKAGE / "__init__.py"}
    assert sorted(packages - set(_layer_of())) == []


def test_each_package_is_in_one_layer():
    listed = [pkg for layer in LAYERS for pkg in layer]
    assert len(listed) == len(set(listed))


def test_no_package_imports_a_higher_or_sibling_layer():
    layer = _layer_of()
    wrong = {f"{a} (layer {layer[a]}) imports {b} (layer {layer[b]}) in {where}"
             for (a, b), where in _edges().items()
             if a in layer and b in layer and layer[b] >= layer[a] and (a, b) not in KNOWN}
    assert sorted(wrong) == []


def test_known_breaks_still_exist():
    """An import listed in KNOWN that is gone must leave the list too."""
    assert sorted(set(KNOWN) - set(_edges())) == []


def test_the_walk_sees_lazy_relative_and_absolute_imports():
    """The check itself: imports inside a function, relative from a subpackage, absolute, `from .. import x`."""
    source = ("def f():\n    from ...store import Store\n"
              "from ...fields.checks import quote\nimport vpcflow.engines.sql\nfrom .. import parse\n")
    assert _imported_by(source, ["vpcflow", "interop", "insights"]) == {"store", "fields", "engines", "interop"}
    assert _imported_by("from .. import parse\n", ["vpcflow", "store"]) == {"parse"}
