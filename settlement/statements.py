# ruff: noqa: S608 - the SQL is assembled only from table names and fixed fragments; every value is a parameter.
"""Statements of a closing period, built in set-based SQL: a fixed number of queries for any number of
merchants, partners and lines (per party kind one GROUP BY for the totals and one INSERT … SELECT of the
statements; one INSERT … SELECT per kind for the lines, one for the balances carried from the previous
period).

A line's kind is its ledger line's entry, decided when it was posted (settlement.ledger._entry): an order
paid or a coupon redeemed is a sale / redemption; a refund is a refund; a posting that adjusts an earlier
period (it names the original, or it happened before this period started) is an adjustment.
Amounts are what the party is owed (the ledger's credits, negated).
Numbers continue the municipality's sequence; the caller holds the StatementCounter lock (period_close),
so two closes never take the same number or leave a gap. Portable between PostgreSQL and SQLite.
"""

from datetime import datetime

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from bundles.models import Merchant
from settlement.models import (
    Account,
    Entry,
    Posting,
    PostingLine,
    SettlementPeriod,
    Statement,
    StatementCounter,
    StatementLine,
)
from subscriptions.models import Order
from tourism.models import Partner


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# The statement line's kind is the ledger line's entry (settlement.ledger._entry).
_LINE_KIND = "l.entry"

# (party kind, party column, payable account, party table, representative column or '')
_PARTIES = (
    (Statement.PartyKind.MERCHANT, "merchant_id", Account.MERCHANT_PAYABLE, Merchant, "x.representative"),
    (Statement.PartyKind.PARTNER, "partner_id", Account.PARTNER_PAYABLE, Partner, "x.representative"),
)


# Tagged so bench/settlement_close.py can time the statement totals apart from the rest of the close.
TOTALS_TAG = "/* statement totals */"
_SUM_COLUMNS = ("sales", "refunds", "adjustments", "exempt", "taxable", "commission", "lines")


def _party_sums(cursor, column: str, payable: str, params: dict) -> dict[int, list[int]]:
    """The period's lines summed per party in one plain GROUP BY on the party alone, each figure a FILTERed
    sum. PostgreSQL runs this in parallel (it never does for an INSERT … SELECT, nor for a GROUP BY over
    party, account, entry and tax type, whose groups it overestimates); SQLite has FILTER since 3.30.
    Returns party id → the figures in _SUM_COLUMNS order."""
    own = f"l.account = '{payable}'"
    cursor.execute(
        f"""{TOTALS_TAG}
        SELECT l.{column},
            COALESCE(SUM(-l.amount_won) FILTER (WHERE {own} AND l.entry IN ('{Entry.SALE}', '{Entry.REDEMPTION}')), 0),
            COALESCE(SUM(-l.amount_won) FILTER (WHERE {own} AND l.entry = '{Entry.REFUND}'), 0),
            COALESCE(SUM(-l.amount_won) FILTER (WHERE {own} AND l.entry = '{Entry.ADJUSTMENT}'), 0),
            COALESCE(SUM(-l.amount_won) FILTER (WHERE {own} AND l.tax_type = 'exempt'), 0),
            COALESCE(SUM(-l.amount_won) FILTER (WHERE {own} AND l.tax_type = 'taxable'), 0),
            COALESCE(SUM(-l.amount_won) FILTER (WHERE l.account = '{Account.COMMISSION}'), 0),
            COUNT(*) FILTER (WHERE {own})
        FROM {_t(PostingLine)} l
        WHERE l.period_id = %(period)s AND l.{column} IS NOT NULL
          AND l.account IN ('{payable}', '{Account.COMMISSION}')
        GROUP BY l.{column}""",
        params,
    )
    return {row[0]: list(row[1:]) for row in cursor.fetchall()}


def _agg_rows(sums: dict[int, list[int]]) -> str:
    """The sums as the rows of the `agg` table below. Only integers read from the database go into the
    text (int() makes sure), so nothing from outside ever becomes SQL."""
    if not sums:
        return "SELECT " + ", ".join(["0"] * (len(_SUM_COLUMNS) + 1)) + " WHERE 1 = 0"
    rows = (
        "(" + ", ".join(str(int(value)) for value in (party_id, *figures)) + ")"
        for party_id, figures in sorted(sums.items())
    )
    return "VALUES " + ", ".join(rows)


