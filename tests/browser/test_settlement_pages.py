import pytest
import time_machine
from django.urls import reverse

from bundles.services import merchant_member_bind
from settlement import pdf
from settlement.models import Statement
from tests.accounts.factories import PASSWORD, UserFactory
from tests.browser.harness import PHONE, artifacts_dir, axe_serious_violations, log_in
from tests.municipalities.factories import MembershipFactory
from tests.settlement.helpers import AFTER_NOVEMBER
from tests.settlement.pdf_helpers import closed_november

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_finance_watches_the_pdfs_render_and_a_merchant_reads_its_statement_on_a_phone(
    site, page, municipality, stripe_gateway
):
    # given: a closed November whose PDFs are not rendered yet, a finance officer and a merchant
    period, _orders, _closer = closed_november(municipality, stripe_gateway)
    finance = UserFactory(email="finance@hadong.example.kr", name="박재무")
    MembershipFactory(municipality=municipality, user=finance, role="finance")
    statement = Statement.objects.filter(period=period).order_by("number").first()
    owner = UserFactory(email="shop@hadong.example.kr", name="김상점")
    merchant_member_bind(merchant=statement.merchant, user=owner)
    tenant = {"municipality_slug": municipality.slug}
    total = Statement.objects.filter(period=period).count()
    period_page = reverse("settlement:staff-period", kwargs={**tenant, "period_id": period.pk})
    with time_machine.travel(AFTER_NOVEMBER, tick=True):
        log_in(page, site, finance.email, PASSWORD)
        page.goto(site + reverse("municipalities:staff-home", kwargs=tenant))
        page.locator("nav[aria-label='관리자 메뉴']").get_by_role("link", name="정산", exact=True).click()
        page.get_by_role("link", name=period.label).click()
        progress = page.locator("[data-testid=pdf-progress]")
        assert progress.inner_text() == f"{total}건 중 0건 (0%)"
        # when: the render tasks run (here, in the test's thread) while the page stays open
        for each in Statement.objects.filter(period=period):
            pdf.statement_pdf_store(statement_id=each.pk)
        # then: the polling block shows them all done, without reloading the page, and stops polling
        page.wait_for_function(
            "() => document.querySelector('[data-testid=pdf-progress]').innerText.includes('(100%)')",
            timeout=15_000,
        )
        assert page.locator("#pdf-progress[hx-trigger]").count() == 0
        assert page.evaluate("() => !!window.Chart && !!window.Chart.getChart('party-chart')")
        page.screenshot(path=str(artifacts_dir() / "settlement-period.png"), full_page=True)
        staff_pages = [
            reverse("settlement:staff-periods", kwargs=tenant),
            period_page,
            reverse("settlement:staff-reconciliation", kwargs={**tenant, "period_id": period.pk}),
            reverse("settlement:staff-statement", kwargs={**tenant, "statement_id": statement.pk}),
            reverse("settlement:staff-payouts", kwargs=tenant),
        ]
        found = {}
        for path in staff_pages:
            page.goto(site + path)
            found[path] = axe_serious_violations(page)
        assert found == {path: [] for path in staff_pages}
        # and the merchant reads its statement on a phone: no sideways scrolling, PDF link there
        page.context.clear_cookies()
        page.set_viewport_size(PHONE)
        log_in(page, site, owner.email, PASSWORD)
        page.goto(site + reverse("settlement:merchant-statements", kwargs=tenant))
        page.get_by_role("link", name=period.label).click()
        assert page.get_by_role("link", name="PDF 내려받기").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert axe_serious_violations(page) == []
        page.screenshot(path=str(artifacts_dir() / "settlement-statement-phone.png"), full_page=True)
