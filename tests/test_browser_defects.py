"""The defects of issue 22, section 4, each as a test on the built book in headless Chromium.

Width (display equations at 1280 px; the text column at 390 px), code lines, search over ``file://``
in a Chromium started without special flags (opened as the README says), contrast in both themes
(audio players included), one search field, author-year bibliography labels, alt text, API pages
without NamedTuple field aliases or ``<built-in function>`` defaults, chapter/section/exercise
numbers, no plumbing in the reading path, and no timings in the prose that are not glued.

Uses the ``browser`` fixture and helpers of ``tests/test_browser.py`` (same skip rules).
"""

import os
import re
import shutil
import sys
import pathlib
import time

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from test_browser import (  # noqa: E402,F401
    CHROMEDRIVER, CHROMIUM, DESKTOP, HTML, PHONE, READY_SECONDS, _open, _pages, _unavailable, browser, page_facts,
    page_script, wait_until_ready)

CHAPTERS = [p for p in _pages() if p.startswith("book/") and p[5:7].isdigit()] or ["(book not built)"]
BOOK_PAGES = [p for p in _pages() if p.startswith("book/")] or ["(book not built)"]
API_PAGES = [p for p in _pages() if p.startswith("book/api/")] or ["(book not built)"]


WIDE_EQUATIONS = """
const found = [];
for (const el of document.querySelectorAll('.bd-article mjx-container[display="true"]')) {
  const math = el.querySelector("mjx-math") || el;
  const column = el.closest(".math, .cell, section, .bd-article") || el.parentElement;
  const wide = Math.max(math.getBoundingClientRect().width, el.scrollWidth);
  const room = Math.min(el.clientWidth || column.clientWidth, column.clientWidth);
  if (wide > room + 1) {
    const tex = el.parentElement.id || (el.getAttribute("aria-label") || el.textContent).slice(0, 50);
    found.push(`${tex}: ${Math.round(wide)} px in ${Math.round(room)} px`);
  }
}
return found;
"""
page_script(DESKTOP, "wide_equations", WIDE_EQUATIONS)


@pytest.mark.parametrize("page", BOOK_PAGES)
def test_display_equations_fit_their_column_at_desktop_width(browser, page):
    wide = page_facts(browser, page)["wide_equations"]
    assert not wide, f"{page}: display equations wider than their column at 1280 px: {wide}"


SIDEWAYS = """
const root = document.scrollingElement, article = document.querySelector(".bd-article");
return {page: root.scrollWidth - root.clientWidth,
        article: article ? article.scrollWidth - article.clientWidth : 0};
"""
page_script(PHONE, "sideways", SIDEWAYS)


@pytest.mark.parametrize("page", BOOK_PAGES)
def test_text_column_does_not_scroll_sideways_at_phone_width(browser, page):
    sideways = page_facts(browser, page, PHONE)["sideways"]
    assert sideways["page"] <= 1 and sideways["article"] <= 1, \
        f"{page}: at 390 px the text column scrolls sideways by {sideways} px (equations may scroll in their box)"


LONG_CODE = """
const found = [];
for (const pre of document.querySelectorAll(".bd-article .cell_input pre, .bd-article div[class^='highlight-'] pre")) {
  if (pre.closest(".cell_output, .output")) continue;
  if (pre.scrollWidth > pre.clientWidth + 1) {
    const line = pre.textContent.split("\\n").reduce((a, b) => (b.length > a.length ? b : a), "");
    found.push(`${Math.round(pre.scrollWidth)} px in ${Math.round(pre.clientWidth)} px: ${line.trim().slice(0, 60)}`);
  }
}
return found;
"""
page_script(DESKTOP, "long_code", LONG_CODE)


@pytest.mark.parametrize("page", BOOK_PAGES)
def test_code_lines_fit_the_column(browser, page):
    long_lines = page_facts(browser, page)["long_code"]
    assert not long_lines, f"{page}: code lines wider than the column at 1280 px: {long_lines}"


