"""The kiosk screen in headless Chromium: it rotates through the bundles, opens browsing on a touch, and
keeps showing its last content from the service worker's cache after the server has gone away."""

import contextlib
import socket
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

from bundles.services import bundle_set_hero_image, bundle_update
from demo.seed.images import picture_jpeg
from kiosk.models import Kiosk
from kiosk.services import kiosk_create
from tests.browser.harness import artifacts_dir, axe_serious_violations
from tests.subscriptions.helpers import published_bundle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROTATION_SECONDS = 3


class _ClosingServer(ThreadedWSGIServer):
    """Remembers its open connections, so stopping it also drops the keep-alive ones a browser holds
    (ThreadedWSGIServer's handler threads would otherwise go on answering on them)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.open_connections: set[socket.socket] = set()

    def process_request(self, request, client_address) -> None:
        self.open_connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:
        self.open_connections.discard(request)
        super().shutdown_request(request)

    def drop_connections(self) -> None:
        for connection in list(self.open_connections):
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)


class _StoppableServerThread(LiveServerThread):
    server_class = _ClosingServer

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.drop_connections()
        self.httpd.server_close()
        self.join()


@dataclass
class StoppableSite:
    url: str
    thread: _StoppableServerThread
    stopped: bool = False

    def stop(self) -> None:
        self.thread.stop()
        self.stopped = True


@pytest.fixture
def stoppable_site(transactional_db, settings, tmp_path) -> Iterator[StoppableSite]:
    """Like tests/browser/conftest.py's `site`, but the test may take the server away mid-test."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    settings.MEDIA_ROOT = tmp_path
    thread = _StoppableServerThread("127.0.0.1", static_handler=lambda handler: handler, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    site = StoppableSite(f"http://127.0.0.1:{thread.port}", thread)
    settings.SITE_URL = site.url
    yield site
    if not site.stopped:
        site.stop()


def showcase(municipality, names: list[str]) -> list:
    bundles = []
    for name in names:
        bundle = published_bundle(municipality, cadences=("monthly",))
        bundle = bundle_update(bundle=bundle, acting_user=None, name=name, featured=True)
        picture = picture_jpeg(title=name, subtitle=bundle.summary, category=bundle.category, size=(900, 600))
        bundles.append(
            bundle_set_hero_image(bundle=bundle, upload=ContentFile(picture, name="b.jpg"), acting_user=None)
        )
    return bundles


def current_bundle(page) -> str:
    return page.locator(".slide.is-current").get_attribute("data-bundle-id")


def test_kiosk_rotates_and_survives_the_server_going_away(stoppable_site, page, municipality):
    # given: three featured bundles with pictures, on a kiosk that turns the page every 3 seconds
    bundles = showcase(municipality, ["화개 햇차 꾸러미", "섬진강 재첩 꾸러미", "악양 대봉감 꾸러미"])
    kiosk = kiosk_create(
        municipality=municipality,
        acting_user=None,
        name="시청 1층 구독경제 홍보관",
        place="하동군청 1층 로비",
        orientation=Kiosk.Orientation.LANDSCAPE,
        selection=Kiosk.Selection.FEATURED,
        category="",
        rotation_seconds=ROTATION_SECONDS,
        idle_seconds=30,
    )
    shots = artifacts_dir()
    screen = f"{stoppable_site.url}{kiosk.get_absolute_url()}"

    # when: the screen opens
    page.goto(screen)
    # then: a bundle with its picture, price and QR code; the service worker takes over and stores it all
    first = current_bundle(page)
    assert first in {str(bundle.pk) for bundle in bundles}
    slide = page.locator(".slide.is-current")
    assert slide.locator(".slide-price").inner_text() == "한 상자 39,000원부터"
    assert slide.locator(".slide-photo img").evaluate("img => img.naturalWidth") == 900
    assert slide.locator(".slide-qr img").evaluate("img => img.naturalWidth") > 200
    page.wait_for_function("document.body.dataset.offline === 'ready'", timeout=15_000)
    assert axe_serious_violations(page) == []
    page.screenshot(path=str(shots / "kiosk-screen.png"))

    # when: the rotation interval passes
    page.wait_for_function(
        f"document.querySelector('.slide.is-current').dataset.bundleId !== '{first}'",
        timeout=(ROTATION_SECONDS + 3) * 1000,
    )
    # then: the next bundle shows
    second = current_bundle(page)
    assert second != first
    page.screenshot(path=str(shots / "kiosk-screen-next.png"))

    # when: a visitor touches the screen
    page.mouse.click(640, 450)
    # then: the loop stops and the bundles can be browsed by category, each with its QR code
    page.locator("#browse").wait_for(state="visible")
    page.wait_for_timeout(500)  # past the guard that keeps the opening touch from choosing a bundle
    assert page.locator(".browse-card").count() == 3
    page.screenshot(path=str(shots / "kiosk-browse.png"))
    page.locator(".browse-card").first.click()
    assert page.locator("#browse-detail .slide-qr img").is_visible()
    page.screenshot(path=str(shots / "kiosk-browse-detail.png"))
    page.get_by_role("button", name="처음 화면으로").click()
    page.locator("#attract").wait_for(state="visible")

    # when: the server goes away and the screen reloads
    stoppable_site.stop()
    page.reload()
    # then: the page, its pictures and QR codes come from the cache, the loop still turns, and it says so
    page.locator(".slide.is-current").wait_for()
    assert page.locator(".slide").count() == 3
    names = page.locator(".slide-name").all_text_contents()
    assert sorted(names) == sorted(bundle.name for bundle in bundles)
    offline_first = current_bundle(page)
    assert page.locator(".slide.is-current .slide-photo img").evaluate("img => img.naturalWidth") == 900
    page.wait_for_function(
        f"document.querySelector('.slide.is-current').dataset.bundleId !== '{offline_first}'",
        timeout=(ROTATION_SECONDS + 3) * 1000,
    )
    page.locator("#kiosk-status").wait_for(state="visible")
    assert "마지막으로 받은 내용" in page.locator("#kiosk-status").inner_text()
    page.screenshot(path=str(shots / "kiosk-screen-offline.png"))


def test_portrait_kiosk_and_the_brand_screen(site, page, municipality, settings, tmp_path):
    # given: a portrait kiosk showing one category, and one whose category has nothing to show
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = site
    [tea] = showcase(municipality, ["화개 햇차 꾸러미"])
    bundle_update(bundle=tea, acting_user=None, category="tea")
    kiosks = {
        category: kiosk_create(
            municipality=municipality,
            acting_user=None,
            name=f"관광안내소 {category}",
            place="화개장터 관광안내소",
            orientation=Kiosk.Orientation.PORTRAIT,
            selection=Kiosk.Selection.CATEGORY,
            category=category,
            rotation_seconds=10,
            idle_seconds=30,
        )
        for category in ("tea", "liquor")
    }
    page.set_viewport_size({"width": 720, "height": 1280})
    shots = artifacts_dir()
    # when
    page.goto(f"{site}{kiosks['tea'].get_absolute_url()}")
    # then
    assert page.locator(".slide.is-current .slide-name").inner_text() == "화개 햇차 꾸러미"
    assert page.locator(".slide.is-current .slide-qr img").is_visible()
    assert axe_serious_violations(page) == []
    page.screenshot(path=str(shots / "kiosk-portrait.png"))
    # when: nothing to show
    page.goto(f"{site}{kiosks['liquor'].get_absolute_url()}")
    # then: the municipality's brand screen, with a QR code to the mall
    assert page.locator("body").get_attribute("data-mode") == "brand"
    assert page.locator("#brand .brand-title").inner_text() == municipality.mall_name
    assert page.locator("#brand .brand-qr img").is_visible()
    assert axe_serious_violations(page) == []
    page.screenshot(path=str(shots / "kiosk-brand.png"))
