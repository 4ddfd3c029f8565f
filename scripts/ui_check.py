"""The demo in a real browser, as a new user meets it (run through ``scripts/ui_check``).

It starts ``scripts/develop`` on free ports against a fresh configuration folder, then drives
Debian's chromium with Playwright through:

1. onboarding, and the UI loading in under 5 s after it (no answer of Home Assistant is a 5xx);
2. *Add integration*: the integration found by name, with its icon;
3. the setup: the keys form (a wrong application key first, and its message), the region
   question (the simulator is the extra region ``ovh-sim``), the delivery-reports step and
   the received-SMS push step (both turned on);
4. the device page: credits and the two event entities;
5. ``send_sms`` from *Developer tools > Actions*, with its response;
6. an SMS injected in the simulator and pushed to the webhook (``inject-sms --via``), shown
   by the received-SMS entity at once;
7. a delivery report (``python -m ovh_simulator deliver --via ...``), shown by the
   delivery-status entity;
8. the options (a polling interval too short, then a good one; the callback URL already set,
   the push too, with the time of the last one);
9. a contact (the form names the country and says when Assist over SMS is safe; the contact
   is not let talk to Assist);
10. Assist by text (the conversation integration, which SMS conversations rely on).

Each step waits for what it needs (no fixed sleeps) within a bounded time; the first one
that breaks stops the run with its message and a screenshot. Everything it started (one
process group) is stopped at the end. The README's screenshots go to ``docs/images/``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
import contextlib
import io
import json
import os
from pathlib import Path
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from typing import Any
import urllib.error
import urllib.request

from PIL import Image
from playwright.sync_api import (
    BrowserContext,
    Error as PlaywrightError,
    Locator,
    Page,
    Response,
    ViewportSize,
    WebSocket,
    expect,
    sync_playwright,
)

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
USER, PASSWORD = "demo", "demo-password"
KEYS = {
    "application_key": "demo-app-key",
    "application_secret": "demo-app-secret",
    "consumer_key": "demo-consumer-key",
}
INTEGRATION = "OVHcloud SMS (virtual number)"
# How long one browser action or expectation may wait; Home Assistant's start; a pushed SMS
# (it arrives at once); the UI after onboarding (the bound); the whole run.
WAIT_MS = 20_000
START_S = 180
PUSH_S = 10
LOAD_S = 5.0
RUN_S = 480
# Whether the more-info dialog's attributes show every one of some values. Each value is
# text right in the shadow root of ha-attribute-value, which Playwright's text locators miss.
SHOWS_ATTRIBUTES = """values => {
    const shown = [];
    const walk = root => root.querySelectorAll("*").forEach(element => {
        if (element.shadowRoot) walk(element.shadowRoot);
        if (element.localName === "ha-attribute-value" && element.shadowRoot)
            shown.push(element.shadowRoot.textContent.trim());
    });
    walk(document);
    return values.every(value => shown.includes(value));
}"""
# Home Assistant's own proxies of internet resources: a gateway error is right offline.
INTERNET_PROXIES = ("/api/map_tiles/", "/api/brands/")
# README screenshots: a fixed window, kept small by a 64-colour palette.
VIEWPORT: ViewportSize = {"width": 1100, "height": 1000}


class CheckError(Exception):
    """A step of the check failed."""


def log(message: str) -> None:
    """Print one line of progress."""
    print(message, flush=True)  # noqa: T201


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def answers(url: str) -> bool:
    """Whether ``url`` answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
            return bool(response.status == 200)
    except urllib.error.URLError, OSError:
        return False


class Demo:
    """``scripts/develop`` in its own process group, with its output in a log file."""

    def __init__(self, work: Path) -> None:
        """Pick free ports; nothing starts yet."""
        self.port = free_port()
        self.sim_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.sim_url = f"http://127.0.0.1:{self.sim_port}"
        self.config = work / "config"
        self.log_path = work / "develop.log"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the simulator and Home Assistant; return once the UI answers."""
        command = [
            str(ROOT / "scripts" / "develop"),
            *("--port", str(self.port), "--sim-port", str(self.sim_port)),
            *("--config", str(self.config)),
        ]
        with self.log_path.open("wb") as output:
            self._process = subprocess.Popen(  # noqa: S603 - our own script
                command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + START_S
        while not answers(f"{self.url}/manifest.json"):
            if self._process.poll() is not None:
                raise CheckError(f"scripts/develop stopped (code {self._process.returncode})")
            if time.monotonic() > deadline:
                raise CheckError(f"Home Assistant did not answer on {self.url} in {START_S} s")
            time.sleep(0.5)

    def simulator(self, *args: str) -> str:
        """Run ``python -m ovh_simulator ARGS`` against this simulator; return its output."""
        command = [str(PYTHON), "-m", "ovh_simulator", *args, "--url", self.sim_url]
        result = subprocess.run(  # noqa: S603 - our own module
            command, cwd=ROOT, capture_output=True, text=True, timeout=30, check=False
        )
        if result.returncode:
            raise CheckError(f"{' '.join(command[1:])}: {result.stderr.strip()}")
        return result.stdout

    def stop(self) -> None:
        """Stop the process group started here (and only it)."""
        if self._process is None or self._process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._process.pid, signal.SIGTERM)
        try:
            self._process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(timeout=10)

    def log_tail(self, lines: int = 30) -> str:
        """The end of Home Assistant's output."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