@pytest.fixture(scope="module")
def plain_browser():
    """Chromium as a reader starts it: no --allow-file-access-from-files, no other special flag."""
    reason = _unavailable()
    if reason:
        if os.environ.get("LSTM_COURSE_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    os.environ.setdefault("SE_OFFLINE", "true")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900",
                 "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def test_readme_says_how_to_open_the_book_and_search_works_that_way(plain_browser):
    readme = (HTML.parents[1] / "README.md").read_text(encoding="utf-8")
    assert "_build/html/index.html" in readme, "the README no longer says to open _build/html/index.html"
    driver = plain_browser
    driver.get((HTML / "index.html").as_uri())  # as the README says: open the file
    wait_until_ready(driver, "index.html")
    driver.get_log("browser")
    # the theme's search field, used as a reader uses it
    driver.execute_script("""
      const form = document.querySelector('form.bd-search');
      form.querySelector('input[name="q"]').value = 'forget gate';
      form.submit();""")
    started = time.monotonic()
    deadline = started + 3 * READY_SECONDS  # scoring every page of the index is slow on a loaded machine
    links, summary = [], ""
    while time.monotonic() < deadline:
        links = [a.get_attribute("href") for a in driver.find_elements("css selector", "#search-results ul.search li a")]
        summary = driver.execute_script(
            "const p = document.querySelector('#search-results p.search-summary'); return p ? p.textContent : ''")
        found = re.search(r"found (\d+) page", summary)
        # every result listed: the summary's count can appear while the last items are still being added
        if links and found and len(links) >= int(found.group(1)):
            break
        time.sleep(0.2)
    waited = time.monotonic() - started
    time.sleep(1.0)  # the snippets' fetches, if any, have failed by now
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not [e for e in errors if "Failed to fetch" in e or "CORS" in e], f"search over file://: {errors}"
    assert any("07_lstm_cell" in (link or "") for link in links), \
        f"search results for 'forget gate' after {waited:.0f} s (summary {summary!r}): {links}"
    snippets = driver.find_elements("css selector", "#search-results ul.search li p.context")
    note = driver.find_elements("css selector", "p.file-search-note")
    assert snippets or (note and "http.server" in note[0].text), \
        "search over file:// shows neither snippets nor a message saying how to get them"


CONTRAST = """
const parse = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
  const v = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1]; };
const lum = ([r, g, b]) => { const f = x => { x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
const background = el => { let colour = [255, 255, 255, 0], layers = [];
  for (let e = el; e; e = e.parentElement) { const b = parse(getComputedStyle(e).backgroundColor);
    if (getComputedStyle(e).backgroundImage !== "none") return null;
    if (b && b[3] > 0) { layers.push(b); if (b[3] >= 1) break; } }
  const base = parse(getComputedStyle(document.documentElement).backgroundColor);
  let out = (base && base[3] > 0) ? base.slice(0, 3) :
            (document.documentElement.dataset.theme === "dark" ? [0, 0, 0] : [255, 255, 255]);
  for (const l of layers.reverse()) out = out.map((x, i) => x * (1 - l[3]) + l[i] * l[3]);
  return out; };
const found = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const seen = new Set();
while (walker.nextNode()) {
  const el = walker.currentNode.parentElement;
  if (!walker.currentNode.nodeValue.trim() || seen.has(el)) continue;
  seen.add(el);
  if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true}) || el.closest("mjx-container, svg, .cell_output img")) continue;
  const fg = parse(getComputedStyle(el).color), bg = background(el);
  if (!fg || !bg) continue;
  const over = bg.map((x, i) => x * (1 - fg[3]) + fg[i] * fg[3]);
  const [a, b] = [lum(over), lum(bg)];
  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  if (ratio < 4.5) found.push(`${el.tagName.toLowerCase()}.${el.className} "${walker.currentNode.nodeValue.trim().slice(0, 30)}" ${ratio.toFixed(2)}:1`);
}
return found.slice(0, 8);
"""

CONTRAST_PAGES = ["book/intro.html", "book/03_basic_rnn.html", "book/07_lstm_cell.html", "book/bibliography.html",
                  "book/api/numpy_impl.html", "search.html?q=forget"]


def _theme(driver, theme):
    # no colour transitions: the colours measured are the theme's, not a frame of the fade to it
    driver.execute_script("const s = document.createElement('style');"
                          "s.textContent = '*, *::before, *::after { transition: none !important; }';"
                          "document.head.appendChild(s);")
    driver.execute_script(f"document.documentElement.dataset.theme = '{theme}';"
                          f"document.documentElement.dataset.mode = '{theme}';")
    driver.execute_async_script("const done = arguments[arguments.length - 1];"
                                "requestAnimationFrame(() => requestAnimationFrame(() => done(true)));")


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("page", CONTRAST_PAGES)
def test_text_contrast_is_at_least_4_5_to_1(browser, page, theme):
    if not (HTML / page.partition("?")[0]).exists():
        pytest.skip(f"{page} is not in this build")
    _open(browser, page)
    _theme(browser, theme)
    low = browser.execute_script(CONTRAST)
    assert not low, f"{page} ({theme}): text below 4.5:1: {low}"


def _screenshot_contrast(png):
    import io

    import matplotlib.image
    import numpy as np

    rgb = matplotlib.image.imread(io.BytesIO(png), format="png")[..., :3]
    linear = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    lum = linear @ [0.2126, 0.7152, 0.0722]
    background = float(np.median(lum))
    # the label: the pixels farthest from the background (the 0.5 % most different), as text is thin
    text = float(np.quantile(lum, 0.005) if background > 0.5 else np.quantile(lum, 0.995))
    return (max(text, background) + 0.05) / (min(text, background) + 0.05)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_audio_player_labels_have_contrast_in_both_themes(browser, theme):
    pages = [p for p in _pages() if "<audio" in (HTML / p).read_text(encoding="utf-8", errors="ignore")]
    if not pages:
        pytest.skip("no page of this build has an audio player")
    _open(browser, pages[0])
    _theme(browser, theme)
    player = browser.find_elements("css selector", "audio")[0]
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", player)
    time.sleep(0.3)
    ratio = _screenshot_contrast(player.screenshot_as_png)
    assert ratio >= 4.5, f"{pages[0]} ({theme}): audio player labels at {ratio:.2f}:1"


VISIBLE_SEARCH = """
// a search field is an input or the theme's field-looking button that opens the search dialog
return Array.from(document.querySelectorAll('input[type="search"], input[name="q"], .search-button__button, #searchbox input'))
  .filter(el => el.checkVisibility({opacityProperty: true, visibilityProperty: true}))
  .map(el => `${el.tagName.toLowerCase()}.${el.className.split(" ").slice(0, 3).join(".")}`);
"""


@pytest.mark.parametrize("page", ["book/intro.html", "book/07_lstm_cell.html", "search.html"])
def test_exactly_one_search_field(browser, page):
    _open(browser, page)
    fields = browser.execute_script(VISIBLE_SEARCH)
    assert len(fields) == 1, f"{page}: {len(fields)} visible search fields: {fields}"


def test_bibliography_labels_are_author_year(browser):
    _open(browser, "book/bibliography.html")
    labels = [e.text.strip("[] ") for e in browser.find_elements(
        "css selector", ".bd-article .citation .label, .bd-article dl.citation > dt")]
    assert labels, "no bibliography entries found"
    alpha = [label for label in labels if not re.fullmatch(r"\D+ \d{4}[a-z]?", label)]
    assert not alpha, f"labels that are not 'Author [et al.] year': {alpha[:5]}"


ALT = page_script(DESKTOP, "alt", """
return Array.from(document.querySelectorAll(".bd-article img")).map(img => [img.getAttribute("src"), img.getAttribute("alt")]);
""")
ARTICLE_TEXT = page_script(DESKTOP, "article_text", "return document.querySelector('.bd-article').innerText")


@pytest.mark.parametrize("page", BOOK_PAGES)
def test_every_figure_has_alt_text_saying_what_it_shows(browser, page):
    bad = []
    for src, alt in page_facts(browser, page)[ALT]:
        alt = (alt or "").strip()
        if (len(alt.split()) < 3 or re.fullmatch(r"[0-9a-f]{8,}.*", alt)
                or re.search(r"\.(png|jpe?g|svg|gif)$", alt) or "_images/" in alt):
            bad.append(f"{src.rsplit('/', 1)[-1]}: alt={alt!r}")
    assert not bad, f"{page}: images without alt text that says what they show: {bad[:5]}"


@pytest.mark.parametrize("page", API_PAGES)
def test_api_pages_show_no_field_aliases_or_builtin_defaults(browser, page):
    text = page_facts(browser, page)[ARTICLE_TEXT]
    found = [phrase for phrase in ("Alias for field number", "<built-in function") if phrase in text]
    assert not found, f"{page}: {found}"


def test_chapters_are_numbered_in_the_sidebar_and_headings(browser):
    _open(browser, "book/03_basic_rnn.html")
    sidebar = [a.text for a in browser.find_elements("css selector", ".bd-sidebar-primary nav a.reference")
               if "book/" in (a.get_attribute("href") or "") and re.search(r"/\d\d_", a.get_attribute("href"))]
    unnumbered = [t for t in sidebar if not re.match(r"\d+\. ", t)]
    assert sidebar and not unnumbered, f"chapters without a number in the sidebar: {unnumbered}"
    h1 = browser.find_element("css selector", ".bd-article h1").text
    h2 = [e.text for e in browser.find_elements("css selector", ".bd-article h2")]
    assert re.match(r"\d+\. ", h1), f"chapter heading without its number: {h1!r}"
    assert h2 and all(re.match(r"\d+\.\d+\. ", t) for t in h2), f"section headings without numbers: {h2[:4]}"


HEADINGS = page_script(DESKTOP, "headings", """
const h1 = document.querySelector(".bd-article h1");
return {h1: h1 ? h1.innerText.trim() : "",
        exercises: Array.from(document.querySelectorAll(".exercise .admonition-title")).map(e => e.innerText.trim())};
""")


@pytest.mark.parametrize("page", CHAPTERS)
def test_exercises_are_numbered_within_their_chapter(browser, page):
    headings = page_facts(browser, page)[HEADINGS]
    h1, titles = headings["h1"], headings["exercises"]
    chapter = re.match(r"(\d+)\.", h1)
    if not titles:
        pytest.skip(f"{page} has no exercise")
    assert chapter, f"{page}: the chapter heading has no number: {h1!r}"
    wrong = [t for t in titles if not re.match(rf"Exercise {chapter.group(1)}\.\d+", t)]
    assert not wrong, f"{page}: exercises not numbered within chapter {chapter.group(1)}: {wrong[:4]}"


@pytest.mark.parametrize("page", BOOK_PAGES)
def test_no_plumbing_in_the_reading_path(browser, page):
    text = page_facts(browser, page)[ARTICLE_TEXT]
    found = [phrase for phrase in ("Used below, documented in the API reference", "inspect.getsource",
                                   "getsource(") if phrase in text]
    assert not found, f"{page}: plumbing in the reading path: {found}"


UNGLUED_TIMES = """
const pattern = /\\b(\\d+(\\.\\d+)?\\s*(s|sec|seconds?|min|minutes?|ms|hours?)\\b|a few (seconds|minutes)|seconds of training)/i;
const found = [];
for (const p of document.querySelectorAll(".bd-article p, .bd-article li")) {
  if (p.closest(".cell_output, .output, pre, .solution, .bibliography, .citation")) continue;
  const clone = p.cloneNode(true);
  clone.querySelectorAll(".pasted-text, .pasted-inline, code, mjx-container, .math, a.reference.internal").forEach(e => e.remove());
  const m = clone.textContent.match(pattern);
  if (m) found.push(`"${m[0]}" in: ${clone.textContent.trim().slice(0, 80)}`);
}
return found;
"""
page_script(DESKTOP, "unglued_times", UNGLUED_TIMES)


@pytest.mark.parametrize("page", CHAPTERS)
def test_timings_in_the_prose_are_glued(browser, page):
    found = page_facts(browser, page)["unglued_times"]
    assert not found, f"{page}: timings typed into the prose instead of glued from recorded runs: {found[:4]}"
