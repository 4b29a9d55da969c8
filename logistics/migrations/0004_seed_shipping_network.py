"""Seed the default shipping network (logistics/shipping/seed.py), so a fresh database can
price checkout right away. Additive and idempotent: rows already present are left alone."""

from django.db import migrations

from logistics.shipping.seed import seed_shipping_network


def seed(apps, schema_editor):
    seed_shipping_network(apps.get_model)


class Migration(migrations.Migration):
    dependencies = [("logistics", "0003_shipping_network"), ("marketplace", "0002_seed_currencies")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
