"""On PostgreSQL, no two bookings of one lecturer may overlap: an exclusion constraint over
tstzrange(starts_at, blocked_until, '[)'), so that touching spans pass. SQLite has no such constraint;
there the service's check under SQLite's single writer lock holds the rule."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE lectures_booking ADD CONSTRAINT booking_no_overlap
    EXCLUDE USING gist (lecturer_id WITH =, tstzrange(starts_at, blocked_until, '[)') WITH &&);
"""
DROP = "ALTER TABLE lectures_booking DROP CONSTRAINT IF EXISTS booking_no_overlap;"


class PostgreSQLOnly(migrations.RunSQL):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("lectures", "0001_initial")]

    operations = [PostgreSQLOnly(CREATE, DROP)]
