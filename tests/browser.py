"""Drive Debian's chromium through Playwright for the browser tests (map, HTML report).

Facts this follows (../shared/research/dependencies.md §6):

* Playwright 1.65 drives ``/usr/bin/chromium`` (Debian 156) when given
  ``executable_path``; without it Playwright looks under ``~/.cache/ms-playwright``
  and fails.  We never run ``playwright install``.
* Chromium writes ``~/.config/chromium`` and ``~/.cache/dconf`` even with a temporary
  profile, so the browser runs with ``HOME`` / ``XDG_*`` pointing at a temporary dir.
* Network access: :func:`block_network` aborts every request that is not ``file://``
  (or ``data:``/``blob:``) and records it, so a test can assert that a page opened
  from a file URL asked for nothing else.

Usage::

    from tests.browser import launch_chromium, block_network, require_chromium

    def test_page(tmp_path):
        require_chromium()                       # skip loudly, or fail when CI is set
        with launch_chromium() as browser:
            page = browser.new_page()
            blocked = block_network(page)
            page.goto(path.as_uri())
            assert blocked == []

The module is importable without Playwright installed; :func:`require_chromium`
skips (or fails under ``CI``) when either the package or the binary is missing.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = Path(os.environ.get("TRILHA_CHROMIUM", "/usr/bin/chromium"))

#: exact flags measured to work with Debian chromium in a container (dependencies.md §6)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

#: URL schemes a self-contained page may load without touching the network
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")

#: where tests put screenshots (gitignored)
TEST_OUTPUT = Path(__file__).resolve().parent.parent / "test-output"


def chromium_missing_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is absent (apt-get install chromium)"
    return None


def require_chromium() -> None:
    """Skip the calling test loudly when the browser is missing; fail instead when ``CI`` is set."""
    import pytest

    reason = chromium_missing_reason()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"browser test cannot run in CI: {reason}")
    pytest.skip(f"BROWSER TEST SKIPPED: {reason}")


@contextmanager
def launch_chromium(*, headless: bool = True) -> Iterator[Any]:
    """A Playwright ``Browser`` on Debian chromium, with a throwaway HOME; closed on exit."""
    from playwright.sync_api import sync_playwright

    home = tempfile.mkdtemp(prefix="trilha-chromium-")
    env = dict(os.environ)
    env.update(
        HOME=home,
        XDG_CONFIG_HOME=os.path.join(home, ".config"),
        XDG_CACHE_HOME=os.path.join(home, ".cache"),
        XDG_DATA_HOME=os.path.join(home, ".local", "share"),
    )
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=str(CHROMIUM), headless=headless, args=CHROMIUM_ARGS, env=env
            )
            try:
                yield browser
            finally:
                browser.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)


def block_network(page_or_context: Any) -> list[str]:
    """Abort every request that is not local; return the (live) list of URLs it aborted."""
    blocked: list[str] = []

    def handle(route: Any) -> None:
        url = route.request.url
        if url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    page_or_context.route("**/*", handle)
    return blocked


def fail_on_dialog(page: Any) -> list[str]:
    """Record (and dismiss) every alert/confirm/prompt the page opens; the test asserts it is empty."""
    opened: list[str] = []

    def handle(dialog: Any) -> None:
        opened.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", handle)
    return opened


def screenshot_path(name: str) -> Path:
    """A path under ``test-output/`` (created) for a screenshot named ``name``."""
    TEST_OUTPUT.mkdir(parents=True, exist_ok=True)
    return TEST_OUTPUT / name