def _insert_statements(party_kind: str, column: str, table, representative: str, sums: dict[int, list[int]]) -> str:
    other = "partner_id" if column == "merchant_id" else "merchant_id"
    return f"""{TOTALS_TAG}
    WITH agg(party_id, {", ".join(_SUM_COLUMNS)}) AS (
        {_agg_rows(sums)}
    ), carried AS (
        SELECT s.{column} AS party_id, s.carry_out_won AS carried
        FROM {_t(Statement)} s
        WHERE s.period_id = %(previous)s AND s.{column} IS NOT NULL AND s.carry_out_won < 0
    ), parties AS (
        SELECT party_id FROM agg WHERE lines > 0 UNION SELECT party_id FROM carried
    ), totals AS (
        SELECT pt.party_id,
            COALESCE(a.sales, 0) AS sales, COALESCE(a.refunds, 0) AS refunds,
            COALESCE(a.adjustments, 0) AS adjustments, COALESCE(c.carried, 0) AS carried,
            COALESCE(a.exempt, 0) AS exempt, COALESCE(a.taxable, 0) AS taxable,
            COALESCE(a.commission, 0) AS commission,
            COALESCE(a.lines, 0) + (CASE WHEN c.carried IS NULL THEN 0 ELSE 1 END) AS lines,
            COALESCE(a.sales, 0) + COALESCE(a.refunds, 0) + COALESCE(a.adjustments, 0) + COALESCE(c.carried, 0) AS net
        FROM parties pt LEFT JOIN agg a ON a.party_id = pt.party_id LEFT JOIN carried c ON c.party_id = pt.party_id
    )
    INSERT INTO {_t(Statement)} (
        municipality_id, period_id, number, party_kind, {column}, {other}, issued_at,
        municipality_name, municipality_business_number, municipality_address, municipality_phone,
        party_name, party_representative, party_business_number,
        bank_code, account_number, account_holder, sales_won, refunds_won, adjustments_won, carried_in_won,
        exempt_won, taxable_won, commission_won, net_won, payable_won, carry_out_won, line_count, pdf, pdf_sha256)
    SELECT %(municipality)s, %(period)s,
        (SELECT COALESCE(MAX(n.number), 0) FROM {_t(Statement)} n WHERE n.municipality_id = %(municipality)s)
            + ROW_NUMBER() OVER (ORDER BY x.name, x.id),
        '{party_kind}', x.id, NULL, %(issued_at)s,
        %(municipality_name)s, %(municipality_brn)s, %(municipality_address)s, %(municipality_phone)s,
        x.name, {representative}, x.business_registration_number,
        x.bank_code, x.account_number, x.account_holder, t.sales, t.refunds, t.adjustments, t.carried,
        t.exempt, t.taxable, t.commission, t.net,
        CASE WHEN t.net > 0 THEN t.net ELSE 0 END, CASE WHEN t.net < 0 THEN t.net ELSE 0 END, t.lines, '', ''
    FROM totals t JOIN {_t(table)} x ON x.id = t.party_id
    """


def _insert_lines(column: str, payable: str) -> str:
    return f"""
    INSERT INTO {_t(StatementLine)} (
        municipality_id, statement_id, kind, occurred_at, posting_line_id, order_id, coupon_id, bundle_name,
        product_name, quantity, unit_supply_price_won, tax_type, amount_won, memo)
    SELECT l.municipality_id, s.id, {_LINE_KIND}, p.occurred_at, l.id, l.order_id, p.coupon_id,
        COALESCE(o.bundle_name, ''), l.product_name, l.quantity, l.unit_supply_price_won, l.tax_type,
        -l.amount_won, p.memo
    FROM {_t(PostingLine)} l
    JOIN {_t(Posting)} p ON p.id = l.posting_id
    JOIN {_t(Statement)} s ON s.municipality_id = %(municipality)s AND s.period_id = l.period_id
        AND s.{column} = l.{column} AND s.{column} IS NOT NULL
    LEFT JOIN {_t(Order)} o ON o.id = l.order_id
    WHERE l.period_id = %(period)s AND l.account = '{payable}'
    ORDER BY p.occurred_at, l.id
    """


