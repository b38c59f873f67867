import pytest
from django.urls import reverse

from municipalities.models import Role
from tests.accounts.factories import PASSWORD, UserFactory
from tests.browser.harness import PHONE, artifacts_dir, axe_serious_violations, log_in
from tests.municipalities.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_logs_in_and_opens_the_staff_home(site, page, municipality):
    # given
    admin = UserFactory(email="admin@hadong.example.kr", name="김하늘")
    MembershipFactory(municipality=municipality, user=admin, role=Role.ADMIN)
    # when
    log_in(page, site, admin.email, PASSWORD)
    page.goto(site + reverse("municipalities:staff-home", kwargs={"municipality_slug": municipality.slug}))
    # then
    assert page.get_by_role("heading", level=1).first.inner_text().strip() == "대시보드"
    assert page.locator("nav[aria-label='관리자 메뉴']").is_visible()
    page.screenshot(path=str(artifacts_dir() / "staff-home-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(artifacts_dir() / "staff-home-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_pages_of_the_foundation_have_no_serious_accessibility_violations(site, page, municipality):
    # given
    admin = UserFactory(email="admin@hadong.example.kr", name="김하늘")
    MembershipFactory(municipality=municipality, user=admin, role=Role.ADMIN)
    member = MembershipFactory(municipality=municipality, role=Role.CURATOR)
    tenant = {"municipality_slug": municipality.slug}
    public_pages = [
        reverse("home"),
        reverse("bundles:storefront", kwargs=tenant),
        reverse("accounts:login"),
        reverse("accounts:signup"),
        reverse("accounts:password-reset"),
    ]
    private_pages = [
        reverse("accounts:home"),
        reverse("municipalities:staff-home", kwargs=tenant),
        reverse("municipalities:staff-members", kwargs=tenant),
        reverse("municipalities:staff-member", kwargs={**tenant, "membership_id": member.pk}),
        reverse("municipalities:staff-access-log", kwargs=tenant),
    ]
    found: dict[str, list] = {}
    # when
    for viewport in ({"width": 1280, "height": 900}, PHONE):
        page.set_viewport_size(viewport)
        page.context.clear_cookies()
        for path in public_pages:
            page.goto(site + path)
            found[f"{path} @{viewport['width']}"] = axe_serious_violations(page)
        log_in(page, site, admin.email, PASSWORD)
        for path in private_pages:
            page.goto(site + path)
            found[f"{path} @{viewport['width']}"] = axe_serious_violations(page)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
    # then
    assert {path: v for path, v in found.items() if v} == {}


def test_login_form_errors_are_announced(site, page):
    page.goto(f"{site}/accounts/login/")
    page.get_by_label("이메일").fill("nobody@example.kr")
    page.get_by_label("비밀번호").fill("wrong-password")
    page.get_by_role("button", name="로그인").click()
    alert = page.get_by_role("alert").first
    assert "이메일 또는 비밀번호가 올바르지 않습니다" in alert.inner_text()
