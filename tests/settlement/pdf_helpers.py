"""Closed periods with statements for the PDF, payout and portal tests."""

import time_machine

from settlement.models import SettlementPeriod, Statement
from settlement.period_calendar import period_for
from settlement.periods import period_close
from tests.municipalities.factories import MembershipFactory
from tests.settlement.helpers import AFTER_NOVEMBER, paid_orders, two_merchant_bundle
from tests.subscriptions.helpers import seoul


def finance_user(municipality):
    return MembershipFactory(municipality=municipality, role="finance").user


def november(municipality) -> SettlementPeriod:
    return period_for(municipality, seoul(2026, 11, 10))


def closed_november(municipality, gateway, *, orders: int = 2, bundle=None):
    """November with `orders` paid orders of a two-merchant bundle, closed by finance. Returns
    (period, orders, finance user)."""
    bundle = bundle or two_merchant_bundle(municipality)
    paid = paid_orders(municipality, gateway, bundle, orders)
    finance = finance_user(municipality)
    with time_machine.travel(AFTER_NOVEMBER, tick=False):
        period_close(period=november(municipality), acting_user=finance)
    return november(municipality), paid, finance


def merchant_statement(period: SettlementPeriod) -> Statement:
    return Statement.objects.filter(period=period, party_kind="merchant").order_by("number").first()
