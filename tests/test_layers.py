"""Imports point down the layer table of docs/ARCHITECTURE.md, and form no cycle.

The table is read from the document itself (between ``<!-- layers:start -->`` and
``<!-- layers:end -->``), so the document cannot drift from what this test enforces. Every
``import`` and ``from … import`` in the project's packages is read with ``ast`` (no code
runs); an import inside a function is *lazy*, anything else is *module level*.

Fails on:
- a module-level import of a package in a higher row, or of another package in the same row;
- a lazy import that does the same, unless it is in ``LAZY_EXCEPTIONS`` with its reason;
- an exception (lazy or module level) that no longer happens (the list stays honest);
- a cycle of module-level imports between the project's modules.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARCHITECTURE = ROOT / "docs" / "ARCHITECTURE.md"
SKIPPED_DIRS = {"migrations", "__pycache__"}

# (importing module, imported module prefix) -> why it is unavoidable for now
LAZY_EXCEPTIONS = {
    ("marketplace.tenancy", "merchants.models"): (
        "the kernel's tenancy resolves a request's membership, and memberships are the "
        "merchants app's rows (MerchantOwned names merchants.Merchant by string for the "
        "same reason)"
    ),
}

# Module-level imports that go up, kept only while another item of the same issue moves
# the thing they need below them. Each names who moves it.
MODULE_EXCEPTIONS: dict[tuple[str, str], str] = {}


# Module-level cycles kept on purpose, each with its reason.
CYCLE_EXCEPTIONS = {
    frozenset({"logistics.models", "logistics.shipping.models"}): (
        "Django's registration idiom: logistics/models.py imports the shipping tables at its "
        "end so the app registers them, and they point at Warehouse (a models/ package with "
        "both would remove it)"
    ),
}


@dataclass(frozen=True)
class Layer:
    index: int
    name: str
    packages: tuple[str, ...]


def layers() -> list[Layer]:
    text = ARCHITECTURE.read_text()
    table = text.split("<!-- layers:start -->")[1].split("<!-- layers:end -->")[0]
    rows = [line for line in table.strip().splitlines() if line.startswith("|")][2:]
    result = []
    for index, row in enumerate(rows):
        name, packages = (cell.strip() for cell in row.strip("|").split("|")[:2])
        result.append(Layer(index, name, tuple(re.findall(r"`([\w.]+)`", packages))))
    return result


def unit_of(module: str, table: list[Layer]) -> tuple[Layer, str] | None:
    """The row and the package (longest prefix) ``module`` belongs to."""
    best = None
    for layer in table:
        for package in layer.packages:
            inside = module == package or module.startswith(package + ".")
            if inside and (best is None or len(package) > len(best[1])):
                best = (layer, package)
    return best


def project_modules(table: list[Layer]) -> dict[str, Path]:
    tops = {package.split(".")[0] for layer in table for package in layer.packages}
    modules = {}
    for top in sorted(tops):
        base = ROOT / top
        if not base.is_dir():
            continue
        for path in base.rglob("*.py"):
            if SKIPPED_DIRS & set(path.relative_to(ROOT).parts):
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


@dataclass(frozen=True)
class Import:
    source: str
    target: str
    lazy: bool
    line: int


def imports_of(module: str, path: Path, known: set[str]) -> list[Import]:
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[Import] = []

    def resolve(name: str) -> str:
        # the longest known module that ``name`` is or is inside (``a.b.Thing`` -> ``a.b``)
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name

    def visit(node: ast.AST, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                visit(child, True)
                continue
            names: list[str] = []
            if isinstance(child, ast.Import):
                names = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[: len(base) - (child.level - 1)]
                    origin = ".".join([*base, child.module] if child.module else base)
                else:
                    origin = child.module or ""
                names = [f"{origin}.{alias.name}" for alias in child.names] or [origin]
            for name in names:
                target = resolve(name)
                if target and target != module:
                    found.append(Import(module, target, lazy, child.lineno))
            visit(child, lazy)

    visit(tree, False)
    return found


def all_imports() -> tuple[list[Layer], dict[str, Path], list[Import]]:
    table = layers()
    modules = project_modules(table)
    known = set(modules)
    found = [imp for module, path in modules.items() for imp in imports_of(module, path, known)]
    return table, modules, found


def upward(imp: Import, table: list[Layer]) -> bool:
    source, target = unit_of(imp.source, table), unit_of(imp.target, table)
    if source is None or target is None or source[1] == target[1]:
        return False
    return target[0].index >= source[0].index


def exception_for(imp: Import, exceptions: dict) -> tuple[str, str] | None:
    for source, prefix in exceptions:
        if imp.source == source and (imp.target == prefix or imp.target.startswith(prefix + ".")):
            return (source, prefix)
    return None


def test_the_layer_table_names_every_package_of_the_project():
    table, modules, _imports = all_imports()
    assert [layer.name for layer in table][:5] == [
        "kernel",
        "accounts",
        "merchants",
        "network",
        "catalog",
    ]
    assert all(unit_of(module, table) is not None for module in modules)
    assert {"marketplace.tenancy", "catalog.models", "customs.engine.types"} <= set(modules)


def violations(*, lazy: bool, exceptions: dict) -> tuple[list[str], set]:
    """Imports (lazy or module level) that go up or sideways and are not listed, and the
    listed exceptions that no longer happen."""
    table, _modules, found = all_imports()
    used, wrong = set(), []
    for imp in found:
        if imp.lazy != lazy or not upward(imp, table):
            continue
        listed = exception_for(imp, exceptions)
        if listed:
            used.add(listed)
        else:
            where = " inside a function" if lazy else ""
            wrong.append(f"{imp.source}:{imp.line} imports {imp.target}{where}")
    return sorted(set(wrong)), set(exceptions) - used


def test_module_level_imports_point_down_the_layer_table():
    wrong, stale = violations(lazy=False, exceptions=MODULE_EXCEPTIONS)
    assert wrong == [], "imports that go up or sideways:\n" + "\n".join(wrong)
    assert stale == set(), "exceptions that no longer happen"


def test_lazy_imports_point_down_too_except_the_listed_ones():
    wrong, stale = violations(lazy=True, exceptions=LAZY_EXCEPTIONS)
    assert wrong == [], "lazy imports that go up or sideways:\n" + "\n".join(wrong)
    assert stale == set(), "exceptions that no longer happen"


def test_module_level_imports_form_no_cycle():
    _table, modules, found = all_imports()
    graph: dict[str, set[str]] = {module: set() for module in modules}
    for imp in found:
        if not imp.lazy:
            graph[imp.source].add(imp.target)
    cycles = [c for c in strongly_connected(graph) if frozenset(c) not in CYCLE_EXCEPTIONS]
    assert cycles == [], "module-level import cycles:\n" + "\n".join(
        " -> ".join(sorted(c)) for c in cycles
    )


def strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm (iterative): the components of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    result.append(component)
    return result


def test_the_checker_sees_an_upward_import_and_a_cycle(tmp_path):
    """The test above would notice: an upward edge and a two-module cycle are reported."""
    table = layers()
    imp = Import("merchants.models", "catalog.models", False, 1)
    assert upward(imp, table)
    assert not upward(Import("catalog.models", "merchants.models", False, 1), table)
    assert upward(Import("customs.models", "marketing.rules", False, 1), table)  # same row
    assert strongly_connected({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [{"a", "b"}]
