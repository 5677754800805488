"""Headless Chromium driven over the Chrome DevTools protocol (CDP): the browser test
(tests/browser) opens the built book's pages with it, and ``make pdf``
(bookkit.build.pdf) prints the whole book with it.

Only the ``websockets`` package is needed (no chromedriver, no Selenium): Chromium
is started with ``--remote-debugging-port=0``, writes the port it chose to
``DevToolsActivePort`` in its profile folder, and is then spoken to in JSON.
Requests are intercepted (``Fetch`` domain) so a page can be tested offline:
its own origin goes through, MathJax's CDN is answered from a local copy, and any
other outside request is refused and recorded.
"""
from __future__ import annotations

import base64
import json
import mimetypes
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from websockets.sync.client import connect

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--remote-debugging-port=0"]
MATHJAX_VERSION = "3.2.2"
MATHJAX_CDN = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/"


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "com-book"


def ensure_chromium() -> str:
    """Path of a Chromium binary; installs Debian's package when missing (as root)."""
    found = next(filter(None, map(shutil.which, (
        "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"))), None)
    if found:
        return found
    if os.geteuid() != 0:
        raise RuntimeError("chromium is missing: apt-get install -y chromium chromium-driver")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium", "chromium-driver"],
                   check=True, env=env)
    return shutil.which("chromium")


def ensure_mathjax() -> Path:
    """Local copy of MathJax 3 (npm package ``mathjax``), installed once into the cache."""
    prefix = cache_dir() / f"mathjax-{MATHJAX_VERSION}"
    es5 = prefix / "node_modules" / "mathjax" / "es5"
    if not (es5 / "tex-mml-chtml.js").exists():
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix",
                        str(prefix), f"mathjax@{MATHJAX_VERSION}"], check=True)
    return es5


class Browser:
    """One headless Chromium and one page (tab) in it."""

    def __init__(self, origin: str, mathjax: Path, width: int = 1280, height: int = 900):
        self.origin, self.mathjax, self.width = origin, mathjax, width
        self.profile = tempfile.mkdtemp(prefix="chromium-profile-")
        self.proc = subprocess.Popen(
            [ensure_chromium(), *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("chromium did not start")
            time.sleep(0.1)
        port, path = port_file.read_text().splitlines()[:2]
        self.ws = connect(f"ws://127.0.0.1:{port}{path}", max_size=None, open_timeout=30,
                          legacy=True)
        self.next_id, self.events = 0, []
        self.blocked, self.errors = [], []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target,
                                 flatten=True)["sessionId"]
        for domain in ("Page", "Runtime"):
            self.call(f"{domain}.enable", session=True)
        self.call("Fetch.enable", session=True, patterns=[{"urlPattern": "*"}])
        self.viewport(width, height)

    def viewport(self, width: int, height: int, mobile: bool = False) -> None:
        """Lay pages out in a ``width`` x ``height`` window (``mobile``: as a phone)."""
        self.width = width
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=width,
                  height=height, deviceScaleFactor=1, mobile=mobile)

    # -- protocol ---------------------------------------------------------------
    def _send(self, method: str, session: bool, params: dict) -> int:
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        return self.next_id

    def _receive(self, timeout: float) -> dict:
        msg = json.loads(self.ws.recv(timeout=timeout))
        method = msg.get("method")
        if method == "Fetch.requestPaused":
            self._route(msg["params"])
        elif method == "Runtime.exceptionThrown":
            d = msg["params"]["exceptionDetails"]
            self.errors.append(d.get("exception", {}).get("description") or d.get("text"))
        elif method == "Runtime.consoleAPICalled" and msg["params"]["type"] == "error":
            self.errors.append("console.error: " + " ".join(
                str(a.get("value", a.get("description", ""))) for a in msg["params"]["args"]))
        elif method:
            self.events.append(msg)
        return msg

    def call(self, method: str, session: bool = False, timeout: float = 60, **params) -> dict:
        """Send a command and wait for its result, handling events meanwhile."""
        wanted = self._send(method, session, params)
        deadline = time.monotonic() + timeout
        while True:
            msg = self._receive(max(0.01, deadline - time.monotonic()))
            if msg.get("id") == wanted:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg["result"]

    def wait_for(self, method: str, timeout: float = 60) -> dict:
        """Wait for event ``method``, seen since the events were last cleared."""
        deadline = time.monotonic() + timeout
        while True:
            for ev in self.events:
                if ev["method"] == method:
                    return ev
            self.events.clear()
            self._receive(max(0.01, deadline - time.monotonic()))

    def _route(self, req: dict) -> None:
        """Answer one intercepted request (fire and forget: no waiting inside events)."""
        url, rid = req["request"]["url"], req["requestId"]
        if url.startswith(self.origin) or url.startswith(("data:", "blob:", "about:")):
            self._send("Fetch.continueRequest", True, {"requestId": rid})
        elif url.startswith(MATHJAX_CDN):
            rel = url[len(MATHJAX_CDN):].split("?")[0].split("#")[0]
            path = (self.mathjax / rel).resolve()
            if self.mathjax.resolve() in path.parents and path.is_file():
                kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                self._send("Fetch.fulfillRequest", True, {
                    "requestId": rid, "responseCode": 200,
                    "responseHeaders": [{"name": "Content-Type", "value": kind},
                                        {"name": "Access-Control-Allow-Origin", "value": "*"}],
                    "body": base64.b64encode(path.read_bytes()).decode()})
            else:
                self.blocked.append(url)
                self._send("Fetch.failRequest", True, {"requestId": rid, "errorReason": "Failed"})
        else:
            self.blocked.append(url)
            self._send("Fetch.failRequest", True,
                       {"requestId": rid, "errorReason": "InternetDisconnected"})

    # -- page -------------------------------------------------------------------
    def open(self, url: str, timeout: float = 60) -> None:
        self.errors.clear()
        self.blocked.clear()
        self.events.clear()
        self.call("Page.navigate", session=True, url=url)
        self.wait_for("Page.loadEventFired", timeout)

    def evaluate(self, expression: str, timeout: float = 60):
        """Value of a JavaScript expression (promises awaited)."""
        result = self.call("Runtime.evaluate", session=True, timeout=timeout,
                           expression=expression, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"].get("exception", {}).get("description"))
        return result["result"].get("value")

    def screenshot(self, path: Path) -> None:
        """Full-page PNG."""
        size = self.call("Page.getLayoutMetrics", session=True)["cssContentSize"]
        # the page's own width: a wider clip would lay the page out again, wider
        clip = {"x": 0, "y": 0, "width": self.width, "height": min(size["height"], 16000),
                "scale": 1}
        data = self.call("Page.captureScreenshot", session=True, format="png", clip=clip,
                         captureBeyondViewport=True)["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))

    def view(self, path: Path) -> None:
        """PNG of what the window shows (the page as it is scrolled)."""
        data = self.call("Page.captureScreenshot", session=True, format="png")["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))

    def pdf(self, **options) -> bytes:
        """The page printed to PDF (``Page.printToPDF`` options, e.g. paperWidth)."""
        data = self.call("Page.printToPDF", session=True, timeout=600, **options)["data"]
        return base64.b64decode(data)

    def close(self) -> None:
        try:
            if hasattr(self, "ws"):
                self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            shutil.rmtree(self.profile, ignore_errors=True)