class Check:
    """The browser session and what it has seen."""

    def __init__(self, page: Page, demo: Demo, work: Path, images: Path, passed: list[str]) -> None:
        """Watch every HTTP answer and websocket message of Home Assistant."""
        self.passed = passed
        self.page = page
        self.demo = demo
        self.work = work
        self.images = images
        self.server_errors: list[str] = []
        self.frames: list[str] = []
        self.started = time.monotonic()
        self.number = 0
        page.on("response", self._response)
        page.on("websocket", self._websocket)

    def _response(self, response: Response) -> None:
        if not response.url.startswith(self.demo.url) or response.status < 500:
            return
        path = response.url.removeprefix(self.demo.url)
        if path.startswith(INTERNET_PROXIES) and response.status in {502, 503, 504}:
            return  # Map tiles and brand images come from the internet (closed here).
        self.server_errors.append(f"{response.status} {response.request.method} {path}")

    def _websocket(self, websocket: WebSocket) -> None:
        websocket.on("framereceived", self._frame)

    def _frame(self, payload: str | bytes) -> None:
        if isinstance(payload, str) and "credits_removed" in payload:
            self.frames.append(payload)

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        """One step: its time, and on failure a screenshot and a clear message."""
        self.number += 1
        if time.monotonic() - self.started > RUN_S:
            raise CheckError(f"the check ran over {RUN_S} s before step {name!r}")
        log(f"== {self.number}. {name}")
        began = time.monotonic()
        try:
            yield
        except (PlaywrightError, CheckError, AssertionError) as err:
            shot = self.work / f"failed-step-{self.number}.png"
            with contextlib.suppress(PlaywrightError):
                self.page.screenshot(path=shot)
            lines = [line.strip() for line in str(err).splitlines() if line.strip()] or [repr(err)]
            # Playwright's first line says what failed; its call log, on what.
            waited = next((line for line in lines if line.startswith("- waiting for")), "")
            raise CheckError(
                f"step {self.number} ({name}) failed: {lines[0]} {waited}\n"
                f"   page: {self.page.url}\n   screenshot: {shot}"
            ) from err
        if self.server_errors:
            raise CheckError(
                f"step {self.number} ({name}): Home Assistant answered "
                + "; ".join(self.server_errors)
            )
        self.passed.append(name)
        log(f"   ok ({time.monotonic() - began:.1f} s)")

    def save(self, name: str, target: Locator, height: int | None = None) -> None:
        """Save a README screenshot of ``target`` (its top ``height`` px) as a small PNG."""
        image = Image.open(io.BytesIO(target.screenshot())).convert("RGB")
        if height is not None:
            image = image.crop((0, 0, image.width, min(height, image.height)))
        image = image.quantize(colors=64, dither=Image.Dither.NONE)
        self.images.mkdir(parents=True, exist_ok=True)
        path = self.images / f"{name}.png"
        image.save(path, optimize=True)
        log(
            f"   saved {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}"
            f" ({path.stat().st_size // 1024} KiB)"
        )

    # ------------------------------------------------------------------------------ steps

    def onboarding(self) -> None:
        """Onboard as a French home; the UI must load fast after the last click."""
        page = self.page
        page.goto(f"{self.demo.url}/")
        page.get_by_role("button", name="Create my smart home").click()
        page.locator("input[name=name]").fill("Demo")
        page.locator("input[name=username]").fill(USER)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("input[name=password_confirm]").fill(PASSWORD)
        page.get_by_role("button", name="Create account").click()
        page.get_by_text("Home location").wait_for()
        page.get_by_role("button", name="Next").click()
        # Numbers written without a country code are read as numbers of this country.
        page.locator("ha-country-picker").click()
        page.get_by_placeholder("Search").fill("France")
        page.get_by_text("France", exact=True).first.click()
        expect(page.locator("ha-country-picker").get_by_text("France")).to_be_visible()
        page.get_by_role("button", name="Next").click()
        page.get_by_text("Basic analytics", exact=True).first.wait_for()
        page.get_by_role("button", name="Next").click()
        finish = page.get_by_role("button", name="Finish")
        finish.wait_for()
        clicked = time.monotonic()
        finish.click()
        self.sidebar("Settings").wait_for(timeout=LOAD_S * 1000)
        page.locator("partial-panel-resolver").first.wait_for(timeout=LOAD_S * 1000)
        loaded = time.monotonic() - clicked
        if loaded > LOAD_S:
            raise CheckError(f"the UI took {loaded:.1f} s to load after onboarding")
        log(f"   the UI loaded {loaded:.1f} s after onboarding")
        # The REST list of actions imports built-ins the demo may lack (issue of a 500).
        domains = page.evaluate(
            "async () => (await document.querySelector('home-assistant')"
            ".hass.callApi('GET', 'services')).length"
        )
        log(f"   GET /api/services lists the actions of {domains} integrations")

    def sidebar(self, item: str) -> Locator:
        """An item of the sidebar."""
        return self.page.locator("ha-sidebar").get_by_text(item, exact=True)

    def dialog(self) -> Locator:
        """The open config/options flow dialog."""
        return self.page.locator("dialog-data-entry-flow")

    def add_integration(self) -> None:
        """Find the integration by name, with its icon, and open its setup."""
        page = self.page
        self.sidebar("Settings").click()
        page.get_by_text("Devices & services").first.click()
        page.get_by_role("button", name="Add integration").click()
        page.get_by_placeholder("Search for a brand name").fill("OVH SMS")
        item = page.get_by_text(INTEGRATION, exact=True)
        item.wait_for()
        icon = page.locator("img[src*='/api/brands/integration/ovh_sms_virtual/icon']").first
        try:
            page.wait_for_function(
                "img => img.complete && img.naturalWidth > 0", arg=icon.element_handle()
            )
        except PlaywrightError as err:
            raise CheckError(f"the integration's icon did not load: {err}") from err
        item.click()

    def setup(self) -> str:
        """The whole setup, with one wrong key first. Returns the callback URL shown."""
        dialog = self.dialog()
        expect(dialog.get_by_text("OVHcloud API keys")).to_be_visible(timeout=WAIT_MS)
        dialog.locator("input[name=name]").fill("Home")
        for field, value in KEYS.items():
            dialog.locator(f"input[name={field}]").fill(value)
        self.save("setup-form", self.dialog_box())
        # The simulator is the region registered beyond OVHcloud's own.
        dialog.locator("ha-selector-select").click()
        self.page.get_by_role("menuitem", name="ovh-sim").or_(
            self.page.get_by_role("option", name="ovh-sim")
        ).first.click()
        dialog.locator("input[name=application_key]").fill("not-a-key")
        dialog.get_by_role("button", name="Submit").click()
        expect(dialog.get_by_text("OVHcloud does not know this application key")).to_be_visible()
        dialog.locator("input[name=application_key]").fill(KEYS["application_key"])
        dialog.get_by_role("button", name="Submit").click()

        expect(dialog.get_by_text("has no status-change callback URL yet")).to_be_visible()
        url_text = dialog.get_by_text(re.compile(r"/api/webhook/[0-9a-f]{64}")).first
        url = re.search(r"https?://\S+/api/webhook/[0-9a-f]{64}", url_text.inner_text())
        if url is None:
            raise CheckError("the delivery-reports step shows no callback URL")
        switch = dialog.get_by_role("switch")
        dialog.locator("ha-selector-boolean").click()
        expect(switch).to_be_checked()
        self.save("delivery-reports", self.dialog_box())
        dialog.get_by_role("button", name="Submit").click()

        # Then the push of received SMS, to the same address.
        expect(dialog.get_by_text("calls no address for received SMS yet")).to_be_visible()
        expect(dialog.get_by_text(url.group(0))).to_be_visible()
        expect(switch).not_to_be_checked()
        dialog.locator("ha-selector-boolean").click()
        expect(switch).to_be_checked()
        self.save("received-sms-push", self.dialog_box())
        dialog.get_by_role("button", name="Submit").click()
        expect(dialog.get_by_text("The virtual number is ready")).to_be_visible()
        dialog.get_by_role("button", name=re.compile("finish", re.IGNORECASE)).first.click()
        expect(dialog).to_be_hidden()
        return url.group(0)

    def dialog_box(self) -> Locator:
        """The visible box of the flow dialog (for screenshots)."""
        return self.dialog().locator("dialog").first

    def device_page(self) -> None:
        """The device shows its credits and its two event entities."""
        page = self.page
        page.goto(f"{self.demo.url}/config/integrations/integration/ovh_sms_virtual")
        page.get_by_text("SMS virtual number", exact=False).first.click()
        expect(page.get_by_text("Credits left")).to_be_visible()
        expect(page.get_by_text(re.compile(r"\d+(\.\d+)?\s*credits"))).to_be_visible()
        expect(page.get_by_title("Received SMS")).to_be_visible()
        expect(page.get_by_title("Delivery status")).to_be_visible()

    def send_sms(self) -> None:
        """Developer tools > Actions: send_sms from the UI, and its response."""
        page = self.page
        page.goto(f"{self.demo.url}/developer-tools/action")
        page.locator("ha-service-picker").click()
        page.locator("ha-service-picker ha-picker-combo-box input").fill("send_sms")
        page.get_by_text("ovh_sms_virtual.send_sms").click()
        page.get_by_role("button", name="Add").click()
        page.locator("input[type=tel]").fill("06 12 34 56 78")
        page.locator("textarea").fill("Hello from Home Assistant")
        page.get_by_role("button", name="Perform action").click()
        response = page.get_by_text("message_ids")
        expect(response).to_be_visible()
        expect(page.get_by_text("'+33612345678'")).to_be_visible()
        # The button shows a tick for a moment after success: the picture shows it at rest.
        expect(page.locator("ha-progress-button ha-button.result")).to_have_count(0)
        # The browser shows 1 (JavaScript has one number type); Home Assistant sends 1.0.
        if not any(re.search(r'"credits_removed":\s*1\.0', frame) for frame in self.frames):
            raise CheckError(f"credits_removed is not sent as a float: {self.frames}")
        page.set_viewport_size(ViewportSize(width=VIEWPORT["width"], height=1500))
        try:
            self.save("send-sms-action", page.locator("tools-action, developer-tools-action"))
        finally:
            page.set_viewport_size(VIEWPORT)

    def received_sms(self) -> None:
        """An SMS injected in the simulator, pushed to the webhook, shows in its entity.

        The push reaches Home Assistant at once: no wait for a poll.
        """
        page = self.page
        text = f"STATUS {time.strftime('%H%M%S')}"
        self.device_page()
        page.get_by_title("Received SMS").click()
        more_info = page.locator("ha-more-info-dialog")
        more_info.get_by_role("button", name="Menu").click()
        page.get_by_role("menuitem", name="Details").click()
        output = self.demo.simulator(
            "inject-sms", "--sender", "+33611111111", "--message", text, "--via", self.demo.url
        )
        push = json.loads(output).get("push") or {}
        if push.get("status") != 200:
            raise CheckError(f"the push of the SMS was not accepted: {push}")
        page.wait_for_function(SHOWS_ATTRIBUTES, arg=[text, "+33611111111"], timeout=PUSH_S * 1000)
        page.keyboard.press("Escape")
        expect(more_info).to_be_hidden()

    def delivery_report(self) -> None:
        """A delivery report from the simulator shows in the delivery-status entity."""
        page = self.page
        self.demo.simulator("deliver", "--via", self.demo.url)
        expect(page.get_by_text("Delivered", exact=True).first).to_be_visible()
        # Shown again, with no row focused by the dialogs of the steps before.
        page.reload()
        expect(page.get_by_text("Delivered", exact=True).first).to_be_visible()
        page.mouse.move(0, 0)
        # Its top part: the activity card stretches down to the bottom of the window.
        self.save("device", page.locator("ha-config-device-page").first, height=830)

    def options(self, callback_url: str) -> None:
        """A polling interval under 10 s is refused in words; the callback URL is set."""
        page = self.page
        dialog = self.dialog()
        page.goto(f"{self.demo.url}/config/integrations/integration/ovh_sms_virtual")
        page.get_by_role("button", name="Configure").first.click()
        dialog.get_by_text("Polling, deletion, sending cap and credits").click()
        interval = dialog.locator("input[type=number]").first
        interval.fill("5")
        dialog.get_by_role("button", name="Submit").click()
        expect(dialog.get_by_text("must be at least 10 s")).to_be_visible()
        interval.fill("15")
        dialog.get_by_role("button", name="Submit").click()
        expect(dialog.get_by_text("Options successfully saved")).to_be_visible()
        dialog.get_by_role("button", name="Finish").click()
        expect(dialog).to_be_hidden()

        page.get_by_role("button", name="Configure").first.click()
        dialog.get_by_text("Delivery reports and received SMS").click()
        expect(dialog.get_by_text("already sends these reports")).to_be_visible()
        expect(dialog.get_by_text(callback_url)).to_be_visible()
        expect(dialog.get_by_role("switch")).to_have_count(0)
        dialog.get_by_role("button", name="Submit").click()
        # The push reached Home Assistant in the received-SMS step: the screen says when.
        expect(dialog.get_by_text("already calls Home Assistant")).to_be_visible()
        expect(dialog.get_by_text("Last call received and checked for this number")).to_be_visible()
        expect(dialog.get_by_role("switch")).to_have_count(0)
        dialog.get_by_role("button", name="Submit").click()
        dialog.get_by_role("button", name="Finish").click()
        expect(dialog).to_be_hidden()

    def assist(self) -> None:
        """Assist (the conversation integration, its default agent) answers by text."""
        page = self.page
        page.goto(f"{self.demo.url}/")
        page.get_by_role("button", name=re.compile(r"^Assist")).click()
        dialog = page.locator("ha-voice-command-dialog")
        request = dialog.get_by_role("textbox")
        request.fill("What time is it?")
        request.press("Enter")
        expect(dialog.get_by_text(re.compile(r"^\d{1,2}:\d{2}"))).to_be_visible()
        page.keyboard.press("Escape")
        expect(dialog.get_by_role("textbox")).to_be_hidden()

    def contact(self) -> None:
        """Add a contact; the form names the country and says who Assist answers."""
        page = self.page
        dialog = self.dialog()
        page.get_by_role("button", name="Add contact").click()
        expect(dialog.get_by_text("Home Assistant's country: France")).to_be_visible()
        expect(dialog.get_by_text("only contacts allowed below get an answer")).to_be_visible()
        expect(dialog.get_by_role("switch")).not_to_be_checked()
        dialog.locator("input[name=name]").fill("Alice")
        dialog.locator("input[name=phone_number]").fill("06 11 22 33 44")
        dialog.get_by_role("button", name="Submit").click()
        dialog.get_by_role("button", name="Finish").click()
        expect(dialog).to_be_hidden()
        expect(page.get_by_text("Alice").first).to_be_visible()


