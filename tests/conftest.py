import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import translation

from tests.accounts.factories import UserFactory
from tests.browser.harness import browser, page, site  # noqa: F401 - the browser tests' fixtures, defined once
from tests.municipalities.factories import MembershipFactory, MunicipalityFactory


@pytest.fixture(scope="session", autouse=True)
def _require_postgresql(django_db_setup, django_db_blocker) -> None:
    # The suite is about row locks, constraints and set-based SQL: SQLite would pass things PostgreSQL refuses.
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            pytest.exit("Tests run on PostgreSQL: set DATABASE_URL=postgres://… (bin/test does).", returncode=1)


@pytest.fixture(autouse=True)
def _clean_cache() -> None:
    cache.clear()


@pytest.fixture(autouse=True)
def _korean_by_default(settings) -> None:
    # A request in English leaves English active in this thread (Django's LocaleMiddleware does not reset
    # it after the response); each test starts in the site's default language, as each real request does.
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session")
def localstripe_url() -> str:
    """A real localstripe HTTP server on a free loopback port for the whole run (data in memory)."""
    from demo.localstripe_server import start_in_thread

    url, stop = start_in_thread()
    yield url
    stop()


@pytest.fixture
def stripe_gateway(localstripe_url, settings):
    from subscriptions.gateways.stripe_gateway import StripeGateway

    settings.STRIPE_API_BASE = localstripe_url
    return StripeGateway()


@pytest.fixture
def municipality():
    return MunicipalityFactory(slug="hadong", name="하동군", mall_name="하동 꾸러미몰")


@pytest.fixture
def other_municipality():
    return MunicipalityFactory(slug="namhae", name="남해군", mall_name="보물섬 남해 구독몰")


@pytest.fixture
def staff_admin(municipality):
    return MembershipFactory(municipality=municipality, role="admin").user


@pytest.fixture
def user():
    return UserFactory()
