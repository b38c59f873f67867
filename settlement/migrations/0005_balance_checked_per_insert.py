"""Check that postings balance once per INSERT statement instead of once per line at commit.

0002's deferred row trigger summed a posting's lines again for every line (100,000 lines: 100,000 sums at
commit). settlement.ledger writes each posting's lines in one INSERT, so a statement-level trigger over
the inserted rows (a transition table) checks every posting of the INSERT with one GROUP BY; a line added
to a posting later, by itself, does not sum to 0 and is refused. PostgreSQL only, like 0002.
"""

from django.db import migrations

FORWARD = """
DROP TRIGGER IF EXISTS settlement_postingline_balanced ON settlement_postingline;
DROP FUNCTION IF EXISTS settlement_posting_balanced();

CREATE OR REPLACE FUNCTION settlement_postings_balanced() RETURNS trigger AS $$
DECLARE
    bad record;
BEGIN
    SELECT posting_id, SUM(amount_won) AS total INTO bad
    FROM new_lines GROUP BY posting_id HAVING SUM(amount_won) <> 0 LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'settlement posting % does not balance: lines sum to % won', bad.posting_id, bad.total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER settlement_postingline_balanced AFTER INSERT ON settlement_postingline
    REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION settlement_postings_balanced();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS settlement_postingline_balanced ON settlement_postingline;
DROP FUNCTION IF EXISTS settlement_postings_balanced();

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


def _run(schema_editor, sql: str) -> None:
    # A plain cursor without parameters: the RAISE messages' % placeholders are PL/pgSQL's, not ours.
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)


def forward(apps, schema_editor) -> None:
    _run(schema_editor, FORWARD)


def backward(apps, schema_editor) -> None:
    _run(schema_editor, BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("settlement", "0004_closed_periods_never_change")]

    operations = [migrations.RunPython(forward, backward)]
