"""Headless Chromium for the page tests, driven by selenium through the system chromedriver.

The driver and browser paths are always given explicitly, so selenium-manager never runs (it
would try to download a driver; the test machines are offline). ``SEQLAB_CHROMIUM`` and
``SEQLAB_CHROMEDRIVER`` override the paths found on PATH.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

TIMEOUT = 60  # seconds a request may take through the page
FIND_TIMEOUT = 10  # seconds an element of the page may take to appear
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",  # root in containers
    "--disable-gpu",
    "--disable-dev-shm-usage",  # small /dev/shm in containers
    "--lang=en-US",
    # a fake microphone (a beep) that needs no permission prompt: the page's recorder
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
)


def _find(variable: str, names: tuple[str, ...]) -> str | None:
    """The program ``$variable`` names if it is set (None if it is not executable), else the
    first of ``names`` on PATH."""
    if os.environ.get(variable):
        path = os.environ[variable]
        return path if os.path.isfile(path) and os.access(path, os.X_OK) else None
    return next((path for name in names if (path := shutil.which(name))), None)


def browser_paths() -> tuple[str | None, str | None]:
    """(chromium, chromedriver): their paths, None for one not installed."""
    return (
        _find("SEQLAB_CHROMIUM", ("chromium", "chromium-browser", "google-chrome")),
        _find("SEQLAB_CHROMEDRIVER", ("chromedriver",)),
    )


def missing() -> str | None:
    """Why the browser tests cannot run here (what is not installed), or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install selenium)"
    chromium, chromedriver = browser_paths()
    if chromium is None:
        return "no chromium (apt-get install chromium, or set SEQLAB_CHROMIUM)"
    if chromedriver is None:
        return "no chromedriver (apt-get install chromium-driver, or set SEQLAB_CHROMEDRIVER)"
    return None


def start_browser(width: int = 1280, height: int = 1000):
    """A headless Chromium WebDriver with a window of ``width`` x ``height`` CSS pixels."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, chromedriver = browser_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in (*CHROMIUM_FLAGS, f"--window-size={width},{height}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    driver.set_page_load_timeout(TIMEOUT)
    return driver


@dataclass
class Page:
    """The seqlab serve page in a browser, with the steps the tests take on it."""

    driver: object
    url: str

    def open(self) -> None:
        """Load the page and wait until the panels are built from /api/models."""
        self.driver.get(self.url)
        state = self.wait_for("main#panels:not([data-state='loading'])", timeout=TIMEOUT)
        assert state.get_attribute("data-state") == "ready", state.text

    def wait_for(self, selector: str, within=None, timeout: float = FIND_TIMEOUT):
        """The first element matching the CSS selector, once there is one."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        root = within or self.driver
        return WebDriverWait(self.driver, timeout).until(
            lambda _: next(iter(root.find_elements(By.CSS_SELECTOR, selector)), None),
            f"nothing matches {selector!r} after {timeout} s",
        )

    def panel(self, task: str):
        """The first panel of a task."""
        return self.wait_for(f"section.panel[data-task='{task}']")

    def wait_until(self, condition, timeout: float = FIND_TIMEOUT, message: str = ""):
        """``condition()``'s first true value, polled for up to ``timeout`` seconds."""
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, timeout).until(lambda _: condition(), message)

    def form(self, panel, verb: str):
        return self.wait_for(f"form[data-verb='{verb}']", within=panel)

    def fill(self, panel, verb: str, **values) -> None:
        """Type each value into the verb's input of that name (a file input gets a path)."""
        from selenium.webdriver.common.by import By

        form = self.form(panel, verb)
        for name, value in values.items():
            field = form.find_element(By.CSS_SELECTOR, f"[name='{name}']")
            if field.get_attribute("type") != "file":
                field.clear()
            if value != "":
                field.send_keys(str(value))

    def submit(self, panel, verb: str):
        """Press the verb's button; the output container once the answer is drawn."""
        from selenium.webdriver.common.by import By

        form = self.form(panel, verb)
        form.find_element(By.CSS_SELECTOR, f"button[data-verb='{verb}']").click()
        return self.wait_for(
            f".output[data-verb='{verb}'][data-state='done'], "
            f".output[data-verb='{verb}'][data-state='error']",
            within=form,
            timeout=TIMEOUT,
        )

    def image_loaded(self, image) -> bool:
        """Whether an <img> loads a real picture (waits for it to finish loading)."""
        from selenium.webdriver.support.ui import WebDriverWait

        script = "return arguments[0].complete"
        WebDriverWait(self.driver, TIMEOUT).until(lambda d: d.execute_script(script, image))
        return self.driver.execute_script("return arguments[0].naturalWidth", image) > 0


def full_page_screenshot(driver, path) -> None:
    """A PNG of the whole page, below the window's fold too (Chrome DevTools protocol)."""
    import base64

    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
        },
    )
    with open(path, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
