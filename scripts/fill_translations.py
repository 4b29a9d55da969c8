"""Fill msgstr entries of a .po catalogue from a JSON {msgid: translation} file.

Developer tool: after `manage.py makemessages -l zh_Hans ...`, write the new strings'
translations into a JSON file and run

    python scripts/fill_translations.py locale/zh_Hans/LC_MESSAGES/django.po new.json

Existing translations are kept unless --overwrite is given; fuzzy flags are cleared for the
entries it fills. Prints the msgids still untranslated.
"""

import argparse
import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("po")
    parser.add_argument("json_file")
    parser.add_argument("--overwrite", action="store_true")
    args = parser.parse_args()
    with open(args.json_file, encoding="utf-8") as handle:
        translations = json.load(handle)
    # locale/<lang>/LC_MESSAGES/django.po: the folder names the language (plural rules etc.)
    language = Path(args.po).resolve().parent.parent.name
    with open(args.po, "rb") as handle:
        catalog = read_po(handle, locale=language)
    catalog.fuzzy = False
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        empty = not message.string or (
            isinstance(message.string, tuple) and not all(message.string)
        )
        if key in translations and (args.overwrite or empty or message.fuzzy):
            value = translations[key]
            message.string = value if isinstance(message.id, str) else tuple(value)
            message.flags.discard("fuzzy")
    with open(args.po, "wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False)
    missing = [
        m.id
        for m in catalog
        if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))
    ]
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
