"""Browser harness: Playwright for Python driving Debian's chromium against a live Django server.

Its fixtures are registered once, in tests/conftest.py, for every app's browser tests: Playwright's sync API
allows one running instance per thread, so the session's Chromium must be a single fixture definition (a
test module importing the fixtures would define a second one and fail when both run in one session).

Never `playwright install`: the browser is the system's /usr/bin/chromium (installed by bin/setup).
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test.testcases import LiveServerThread

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures here are
# still plain synchronous code, so Django's async-safety guard must be told so.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_JS = Path(settings.NODE_MODULES) / "axe-core" / "axe.min.js"
PHONE = {"width": 360, "height": 800}
DESKTOP = {"width": 1280, "height": 900}


def artifacts_dir() -> Path:
    path = Path(os.environ.get("ARTIFACTS_DIR", settings.BASE_DIR / ".artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run bin/setup (it installs Debian's chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def site(transactional_db, settings) -> Iterator[str]:
    """A live server on a free loopback port. Static files come from WhiteNoise and the collected,
    hashed files, as in production (Django's own live-server static handler cannot serve hashed names)."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    # The test server speaks plain HTTP; secure-only cookies would never come back from the browser.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    thread = LiveServerThread("127.0.0.1", static_handler=lambda handler: handler, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP, locale="ko-KR")
    page = context.new_page()
    yield page
    context.close()


def axe_serious_violations(page) -> list[dict]:
    """Run axe-core (from npm) on the current page; return violations of impact serious or critical."""
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def log_in(page, site: str, email: str, password: str) -> None:
    page.goto(f"{site}/accounts/login/")
    page.get_by_label("이메일").fill(email)
    page.get_by_label("비밀번호").fill(password)
    page.get_by_role("button", name="로그인").click()
    page.wait_for_load_state()