_CARRIED_LINES = f"""
    INSERT INTO {_t(StatementLine)} (
        municipality_id, statement_id, kind, occurred_at, posting_line_id, order_id, coupon_id, bundle_name,
        product_name, quantity, unit_supply_price_won, tax_type, amount_won, memo)
    SELECT s.municipality_id, s.id, 'carried', %(starts_at)s, NULL, NULL, NULL, '', '', NULL, NULL, '',
        ps.carry_out_won, %(carried_memo)s
    FROM {_t(Statement)} s
    JOIN {_t(Statement)} ps ON ps.period_id = %(previous)s
        AND ((s.merchant_id IS NOT NULL AND ps.merchant_id = s.merchant_id)
          OR (s.partner_id IS NOT NULL AND ps.partner_id = s.partner_id))
    WHERE s.period_id = %(period)s AND ps.carry_out_won < 0
"""


def previous_period(period: SettlementPeriod) -> SettlementPeriod | None:
    """The latest period that ends where (or before) this one starts: the one balances carry from."""
    return (
        SettlementPeriod.objects.for_tenant(period.municipality_id)
        .filter(ends_at__lte=period.starts_at)
        .order_by("-ends_at")
        .first()
    )


def _carried_memo(previous: SettlementPeriod | None) -> str:
    # Stored on the statement: always in the site's language, whoever's request closes the period.
    with translation.override(settings.LANGUAGE_CODE):
        return _("%(period)s 정산에서 이월된 미지급 잔액") % {"period": previous.label if previous else ""}


def statements_build(*, period: SettlementPeriod, previous: SettlementPeriod | None, issued_at: datetime) -> int:
    """Make the statements and lines of `period`; the caller holds the municipality's StatementCounter
    lock inside its transaction. Returns how many statements were made. Nine queries, whatever the size."""
    municipality = period.municipality
    params = {
        "municipality": municipality.pk,
        "period": period.pk,
        "previous": previous.pk if previous else None,
        "starts_at": period.starts_at,
        "issued_at": issued_at,
        "municipality_name": municipality.name,
        "municipality_brn": municipality.business_registration_number,
        "municipality_address": municipality.address,
        "municipality_phone": municipality.contact_phone,
        "carried_memo": _carried_memo(previous),
    }
    with connection.cursor() as cursor:
        for party_kind, column, payable, table, representative in _PARTIES:
            sums = _party_sums(cursor, column, payable, params)
            cursor.execute(_insert_statements(party_kind, column, table, representative, sums), params)
        for _party_kind, column, payable, _table, _representative in _PARTIES:
            cursor.execute(_insert_lines(column, payable), params)
        cursor.execute(_CARRIED_LINES, params)
        cursor.execute(
            f"""UPDATE {_t(StatementCounter)} SET last_number = (
                    SELECT COALESCE(MAX(n.number), 0) FROM {_t(Statement)} n WHERE n.municipality_id = %(municipality)s)
                WHERE municipality_id = %(municipality)s""",
            params,
        )
        cursor.execute(f"SELECT COUNT(*) FROM {_t(Statement)} WHERE period_id = %(period)s", params)
        return cursor.fetchone()[0]


# --- reads -------------------------------------------------------------------------------------------------
def statements_of_period(*, period: SettlementPeriod) -> QuerySet[Statement]:
    return Statement.objects.filter(period=period).order_by("number")


def statements_of_merchant(*, municipality, merchant_id: int) -> QuerySet[Statement]:
    """A merchant's statements, newest period first (only this municipality's, only this merchant's)."""
    return (
        Statement.objects.for_tenant(municipality)
        .filter(merchant_id=merchant_id)
        .select_related("period")
        .order_by("-period__starts_at")
    )


def statements_of_partner(*, municipality, partner_id: int) -> QuerySet[Statement]:
    return (
        Statement.objects.for_tenant(municipality)
        .filter(partner_id=partner_id)
        .select_related("period")
        .order_by("-period__starts_at")
    )


def statement_lines(*, statement: Statement) -> QuerySet[StatementLine]:
    """The statement's lines in date order; the carried balance first."""
    return statement.lines.order_by("occurred_at", "pk")
