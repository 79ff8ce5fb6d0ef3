"""On PostgreSQL: a trigger that keeps `search` in step with `title` on every insert and
update (item_record, bulk inserts, the backfill alike), and a GIN index on it."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

CREATE = [
    "CREATE INDEX IF NOT EXISTS history_item_search ON history_item USING gin (search)",
    "CREATE TRIGGER history_item_search BEFORE INSERT OR UPDATE OF title ON history_item "
    "FOR EACH ROW EXECUTE FUNCTION tsvector_update_trigger(search, 'pg_catalog.english', title)",
    "UPDATE history_item SET search = to_tsvector('pg_catalog.english', title)",
]
DROP = [
    "DROP TRIGGER IF EXISTS history_item_search ON history_item",
    "DROP INDEX IF EXISTS history_item_search",
]


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("history", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
