"""Rows are locked only by the apps' lock helpers (docs/ARCHITECTURE.md, "Lock order").

A ``select_for_update`` written straight into a service is how the approve-against-edit
deadlock came about: it picks its own order. This test fails on one outside the helpers.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "catalog", "customs", "logistics", "marketing", "marketplace", "merchants")
ALLOWED = {
    "marketplace/locking.py",  # the one way a row is locked
}


def test_select_for_update_only_in_lock_helpers():
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or path.name == "lock_objects.py":
                continue
            if relative not in ALLOWED and "select_for_update(" in path.read_text():
                offenders.append(relative)
    assert offenders == [], f"lock rows through the app's lock_objects.py: {offenders}"
