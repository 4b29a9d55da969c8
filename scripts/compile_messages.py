"""Compile locale/*/LC_MESSAGES/*.po into .mo with Babel (no GNU gettext needed).

Fails loudly on a catalogue that does not parse, so a broken translation never ships.
"""

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    compiled = 0
    for po_path in sorted(ROOT.glob("locale/*/LC_MESSAGES/*.po")):
        with po_path.open("rb") as handle:
            catalog = read_po(handle, abort_invalid=True)
        with po_path.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        compiled += 1
    print(f"compiled {compiled} message catalogue(s)")
    return 0 if compiled else 1


if __name__ == "__main__":
    sys.exit(main())
