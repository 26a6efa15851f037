"""The architecture of docs/architecture.md, checked on the code (``ast``).

Fails on an import against the table of allowed arrows, on an import cycle
(between parts or between modules), and on an import of another part's
private module.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "fanpin"
DOC = ROOT / "docs" / "architecture.md"

#: Cycles between modules that another owner is removing in this round.
KNOWN_CYCLES: dict[frozenset[str], str] = {}
#: Imports of another part's private module, each with the owner who removes it.
KNOWN_PRIVATE: dict[tuple[str, str], str] = {
    ("explain/_risks.py", "fanpin.config._explain"): "explain",
    ("workflow/_cases.py", "fanpin.config._assistance"): "store",
}


def _allowed() -> dict[str, set[str] | None]:
    """Part -> parts it may import, from the table of docs/architecture.md
    (None: every part)."""
    table: dict[str, set[str] | None] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| `([\w_]+)` \|[^|]*\|([^|]*)\|\s*$", line)
        if not m:
            continue
        part, cell = m.group(1), m.group(2)
        if "every part but" in cell:
            table[part] = {"*", *[f"-{p}" for p in re.findall(r"`([\w_]+)`", cell)]}
        elif "every part" in cell:
            table[part] = None
        else:
            table[part] = set(re.findall(r"`([\w_]+)`", cell))
    return table


def _modules() -> dict[str, Path]:
    out = {}
    for f in SRC.rglob("*.py"):
        parts = f.relative_to(SRC).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(("fanpin", *parts))] = f
    return out


def _part(module: str) -> str:
    bits = module.split(".")
    return bits[1] if len(bits) > 1 else "fanpin"


def _imports(modules: dict[str, Path]) -> list[tuple[str, str, int]]:
    """(importing module, imported module, line) of every fanpin import,
    imports under ``if TYPE_CHECKING:`` left out."""
    found = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_pkg = path.name == "__init__.py"
        typing_only = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                typing_only.update(id(n) for n in ast.walk(node))
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = name.split(".")
                    if not is_pkg:
                        base = base[:-1]
                    base = base[: len(base) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if not target.startswith("fanpin"):
                    continue
                subs = [f"{target}.{a.name}" for a in node.names]
                subs = [s for s in subs if s in modules]
                if subs and len(subs) == len(node.names):
                    targets = subs  # from . import _tables: the submodules
                else:
                    targets = [target, *subs]
                found += [(name, t, node.lineno) for t in targets if t != name]
            elif isinstance(node, ast.Import):
                found += [
                    (name, a.name, node.lineno)
                    for a in node.names
                    if a.name.startswith("fanpin") and a.name != name
                ]
    return found


MODULES = _modules()
IMPORTS = _imports(MODULES)
TABLE = _allowed()


def test_the_table_names_every_part():
    parts = {_part(m) for m in MODULES}
    assert parts - set(TABLE) == set(), "add these parts to docs/architecture.md"
    assert set(TABLE) - parts == set(), "the table names parts that do not exist"


def test_imports_follow_the_allowed_arrows():
    bad = []
    for src, dst, line in IMPORTS:
        a, b = _part(src), _part(dst)
        if a == b:
            continue
        allowed = TABLE[a]
        if allowed is None:
            continue
        if "*" in allowed:
            ok = f"-{b}" not in allowed
        else:
            ok = b in allowed
        if not ok:
            bad.append(f"{MODULES[src].relative_to(SRC)}:{line}: {a} -> {b}")
    assert not bad, "imports against docs/architecture.md:\n" + "\n".join(bad)


def _cycles(edges: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[frozenset[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(frozenset(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_no_cycle_between_parts():
    edges: dict[str, set[str]] = defaultdict(set)
    for src, dst, _ in IMPORTS:
        if _part(src) != _part(dst) and _part(src) != "fanpin":
            edges[_part(src)].add(_part(dst))
    assert _cycles(edges) == []


def test_no_cycle_between_modules():
    edges: dict[str, set[str]] = defaultdict(set)
    for src, dst, _ in IMPORTS:
        if dst in MODULES:
            edges[src].add(dst)
    cycles = [c for c in _cycles(edges) if c not in KNOWN_CYCLES]
    assert cycles == [], [sorted(c) for c in cycles]


def _private(target: str, src: str) -> bool:
    bits = target.split(".")
    return len(bits) > 2 and bits[2].startswith("_") and _part(src) != bits[1]


def test_no_import_of_another_parts_private_module():
    bad = []
    for src, dst, line in IMPORTS:
        if not _private(dst, src):
            continue
        where = str(MODULES[src].relative_to(SRC))
        if (where, dst) not in KNOWN_PRIVATE:
            bad.append(f"{where}:{line}: {dst}")
    assert not bad, "import what the part's __init__ exports:\n" + "\n".join(bad)


@pytest.mark.parametrize(("where", "target"), sorted(KNOWN_PRIVATE))
def test_known_private_imports_are_still_there(where, target):
    """An allowed private import that is gone must leave the allow-list."""
    assert any(
        str(MODULES[s].relative_to(SRC)) == where and d == target
        for s, d, _ in IMPORTS
    ), f"{where} no longer imports {target}: remove it from KNOWN_PRIVATE"


def test_nothing_imports_the_cli():
    bad = [
        f"{MODULES[s].relative_to(SRC)}:{line}"
        for s, d, line in IMPORTS
        if _part(d) == "cli" and _part(s) not in ("cli", "__main__")
    ]
    assert not bad


#: Loaders of config files; only ``config`` (which defines them) and ``cli``
#: (the edge) may call them. Parts listed here still read a file on their own,
#: with the owner who moves the call to the edge.
LOADERS = re.compile(r"^(load_\w*config|load_monitoring_lines|load_risk_types|"
                     r"load_assistance_map|read_yaml)$")  # fmt: skip
KNOWN_LOADERS: dict[str, str] = {
    "workflow/_assistance.py": "explain",
}


def _loader_calls() -> dict[str, list[int]]:
    calls: dict[str, list[int]] = defaultdict(list)
    for name, path in MODULES.items():
        if _part(name) in ("config", "cli"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                f = node.func
                called = f.attr if isinstance(f, ast.Attribute) else getattr(
                    f, "id", ""
                )  # fmt: skip
                if LOADERS.match(called):
                    calls[str(path.relative_to(SRC))].append(node.lineno)
    return calls


def test_no_library_function_reads_a_config_file_on_its_own():
    calls = _loader_calls()
    bad = {f: lines for f, lines in calls.items() if f not in KNOWN_LOADERS}
    assert not bad, (
        "load configs at the edge (fanpin.config.load_configs) and pass them "
        f"down; a default is fanpin.config.shipped_configs(): {bad}"
    )
    gone = set(KNOWN_LOADERS) - set(calls)
    assert not gone, f"remove from KNOWN_LOADERS: {sorted(gone)}"
