import pytest

from bundles.services import bundle_update
from kiosk.models import Kiosk
from kiosk.services import kiosk_create
from tests.subscriptions.helpers import published_bundle


@pytest.fixture
def showcase_bundle(municipality):
    """A published, featured bundle with a picture: what a kiosk shows."""
    bundle = published_bundle(municipality, cadences=("monthly",))
    return bundle_update(bundle=bundle, acting_user=None, featured=True)


@pytest.fixture
def kiosk(municipality, showcase_bundle) -> Kiosk:
    return kiosk_create(
        municipality=municipality,
        acting_user=None,
        name="시청 1층 구독경제 홍보관",
        place="하동군청 1층 로비",
        orientation=Kiosk.Orientation.LANDSCAPE,
        selection=Kiosk.Selection.FEATURED,
        category="",
        rotation_seconds=12,
        idle_seconds=60,
    )
