"""The built book, as a reader sees it: every page opened in a real headless Chromium.

Claims, for every page of ``_build/html``: no JavaScript error in the console; no request leaves
the local files; MathJax finished, with no error node and no raw TeX left in the visible text;
every image loads; every exercise's solution is collapsed until clicked and opens when clicked.
Also: the offline search page finds "forget gate" in the LSTM cell chapter; at phone width the
text column does not overflow; figures stay readable in the theme's dark mode.

The tests need Debian's ``chromium`` and ``chromium-driver``. Without them they are skipped with
one line saying how to install them, except where ``LSTM_COURSE_REQUIRE_BROWSER=1`` (``.ci/run``
sets it), where a missing browser is a failure.
"""

import io
import json
import os
import pathlib
import shutil
import sys
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"


def load_browser_run():
    """The book's extension ``book/_ext/browser_run.py`` as a module (it is not part of the package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("browser_run", ROOT / "book" / "_ext" / "browser_run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
INSTALL = "apt-get install chromium chromium-driver"
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


def _pages():
    if not HTML.is_dir():
        return []
    skip = {"genindex.html", "search.html", "py-modindex.html"}
    return sorted(str(p.relative_to(HTML)) for p in HTML.rglob("*.html")
                  if "_static" not in p.parts and "_sources" not in p.parts and p.name not in skip)


def _unavailable():
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        return f"Chromium and its driver are not installed; to run the browser tests: {INSTALL}"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed: `make setup` installs it from requirements.txt"
    if not HTML.is_dir():
        return "the book is not built: run `make book` first (make test does)"
    return None


def new_driver():
    """Debian's headless Chromium through its ChromeDriver, never a downloaded one, with no background traffic."""
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager fetch a browser or driver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,900", "--allow-file-access-from-files"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    return driver


