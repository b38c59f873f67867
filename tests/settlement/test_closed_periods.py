import pytest
import time_machine
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction

from settlement.models import AppendOnlyError, SettlementPeriod, Statement, StatementLine
from settlement.period_calendar import period_for
from settlement.periods import period_close
from tests.settlement.helpers import AFTER_NOVEMBER, paid_orders, two_merchant_bundle
from tests.subscriptions.helpers import seoul

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_november(municipality, stripe_gateway) -> SettlementPeriod:
    paid_orders(municipality, stripe_gateway, two_merchant_bundle(municipality), 1)
    november = period_for(municipality, seoul(2026, 11, 10))
    with time_machine.travel(AFTER_NOVEMBER, tick=False):
        period_close(period=november, acting_user=None)
    november.refresh_from_db()
    return november


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE settlement_statement SET net_won = net_won + 1 WHERE period_id = %(period)s",
        "DELETE FROM settlement_statement WHERE period_id = %(period)s",
        "UPDATE settlement_statementline SET amount_won = 0",
        "DELETE FROM settlement_statementline",
        "UPDATE settlement_settlementperiod SET status = 'open' WHERE id = %(period)s",
    ],
)
def test_the_database_refuses_to_change_a_closed_period(closed_november, sql):
    # given
    before = list(Statement.objects.order_by("pk").values()), list(StatementLine.objects.order_by("pk").values())
    # when
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, {"period": closed_november.pk})
    # then
    after = list(Statement.objects.order_by("pk").values()), list(StatementLine.objects.order_by("pk").values())
    assert after == before
    assert SettlementPeriod.objects.get(pk=closed_november.pk).status == SettlementPeriod.Status.CLOSED


def test_a_statement_takes_its_pdf_and_nothing_else(closed_november):
    statement = Statement.objects.filter(period=closed_november).first()
    # when the renderer stores the PDF the way FileField does
    statement.pdf.save(f"statement-{statement.number}.pdf", ContentFile(b"%PDF-1.7 test"))
    Statement.objects.get(pk=statement.pk).pdf.delete(save=False)
    # then
    assert Statement.objects.get(pk=statement.pk).pdf.name.startswith("settlement/statements/statement-")
    # when something else is changed
    statement.net_won += 1
    with pytest.raises(AppendOnlyError):
        statement.save()
    with pytest.raises(AppendOnlyError):
        statement.save(update_fields=["net_won"])
    with pytest.raises(AppendOnlyError):
        statement.lines.first().delete()
    # then
    assert Statement.objects.get(pk=statement.pk).net_won == statement.net_won - 1
