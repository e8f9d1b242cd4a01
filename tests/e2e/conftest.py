"""A live server and a real headless Chromium for the browser tests.

The server is the real app under uvicorn on 127.0.0.1 with a fresh SQLite file; the browser is
Debian's Chromium (ONCOSPINE_CHROMIUM, default /usr/bin/chromium) driven by Playwright with
`executable_path`: nothing is downloaded. Screenshots go to ONCOSPINE_SCREENSHOTS when set
(`make screenshots` points it at docs/screenshots), else to a temporary folder.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
import yaml
from playwright.sync_api import Browser, Page, sync_playwright

from oncospine.store import Store
from oncospine.web.app import create_app
from oncospine.web.settings import Settings

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "oncospine" / "examples"
PASSWORDS = {"chair": "pw-chair-e2e", "viewer": "pw-viewer-e2e"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class LiveServer:
    def __init__(self, database: Path) -> None:
        self.store = Store(f"sqlite:///{database}")
        self.passwords = dict(PASSWORDS)
        for role, password in PASSWORDS.items():
            self.store.add_user(role, role, password=password)
        for example in sorted(EXAMPLES.glob("*.yaml")):   # a realistic list to look at
            self.store.create_case(yaml.safe_load(example.read_text("utf-8")), "seed")
        app = create_app(Settings(database_url=self.store.url), store=self.store)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                    log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.store.close()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with LiveServer(tmp_path_factory.mktemp("e2e") / "oncospine.db") as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = os.environ.get("ONCOSPINE_CHROMIUM", "/usr/bin/chromium")
    if not Path(executable).exists():
        raise RuntimeError(f"Chromium not found at {executable}: run `make test` (it installs "
                           "Debian's chromium) or set ONCOSPINE_CHROMIUM")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 900},
                                  timezone_id="Europe/London", locale="en-GB")
    p = context.new_page()
    p.set_default_timeout(15000)
    yield p
    context.close()


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("ONCOSPINE_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
