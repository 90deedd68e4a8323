"""End-to-end: the real app (`reflex run --env prod`) in a subprocess, driven by Chromium.

The app starts once per test session on its own port, database, upload folder and SMTP server
(a real aiosmtpd server run by the tests). Each test gets a fresh browser context.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.mailbox import SmtpServer, free_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
STARTUP_TIMEOUT = 300
SECOND_HOST = "127.0.0.2"

expect.set_options(timeout=15_000)


@dataclass
class RunningApp:
    url: str
    env: dict[str, str]
    db_url: str
    smtp: SmtpServer
    data_dir: Path
    log_path: Path

    def engine(self):
        from support_portal.db import make_engine

        return make_engine(self.db_url)


def _wait_until_up(url: str, proc: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited early:\n{log_path.read_text()[-4000:]}")
        try:
            with (
                urllib.request.urlopen(url + "/ping", timeout=2) as r1,
                urllib.request.urlopen(url + "/login", timeout=5) as r2,
            ):
                if r1.status == 200 and r2.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the app did not start in time:\n{log_path.read_text()[-4000:]}")


@contextlib.contextmanager
def _serving(command: list[str], *, env: dict[str, str], url: str, log_path: Path):
    """Run a server in its own process group until the block ends; its output goes to log_path."""
    with log_path.open("wb") as log:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        _wait_until_up(url, proc, log_path)
        yield proc
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)


@pytest.fixture(scope="session")
def app_backend(request: pytest.FixtureRequest) -> dict[str, str]:
    """SQLite and the in-process hub by default; PostgreSQL, Redis and two workers on request."""
    from tests.conftest import BACKEND

    if BACKEND != "postgres":
        return {}
    pg = request.getfixturevalue("pg_server")
    redis = request.getfixturevalue("redis_server")
    return {"DB_URL": pg.create_database("e2e"), "REDIS_URL": redis.url, "WORKERS": "2"}


@pytest.fixture(scope="session")
def app(
    tmp_path_factory: pytest.TempPathFactory, app_backend: dict[str, str]
) -> Iterator[RunningApp]:
    data_dir = tmp_path_factory.mktemp("e2e-data")
    port = int(os.environ.get("E2E_PORT", free_port()))
    smtp = SmtpServer().start()
    db_url = app_backend.get("DB_URL") or f"sqlite:///{data_dir / 'e2e.db'}"
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DB_URL": db_url,
        "SECRET_KEY": "e2e-secret-key-0123456789abcdefghijklmnop",
        "PUBLIC_URL": url,
        "PORT": str(port),
        "UPLOAD_DIR": str(data_dir / "uploads"),
        "MAILBOX_DIR": str(data_dir / "mailbox"),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "SMTP_SECURITY": "none",
        "MAIL_FROM": "Support <no-reply@portal.test>",
        "MAIL_RETRY_BASE_SECONDS": "0.5",
        # Every browser in the suite comes from 127.0.0.1: per-address caps would add up
        # across tests (unit tests check the caps themselves).
        "RATE_LIMIT_IP_FACTOR": "50",
        # Promised reply times count every hour, so a test can put one a few seconds ahead.
        "BUSINESS_HOURS": "24/7",
        # The webhook tests' receiver listens on loopback.
        "WEBHOOK_ALLOW_PRIVATE": "true",
        # A second instance of the app may serve the same build on 127.0.0.2 (same port).
        "ALLOWED_ORIGINS": f"http://{SECOND_HOST}:{port}",
        "REFLEX_USE_NPM": "1",
        **{k: v for k, v in app_backend.items() if k != "DB_URL"},
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("E2E_PORT", None)
    # The in-process ASGI fixture of the integration tests (same pytest run) points Reflex at a
    # throwaway web folder without a frontend build; the real app must not inherit that.
    for name in ("REFLEX_WEB_WORKDIR", "REFLEX_ENV_MODE", "__REFLEX_SKIP_COMPILE"):
        env.pop(name, None)
    if "REDIS_URL" not in app_backend:
        env.pop("REDIS_URL", None)
    subprocess.run(
        [sys.executable, "-m", "support_portal.cli", "migrate"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    log_path = data_dir / "app.log"
    command = [str(Path(sys.executable).parent / "reflex"), "run", "--env", "prod",
               "--single-port", "--frontend-port", str(port), "--backend-host", "127.0.0.1",
               "--loglevel", "info"]  # fmt: skip
    try:
        with _serving(command, env=env, url=url, log_path=log_path):
            yield RunningApp(
                url=url, env=env, db_url=db_url, smtp=smtp, data_dir=data_dir, log_path=log_path
            )
    finally:
        smtp.stop()
        if os.environ.get("E2E_KEEP_DATA") != "1":
            shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def second_instance(app: RunningApp, app_backend: dict[str, str]) -> Iterator[str]:
    """Another app process on 127.0.0.2 (same port, same build) sharing PostgreSQL and Redis.

    The frontend bakes only the port into its websocket address and takes the host from the
    page, so a browser on http://127.0.0.2:PORT talks to this instance.
    """
    if "REDIS_URL" not in app_backend:
        pytest.skip("two instances need PostgreSQL and Redis (SP_TEST_BACKEND=postgres)")
    port = app.url.rsplit(":", 1)[1]
    env = {
        **app.env,
        "WORKERS": "1",
        "REFLEX_ENV_MODE": "prod",
        "__REFLEX_SKIP_COMPILE": "1",
        "__REFLEX_MOUNT_FRONTEND_COMPILED_APP": "1",
    }
    command = [str(Path(sys.executable).parent / "granian"), "--interface", "asgi", "--factory",
               "--host", SECOND_HOST, "--port", port, "--workers", "1",
               "support_portal.support_portal:app"]  # fmt: skip
    url = f"http://{SECOND_HOST}:{port}"
    with _serving(command, env=env, url=url, log_path=app.data_dir / "second.log"):
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; `make test` installs it")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Browser, app: RunningApp) -> Iterator[BrowserContext]:
    ctx = browser.new_context(base_url=app.url, locale="en-US", timezone_id="Europe/Prague")
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def new_context(browser: Browser, app: RunningApp):
    """Extra browser contexts (a second person), closed after the test."""
    made: list[BrowserContext] = []

    def make(**kwargs) -> BrowserContext:
        ctx = browser.new_context(base_url=app.url, locale="en-US", **kwargs)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()


def scratch_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="e2e-files-"))
