import csv
import io
import re

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from bundles.services import merchant_member_bind
from core.money import format_won
from settlement import pdf, selectors
from settlement.models import Statement
from settlement.periods import period_close
from tests.accounts.factories import UserFactory
from tests.settlement.helpers import AFTER_NOVEMBER, IN_NOVEMBER, paid_orders, two_merchant_bundle
from tests.settlement.pdf_helpers import closed_november, finance_user, november
from tests.tourism.factories import OfferFactory, partner_user
from tests.tourism.helpers import issued_coupon
from tourism.services import coupon_redeem

pytestmark = pytest.mark.django_db


def url(name: str, municipality, **kwargs) -> str:
    return reverse(f"settlement:{name}", kwargs={"municipality_slug": municipality.slug, **kwargs})


def merchant_user(merchant):
    user = UserFactory()
    merchant_member_bind(merchant=merchant, user=user)
    return user


def _rendered(period) -> list[Statement]:
    statements = list(Statement.objects.filter(period=period).order_by("number"))
    for statement in statements:
        pdf.statement_pdf_store(statement_id=statement.pk)
        statement.refresh_from_db()
    return statements


def _page_totals(html: str) -> list[str]:
    """The won amounts of the totals table, as the page prints them."""
    table = html.split('class="krds-table tbl settlement-totals"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<td class="num">([^<]+)</td>', table)


def test_a_merchant_sees_its_statements_lines_pdf_and_csv(client, municipality, stripe_gateway):
    period, orders, _finance = closed_november(municipality, stripe_gateway)
    mine, theirs = _rendered(period)
    client.force_login(merchant_user(mine.merchant))
    listing = client.get(url("merchant-statements", municipality))
    assert listing.status_code == 200
    body = listing.content.decode()
    assert period.label in body and format_won(mine.payable_won) in body
    assert theirs.party_name not in body
    page = client.get(url("merchant-statement", municipality, statement_id=mine.pk)).content.decode()
    for order in orders:
        assert f"주문 #{order.pk}" in page
    assert mine.party_business_number in page and mine.municipality_business_number in page
    download = client.get(url("merchant-statement-pdf", municipality, statement_id=mine.pk))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    data = b"".join(download.streaming_content)
    assert data.startswith(b"%PDF-")
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(url("merchant-statement-csv", municipality, statement_id=mine.pk)).content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert rows[0][:3] == ["일자", "구분", "주문·쿠폰"]
    assert sum(int(row[8]) for row in rows[1:]) == mine.net_won
    exported = client.get(url("merchant-statements", municipality) + "?export=csv").content.decode("utf-8-sig")
    assert str(mine.payable_won) in exported


def test_the_pdf_text_matches_the_web_page_totals(client, municipality, stripe_gateway):
    period, _orders, _finance = closed_november(municipality, stripe_gateway)
    statement = _rendered(period)[0]
    client.force_login(merchant_user(statement.merchant))
    page_totals = _page_totals(
        client.get(url("merchant-statement", municipality, statement_id=statement.pk)).content.decode()
    )
    assert page_totals == [format_won(row.amount_won) for row in selectors.statement_summary(statement)]
    response = client.get(url("merchant-statement-pdf", municipality, statement_id=statement.pk))
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages)
    # every total of the page is in the PDF's totals, in the same order, each after its label
    position = text.index("합계")
    for row, amount in zip(selectors.statement_summary(statement), page_totals, strict=True):
        position = text.index(row.label, position)
        position = text.index(amount, position)
    assert format_won(statement.payable_won) in page_totals


def test_a_merchant_cannot_read_another_merchants_or_another_tenants_statement(
    client, municipality, other_municipality, stripe_gateway
):
    period, _orders, _finance = closed_november(municipality, stripe_gateway)
    mine, theirs = _rendered(period)
    client.force_login(merchant_user(mine.merchant))
    for name in ("merchant-statement", "merchant-statement-pdf", "merchant-statement-csv"):
        assert client.get(url(name, municipality, statement_id=theirs.pk)).status_code == 404
        assert client.get(url(name, municipality, statement_id=mine.pk)).status_code == 200
        # the same statement id under another municipality's address
        assert client.get(url(name, other_municipality, statement_id=mine.pk)).status_code == 404


def test_the_portal_needs_a_merchant_binding_and_a_pdf_is_never_a_public_media_file(
    client, municipality, stripe_gateway, staff_admin
):
    period, _orders, _finance = closed_november(municipality, stripe_gateway)
    statement = _rendered(period)[0]
    assert client.get(url("merchant-statements", municipality)).status_code == 302  # to the login page
    client.force_login(staff_admin)
    assert client.get(url("merchant-statements", municipality)).status_code == 403
    client.force_login(UserFactory())
    assert client.get(url("merchant-statements", municipality)).status_code == 404
    client.logout()
    assert client.get(f"/media/{statement.pdf.name}").status_code == 404


def test_a_partner_sees_only_its_own_coupon_statement(client, municipality, stripe_gateway):
    paid_orders(municipality, stripe_gateway, two_merchant_bundle(municipality), 1)
    offer = OfferFactory(partner__municipality=municipality, reimbursement_won=4_000)
    other = OfferFactory(partner__municipality=municipality, reimbursement_won=3_000)
    with time_machine.travel(IN_NOVEMBER, tick=False):
        for each in (offer, other):
            coupon_redeem(coupon=issued_coupon(each), partner=each.partner, acting_user=partner_user(each.partner))
    with time_machine.travel(AFTER_NOVEMBER, tick=False):
        period_close(period=november(municipality), acting_user=finance_user(municipality))
    _rendered(november(municipality))
    mine = Statement.objects.get(partner=offer.partner)
    theirs = Statement.objects.get(partner=other.partner)
    client.force_login(partner_user(offer.partner))
    body = client.get(url("partner-statements", municipality)).content.decode()
    assert format_won(4_000) in body and theirs.party_name not in body
    page = client.get(url("partner-statement", municipality, statement_id=mine.pk)).content.decode()
    assert "쿠폰 #" in page and format_won(4_000) in page
    assert client.get(url("partner-statement-pdf", municipality, statement_id=mine.pk)).status_code == 200
    assert client.get(url("partner-statement", municipality, statement_id=theirs.pk)).status_code == 404
    merchant_statement = Statement.objects.filter(party_kind="merchant").first()
    assert client.get(url("partner-statement", municipality, statement_id=merchant_statement.pk)).status_code == 404
    assert client.get(url("merchant-statements", municipality)).status_code == 403


def test_the_merchant_and_partner_homes_link_to_their_statements(client, municipality):
    from tests.bundles.factories import MerchantFactory
    from tests.tourism.factories import PartnerFactory

    client.force_login(merchant_user(MerchantFactory(municipality=municipality)))
    home = client.get(reverse("bundles:merchant-home", kwargs={"municipality_slug": municipality.slug}))
    assert url("merchant-statements", municipality) in home.content.decode()
    client.force_login(partner_user(PartnerFactory(municipality=municipality)))
    home = client.get(reverse("tourism:partner-home", kwargs={"municipality_slug": municipality.slug}))
    assert url("partner-statements", municipality) in home.content.decode()
