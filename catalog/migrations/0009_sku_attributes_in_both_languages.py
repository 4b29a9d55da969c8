"""A variant's attributes in both languages (modeltranslation: ``attributes_en`` and
``attributes_zh_hans``), keeping what merchants wrote.

Until now a variant had one ``attributes`` object in whatever language its merchant typed
(``{"容量": "50毫升"}`` showed as is on the English page). Each existing object moves to the
language it is written in: any Chinese character (CJK ideographs or full-width punctuation)
in a name or value makes it Chinese, anything else English. The other language stays empty
and falls back to it, so every page shows what it showed before until the merchant adds the
translation. The storefront's caches are retired once the move is committed: cached product
details carry the old shape.
"""

import re

from django.db import migrations, models

CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def _is_chinese(attributes: dict) -> bool:
    return any(CHINESE.search(f"{name}{value}") for name, value in attributes.items())


def split_by_language(apps, schema_editor):
    SKU = apps.get_model("catalog", "SKU")
    changed = []
    for sku in SKU.objects.exclude(attributes={}).only("id", "attributes").iterator(2000):
        if not isinstance(sku.attributes, dict) or not sku.attributes:
            continue
        language = "zh_hans" if _is_chinese(sku.attributes) else "en"
        setattr(sku, f"attributes_{language}", sku.attributes)
        changed.append(sku)
    SKU.objects.bulk_update(changed, ["attributes_en", "attributes_zh_hans"], batch_size=1000)
    if changed:
        from django.db import transaction

        from marketplace.cacheversion import storefront_cache_bump

        transaction.on_commit(storefront_cache_bump)


def join_languages(apps, schema_editor):
    """Back to one object: the Chinese one where there is one, else the English one."""
    SKU = apps.get_model("catalog", "SKU")
    changed = []
    for sku in SKU.objects.only("id", "attributes_en", "attributes_zh_hans").iterator(2000):
        sku.attributes = sku.attributes_zh_hans or sku.attributes_en or {}
        changed.append(sku)
    SKU.objects.bulk_update(changed, ["attributes"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0008_hs_code_ascii_digits"),
    ]

    operations = [
        migrations.AddField(
            model_name="sku",
            name="attributes_en",
            field=models.JSONField(blank=True, default=dict, null=True, verbose_name="attributes"),
        ),
        migrations.AddField(
            model_name="sku",
            name="attributes_zh_hans",
            field=models.JSONField(blank=True, default=dict, null=True, verbose_name="attributes"),
        ),
        migrations.RunPython(split_by_language, join_languages),
    ]
