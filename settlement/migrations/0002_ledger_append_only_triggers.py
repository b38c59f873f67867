"""Database-level guards for the ledger (PostgreSQL only; the SQLite demo relies on the model guards).

- postings and their lines can be inserted, never updated or deleted (whatever code or person tries);
- every posting's lines sum to 0 won, checked at commit (a deferred constraint trigger), so lines written
  by several statements of one transaction are checked together.
TRUNCATE (the test database flush) fires no row triggers.
"""

from django.db import migrations



FORWARD = """
CREATE OR REPLACE FUNCTION settlement_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'settlement ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER settlement_posting_append_only BEFORE UPDATE OR DELETE ON settlement_posting
    FOR EACH ROW EXECUTE FUNCTION settlement_ledger_append_only();
CREATE TRIGGER settlement_postingline_append_only BEFORE UPDATE OR DELETE ON settlement_postingline
    FOR EACH ROW EXECUTE FUNCTION settlement_ledger_append_only();

CREATE OR REPLACE FUNCTION settlement_posting_balanced() RETURNS trigger AS $$
DECLARE
    total bigint;
BEGIN
    SELECT COALESCE(SUM(amount_won), 0) INTO total FROM settlement_postingline WHERE posting_id = NEW.posting_id;
    IF total <> 0 THEN
        RAISE EXCEPTION 'settlement posting % does not balance: lines sum to % won', NEW.posting_id, total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER settlement_postingline_balanced AFTER INSERT ON settlement_postingline
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION settlement_posting_balanced();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS settlement_postingline_balanced ON settlement_postingline;
DROP TRIGGER IF EXISTS settlement_postingline_append_only ON settlement_postingline;
DROP TRIGGER IF EXISTS settlement_posting_append_only ON settlement_posting;
DROP FUNCTION IF EXISTS settlement_posting_balanced();
DROP FUNCTION IF EXISTS settlement_ledger_append_only();
"""


def forward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("settlement", "0001_ledger_periods_statements")]

    operations = [migrations.RunPython(forward, backward)]
