"""Storefront search and browse indexes (docs/STOREFRONT.md, "Search").

PostgreSQL: ``silkway_product_search(name_en, name_zh_hans)`` turns a product's two names
into one tsvector -- English words stemmed (the ``english`` configuration), Chinese runs as
character unigrams and bigrams (what a CJK analyser indexes; no segmenter to install) -- and a
GIN index on that expression answers ``@@`` queries. The function is IMMUTABLE, so the index
stays correct on every write with no trigger and no extra column.

Both backends: an index for "newest visible products" (home page, listings without a
category filter).
"""

from django.db import migrations

CJK = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"

CREATE_FUNCTION = rf"""
CREATE OR REPLACE FUNCTION silkway_product_search(name_en text, name_zh text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_tsvector(
           'english'::regconfig,
           regexp_replace(coalesce(name_en, '') || ' ' || coalesce(name_zh, ''), '{CJK}', ' ', 'g')
         )
      || array_to_tsvector(ARRAY(
           SELECT DISTINCT substr(run, i, n)
           FROM regexp_matches(
                  lower(coalesce(name_en, '') || ' ' || coalesce(name_zh, '')), '{CJK}', 'g'
                ) AS m(parts),
                LATERAL (SELECT parts[1] AS run) r,
                LATERAL (VALUES (1), (2)) AS sizes(n),
                LATERAL generate_series(1, length(run) - n + 1) AS i
         ))
$$;
"""

CREATE_SEARCH_INDEX = """
CREATE INDEX IF NOT EXISTS catalog_product_search_gin
ON catalog_product USING gin (silkway_product_search(name_en, name_zh_hans));
"""

CREATE_NEWEST_INDEX = """
CREATE INDEX IF NOT EXISTS catalog_product_status_newest
ON catalog_product (status, published_at DESC, id DESC);
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_FUNCTION)
        schema_editor.execute(CREATE_SEARCH_INDEX)
    schema_editor.execute(CREATE_NEWEST_INDEX)


def backwards(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS catalog_product_status_newest")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS catalog_product_search_gin")
        schema_editor.execute("DROP FUNCTION IF EXISTS silkway_product_search(text, text)")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_moderation_revisions_reports")]

    operations = [migrations.RunPython(forwards, backwards)]
