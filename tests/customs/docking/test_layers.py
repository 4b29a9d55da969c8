"""The docking library keeps its layers: messages below signing below the send path, none of
them importing Django, orders or anything above them, so the declaration layer can call down
into them; nothing but its command imports the simulator."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
ABOVE = (
    "django",
    "orders",
    "catalog",
    "merchants",
    "marketing",
    "logistics",
    "accounts",
    "marketplace",
    "customs.models",
    "customs.services",
    "customs.profiles",
    "customs.simulator",
    "customs.api",
    "customs.admin",
)
RULES = {
    "customs/ceb": ABOVE
    + ("customs.signing", "customs.gateway", "customs.realtime", "customs.engine"),
    "customs/signing": ABOVE + ("customs.gateway", "customs.realtime", "customs.engine"),
    "customs/gateway": ABOVE + ("customs.realtime", "customs.engine"),
    "customs/realtime": ABOVE
    + ("customs.ceb", "customs.signing", "customs.gateway", "customs.engine"),
}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                found.add(f"{base}.{node.module}" if node.module else base)
            else:
                found.add(node.module or "")
    return found


# The kernel's standard-library modules every layer may use: the one clearance-mode vocabulary
# (customs/ceb's TradeMode codes are derived from it).
STDLIB_KERNEL = ("marketplace.clearance",)


@pytest.mark.parametrize("folder", sorted(RULES))
def test_library_layers_import_only_downwards(folder):
    bad = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for name in imports(path):
            if name in STDLIB_KERNEL:
                continue
            if any(name == f or name.startswith(f + ".") for f in RULES[folder]):
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert bad == []


def test_only_the_command_imports_the_simulator():
    users = []
    for path in sorted(ROOT.glob("*/**/*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in (".venv", "tests") or rel.parts[:2] == ("customs", "simulator"):
            continue
        if any(n.startswith("customs.simulator") for n in imports(path)):
            users.append(str(rel))
    assert users == ["customs/management/commands/customs_gateway.py"]
