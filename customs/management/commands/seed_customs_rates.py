"""`manage.py seed_customs_rates`: add the shipped seed rows missing from the rate tables."""

from pathlib import Path

from django.core.management.base import BaseCommand

from customs.services import rate_tables_seed


class Command(BaseCommand):
    help = (
        "Add the rows of customs/seed/*.csv that are missing from the duty & tax rate tables. "
        "Rows already there (and operator edits) are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed-dir", type=Path, help="Folder with the four CSV files.")

    def handle(self, *args, seed_dir=None, **options):
        created = rate_tables_seed(seed_dir=seed_dir)
        for table, count in created.items():
            self.stdout.write(f"{table}: {count} added")