@pytest.fixture(scope="module")
def browser():
    reason = _unavailable()
    if reason:
        if os.environ.get("LSTM_COURSE_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " (required here: LSTM_COURSE_REQUIRE_BROWSER=1)")
        pytest.skip(reason)
    driver = new_driver()
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


READY_SECONDS = 60  # a page of the book is ready in well under a second; a loaded 2-core machine may take many
READY = """
const [limit, done] = [arguments[0] * 1000, arguments[arguments.length - 1]];
const start = performance.now();
const late = () => performance.now() - start > limit;
const until = (test, what) => new Promise((resolve, reject) => {
  (function poll() {
    let ok = false;
    try { ok = test(); } catch (e) { ok = false; }
    if (ok) resolve(); else if (late()) reject(what); else setTimeout(poll, 50);
  })();
});
const within = (promise, what) => Promise.race([promise, new Promise((_, reject) => {
  const left = Math.max(0, limit - (performance.now() - start));
  setTimeout(() => reject(what), left);
})]);
// a redirect page (the book's index.html is a meta refresh) is not the page: wait for the one it leads to
until(() => document.readyState === "complete" && document.body instanceof Node
            && !document.querySelector('meta[http-equiv="refresh" i]'),
      "document.readyState to be 'complete', with a body and no pending meta refresh")
  .then(() => window.MathJax === undefined ? null :
        until(() => MathJax.startup && MathJax.startup.promise, "MathJax.startup.promise to exist")
          .then(() => within(MathJax.startup.promise, "MathJax.startup.promise to resolve")))
  .then(() => {
    const images = Array.from(document.images);
    const pending = () => images.filter(img => !img.complete).map(img => img.currentSrc || img.src);
    return within(Promise.all(images.map(img => img.decode().catch(() => null))),
                  "images to be decoded").catch(what => {
      throw `${what} (still loading: ${JSON.stringify(pending().slice(0, 5))})`;
    });
  })
  .then(() => done(null), what => done(String(what)));
"""


def wait_until_ready(driver, page, seconds=READY_SECONDS):
    """Wait until ``page`` is loaded, its maths typeset and its images decoded, or fail saying what is missing.

    Ready means: ``document.readyState`` is ``"complete"`` with a body; MathJax (where the page loads it)
    has resolved ``MathJax.startup.promise``, so typesetting is over; every ``<img>`` is decoded (a broken
    image counts as settled: the page test reports it). A page that redirects with a meta refresh is not
    ready until the page it leads to is. Inspecting ``index.html`` (a meta refresh) before this once raised
    "Failed to execute 'createTreeWalker' on 'Document': parameter 1 is not of type 'Node'" under load: the
    script ran in the next page while it was still loading, before it had a body.
    """
    from selenium.common.exceptions import WebDriverException

    driver.set_script_timeout(seconds + 10)
    deadline = time.monotonic() + seconds
    while True:
        try:
            missing = driver.execute_async_script(READY, max(1.0, deadline - time.monotonic()))
            break
        except WebDriverException as error:  # the document was replaced mid-script (a redirect): ask the new one
            if time.monotonic() > deadline:
                missing = f"a script to run in the page ({error.msg})"
                break
            time.sleep(0.1)
    if missing:
        pytest.fail(f"{page}: not ready after {seconds} s: still waiting for {missing}", pytrace=False)


def _open(driver, page):
    driver.get_log("browser")  # drop what earlier pages left
    driver.get_log("performance")
    path, _, query = page.partition("?")
    driver.get((HTML / path).as_uri() + (f"?{query}" if query else ""))
    wait_until_ready(driver, page)


# One load of a page serves every check of it. A check registers its script here under a name; ``page_facts``
# loads the page once per width, runs every script registered for that width, then every action (which may
# change the page: a click), and keeps the answers. Opening each page once per check took about 290 loads and
# 8 of the 25 minutes of `make test`; this takes 64. A test that changes the theme opens the page itself.
DESKTOP, PHONE = 1280, 390
PAGE_SCRIPTS = {DESKTOP: {}, PHONE: {}}  # width -> name -> (script, asynchronous), or (action, None)
_FACTS = {}  # (page, width) -> name -> what the script returned


def page_script(width, name, script, asynchronous=False):
    """Register ``script`` to be run on every page that ``page_facts`` loads at ``width``; return ``name``."""
    PAGE_SCRIPTS[width][name] = (script, asynchronous)
    return name


def page_action(width, name, action):
    """Register ``action(driver)``, run after every script on each page ``page_facts`` loads; return ``name``."""
    PAGE_SCRIPTS[width][name] = (action, None)
    return name


def page_facts(driver, page, width=DESKTOP):
    """What every registered script of ``width`` returned on ``page``, from a single load at that width.

    Also ``"console"`` (the SEVERE console messages) and ``"requests"`` (every URL the load asked for).
    The answers are kept: the next check of the same page and width reads them without a load.
    """
    facts = _FACTS.get((page, width))
    if facts is None or not set(PAGE_SCRIPTS[width]) <= set(facts):
        metrics = {"width": width, "height": 900 if width == DESKTOP else 844, "deviceScaleFactor": 1,
                   "mobile": width < 600}
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
        try:
            _open(driver, page)
            facts = {"console": [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"],
                     "requests": _requests(driver)}
            scripts = {name: entry for name, entry in PAGE_SCRIPTS[width].items() if entry[1] is not None}
            for name, (script, asynchronous) in scripts.items():
                facts[name] = (driver.execute_async_script if asynchronous else driver.execute_script)(script)
            for name, (action, _) in PAGE_SCRIPTS[width].items():
                if name not in scripts:  # after every script: an action may change the page
                    facts[name] = action(driver)
        finally:
            driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        _FACTS[(page, width)] = facts
    return facts


def _requests(driver):
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


RAW_TEX = """
const skip = new Set(["PRE", "CODE", "SCRIPT", "STYLE", "MJX-CONTAINER", "TEXTAREA"]);
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {acceptNode(node) {
  for (let el = node.parentElement; el; el = el.parentElement) {
    if (skip.has(el.tagName) || el.classList.contains("highlight") || el.classList.contains("output")) {
      return NodeFilter.FILTER_REJECT;
    }
  }
  return NodeFilter.FILTER_ACCEPT;
}});
const found = [];
const pattern = /\\$\\$|\\\\\\(|\\\\\\[|\\\\begin\\{|\\$[^$\\s][^$]*\\\\[a-zA-Z]+[^$]*\\$/;
while (walker.nextNode()) {
  const el = walker.currentNode.parentElement;
  if (el.offsetParent === null) continue;  // not rendered
  if (pattern.test(walker.currentNode.nodeValue)) found.push(walker.currentNode.nodeValue.slice(0, 80));
}
return found;
"""

IMAGES = """
const done = arguments[arguments.length - 1];
const sources = Array.from(document.images).map(img => img.currentSrc || img.src);
Promise.all(sources.map(src => new Promise(resolve => {
  const probe = new Image();
  probe.onload = () => resolve([src, probe.naturalWidth]);
  probe.onerror = () => resolve([src, 0]);
  probe.src = src;
}))).then(done);
"""


MERRORS = page_script(DESKTOP, "merrors", """
return Array.from(document.querySelectorAll("mjx-merror, .MathJax_Error"))
  .map(e => e.getAttribute("data-mjx-error") || e.textContent);
""")
page_script(DESKTOP, "raw_tex", RAW_TEX)
page_script(DESKTOP, "images", IMAGES, asynchronous=True)


@pytest.mark.parametrize("page", _pages() or ["(book not built)"])
def test_page_renders_offline_without_errors(browser, page):
    facts = page_facts(browser, page)
    problems = []
    if facts["console"]:
        problems.append(f"JavaScript console errors: {facts['console']}")
    remote = [url for url in facts["requests"] if not url.startswith(LOCAL_SCHEMES)]
    if remote:
        problems.append(f"requests to other origins: {remote}")
    if facts["merrors"]:
        problems.append(f"MathJax errors: {facts['merrors']}")
    if facts["raw_tex"]:
        problems.append(f"raw TeX left in the visible text: {facts['raw_tex']}")
    broken = [src for src, width in facts["images"] if width == 0]
    if broken:
        problems.append(f"images that did not load: {broken}")
    assert not problems, f"{page}:\n" + "\n".join(problems)


def test_a_check_reads_a_page_loaded_once_per_width(browser, tmp_path, monkeypatch):
    (tmp_path / "p.html").write_text("<!DOCTYPE html><html><head><meta name='viewport' content='width=device-width'>"
                                     "</head><body><p id='w'>text</p></body></html>")
    monkeypatch.setattr(sys.modules[__name__], "HTML", tmp_path)
    monkeypatch.setitem(PAGE_SCRIPTS, DESKTOP, {"width": ("return window.innerWidth", False)})
    monkeypatch.setitem(PAGE_SCRIPTS, PHONE, {"width": ("return window.innerWidth", False)})
    loads, real_open = [], _open
    monkeypatch.setattr(sys.modules[__name__], "_open", lambda driver, page: (loads.append(page), real_open(driver, page)))
    first = page_facts(browser, "p.html")
    assert page_facts(browser, "p.html") is first and loads == ["p.html"]
    assert first["width"] == DESKTOP and page_facts(browser, "p.html", PHONE)["width"] == PHONE
    assert loads == ["p.html", "p.html"]
    PAGE_SCRIPTS[DESKTOP]["title"] = ("return document.getElementById('w').textContent", False)
    assert page_facts(browser, "p.html")["title"] == "text" and len(loads) == 3  # a script added later: reloaded
    for key in [k for k in _FACTS if k[0] == "p.html"]:
        del _FACTS[key]


def test_a_page_is_inspected_only_once_ready_even_behind_a_redirect(browser, tmp_path):
    # the book's index.html is a meta refresh; here the page it leads to is slow to get its body
    (tmp_path / "slow.html").write_text(
        "<!DOCTYPE html><html><head><script>const t = Date.now(); while (Date.now() - t < 1500) {}</script>"
        "</head><body><p>arrived</p><img src='data:image/gif;base64,R0lGODlhAQABAAAAACw=' alt=''></body></html>")
    (tmp_path / "index.html").write_text('<meta http-equiv="Refresh" content="0; url=slow.html" />')
    browser.get((tmp_path / "index.html").as_uri())
    wait_until_ready(browser, "index.html")
    assert browser.current_url.endswith("/slow.html")
    assert browser.execute_script(RAW_TEX) == []
    assert browser.execute_script("return document.body.innerText") == "arrived"
    (tmp_path / "stuck.html").write_text('<meta http-equiv="Refresh" content="3600; url=slow.html" />')
    browser.get((tmp_path / "stuck.html").as_uri())
    expected = r"stuck.html: not ready after 1 s: still waiting for document.readyState to be 'complete', with a"
    with pytest.raises(pytest.fail.Exception, match=expected):
        wait_until_ready(browser, "stuck.html", seconds=1)


def _solutions_open_only_when_clicked(driver):
    """For each exercise's solution on the page: what is wrong with its collapsing (empty when nothing).

    Every closed solution is clicked first, then all are waited for together: each opening animation
    takes 0.3 s, and waiting for each in turn took about a minute over the book's chapters.
    """
    problems, clicked = [], []
    for n, solution in enumerate(driver.find_elements("css selector", "div.solution.dropdown"), 1):
        body = solution.find_elements("css selector", "section, .cell, p:not(.admonition-title)")
        if not body:
            problems.append(f"solution {n} has no content")
            continue
        if any(part.is_displayed() for part in body):
            problems.append(f"solution {n} is open before it is clicked")
            continue
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", solution)
        button = solution.find_elements("css selector", "button.toggle-button") or \
            solution.find_elements("css selector", ".admonition-title")
        button[0].click()
        clicked.append((n, body))
    deadline = time.monotonic() + READY_SECONDS  # the animation takes 0.3 s; a loaded machine, longer
    waiting = clicked
    while waiting and time.monotonic() < deadline:
        waiting = [(n, body) for n, body in waiting if not any(part.is_displayed() for part in body)]
        if waiting:
            time.sleep(0.05)
    problems += [f"solution {n} did not open when clicked" for n, _ in waiting]
    return sorted(problems, key=lambda problem: int(problem.split()[1]))


SOLUTIONS = page_action(DESKTOP, "solutions", _solutions_open_only_when_clicked)


@pytest.mark.parametrize("page", [p for p in _pages() if p.startswith("book/") and p[5:7].isdigit()]
                         or ["(book not built)"])
def test_solutions_are_collapsed_until_clicked(browser, page):
    problems = page_facts(browser, page)[SOLUTIONS]
    assert not problems, f"{page}: " + "; ".join(problems)


def test_search_finds_the_forget_gate_in_the_lstm_cell_chapter(browser):
    _open(browser, "search.html?q=forget+gate")
    deadline = time.monotonic() + READY_SECONDS
    # Sphinx shows the results one by one and writes its summary line only once the last is shown: read the
    # list after the summary, or a fast machine reads half of it
    links, summary = [], ""
    while time.monotonic() < deadline:
        summary = " ".join(p.text for p in browser.find_elements("css selector", "p.search-summary"))
        if summary.strip():
            links = [a.get_attribute("href") for a in browser.find_elements("css selector", "ul.search li a")]
            break
        time.sleep(0.2)
    assert summary.strip(), f"the search for 'forget gate' did not finish within {READY_SECONDS} s"
    assert any("07_lstm_cell" in (link or "") for link in links), f"search results for 'forget gate': {links}"


@pytest.mark.parametrize("page", [p for p in _pages() if p.startswith("book/")] or ["(book not built)"])
def test_text_column_does_not_overflow_at_phone_width(browser, page):
    # a phone's viewport, emulated: a headless window cannot be made narrower than about 500 px
    overflowing = page_facts(browser, page, PHONE)["overflow"]
    assert not overflowing, f"{page}: wider than a 390 px phone screen: {overflowing}"


# elements that stick out of the viewport without a scrolling ancestor (code cells may scroll)
OVERFLOW = """
const width = document.documentElement.clientWidth, found = [];
for (const el of document.querySelectorAll(".bd-article *")) {
  const box = el.getBoundingClientRect();
  if (box.width === 0 || box.right <= width + 1 || !el.checkVisibility()) continue;
  let scrolls = false;
  for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
    if (getComputedStyle(p).overflowX !== "visible") { scrolls = true; break; }
  }
  if (!scrolls) found.push(`${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 40)}" ends at ${Math.round(box.right)} px`);
}
return found.slice(0, 5);
"""
page_script(PHONE, "overflow", OVERFLOW)


def _luminance(png):
    import matplotlib.image

    rgb = matplotlib.image.imread(io.BytesIO(png), format="png")[..., :3]
    return rgb @ [0.2126, 0.7152, 0.0722]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_figures_stay_readable_in_both_themes(browser, theme):
    _open(browser, "book/03_basic_rnn.html")
    browser.execute_script(f"document.documentElement.dataset.theme = '{theme}';"
                           f"document.documentElement.dataset.mode = '{theme}';")
    figure = browser.find_elements("css selector", ".cell_output img")[0]
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", figure)
    # the new theme's styles applied and painted: two animation frames after the change
    browser.execute_async_script("const done = arguments[arguments.length - 1];"
                                 "requestAnimationFrame(() => requestAnimationFrame(() => done(true)));")
    luminance = _luminance(figure.screenshot_as_png)
    background = float(max(luminance.mean(), 1 - luminance.mean()))
    # an opaque, light figure: mostly light pixels, with dark lines and text on them
    assert luminance.mean() > 0.6, f"{theme}: the figure's background is dark or transparent"
    assert luminance.std() > 0.08 and (luminance < 0.5).mean() > 0.002, f"{theme}: too little contrast ({background})"
