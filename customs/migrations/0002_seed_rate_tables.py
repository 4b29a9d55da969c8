"""Fill the rate tables from customs/seed/*.csv, so a fresh database can quote right away.

Additive and idempotent (see customs/seeding.py): rows already present are left alone.
`manage.py seed_customs_rates` runs the same code later, e.g. after new seed rows ship.
"""

from django.db import migrations

from customs.seeding import seed_rate_tables


def seed(apps, schema_editor):
    seed_rate_tables(apps.get_model)


class Migration(migrations.Migration):
    dependencies = [("customs", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
