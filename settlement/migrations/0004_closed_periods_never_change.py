"""A closed period never changes, at the database too (PostgreSQL only, like 0002): its row, its
statements (except the PDF fields the renderer fills in) and their lines can be neither updated nor
deleted. TRUNCATE (the test database flush) fires no row triggers."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION settlement_closed_period_frozen() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' OR OLD.status = 'closed' THEN
        RAISE EXCEPTION 'settlement period % is closed: % refused', OLD.id, TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER settlement_period_frozen BEFORE UPDATE OR DELETE ON settlement_settlementperiod
    FOR EACH ROW EXECUTE FUNCTION settlement_closed_period_frozen();

CREATE OR REPLACE FUNCTION settlement_statement_frozen() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' OR (to_jsonb(NEW) - 'pdf' - 'pdf_sha256' - 'pdf_rendered_at')
                           IS DISTINCT FROM (to_jsonb(OLD) - 'pdf' - 'pdf_sha256' - 'pdf_rendered_at') THEN
        RAISE EXCEPTION 'settlement statement % is issued: % refused', OLD.id, TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER settlement_statement_frozen BEFORE UPDATE OR DELETE ON settlement_statement
    FOR EACH ROW EXECUTE FUNCTION settlement_statement_frozen();
CREATE TRIGGER settlement_statementline_append_only BEFORE UPDATE OR DELETE ON settlement_statementline
    FOR EACH ROW EXECUTE FUNCTION settlement_ledger_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS settlement_statementline_append_only ON settlement_statementline;
DROP TRIGGER IF EXISTS settlement_statement_frozen ON settlement_statement;
DROP TRIGGER IF EXISTS settlement_period_frozen ON settlement_settlementperiod;
DROP FUNCTION IF EXISTS settlement_statement_frozen();
DROP FUNCTION IF EXISTS settlement_closed_period_frozen();
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
    dependencies = [("settlement", "0003_payouts")]

    operations = [migrations.RunPython(forward, backward)]