def run(demo: Demo, work: Path, images: Path, passed: list[str]) -> None:
    """Start the demo, then walk through it in the browser."""
    log(f"Starting scripts/develop: Home Assistant {demo.url}, simulator {demo.sim_url}")
    began = time.monotonic()
    demo.start()
    log(f"   Home Assistant answers after {time.monotonic() - began:.1f} s")
    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        context: BrowserContext = playwright.chromium.launch_persistent_context(
            str(work / "chromium-profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=VIEWPORT,
            locale="en-GB",
            timezone_id="Europe/Paris",
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(WAIT_MS)
            check = Check(page, demo, work, images, passed)
            steps: list[tuple[str, Callable[[], Any]]] = [
                ("onboarding, then the UI loads", check.onboarding),
                ("Add integration finds it, with its icon", check.add_integration),
            ]
            for name, action in steps:
                with check.step(name):
                    action()
            with check.step("setup: keys (one wrong), region, delivery reports, push"):
                callback_url = check.setup()
            for name, action in [
                ("device page: credits and events", check.device_page),
                ("send_sms from Developer tools, with its response", check.send_sms),
                ("a pushed SMS shows in its entity at once", check.received_sms),
                ("a delivery report shows in its entity", check.delivery_report),
                (
                    "options: polling interval, callback URL, push",
                    lambda: check.options(callback_url),
                ),
                ("a contact: the country named, who Assist answers", check.contact),
                ("Assist answers by text", check.assist),
            ]:
                with check.step(name):
                    action()
        finally:
            context.close()


def main() -> int:
    """Run the check; 0 when every step passed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--images", type=Path, default=ROOT / "docs" / "images", help="where README images go"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder on success")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        log(f"{CHROMIUM} is missing: run scripts/ui_check (it installs Debian's chromium)")
        return 1
    # A stop (Ctrl+C, or CI's timeout) still stops what was started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = Path(tempfile.mkdtemp(prefix="ui_check-"))
    demo = Demo(work)
    began = time.monotonic()
    passed: list[str] = []
    try:
        run(demo, work, args.images.resolve(), passed)
    except CheckError as err:
        log(f"FAIL {err}")
        log(f"Home Assistant's last lines ({demo.log_path}):\n{demo.log_tail()}")
        log(f"ui_check: {len(passed)} passed, 1 failed")
        return 1
    finally:
        demo.stop()
    log(f"every step passed in {time.monotonic() - began:.0f} s")
    log(f"ui_check: {len(passed)} passed, 0 failed")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
