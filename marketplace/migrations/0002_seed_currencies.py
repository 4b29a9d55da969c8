"""Seed the currencies the platform starts with and a first set of FX rates."""

from django.db import migrations

from marketplace.reference_data import seed_currencies


def seed(apps, schema_editor):
    seed_currencies(apps.get_model)


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
