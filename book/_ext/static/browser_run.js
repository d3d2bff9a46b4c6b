/* lstm-course: "Run in your browser" for exercise cells, solutions and cells tagged run-in-browser
 * (book/_ext/browser_run.py builds the files this needs; browser_run_config.js says whether it did).
 *
 * One Web Worker per page runs Python (Pyodide) with NumPy and lstm_course's NumPy half; the names a run
 * defines stay for the next run on the page, as in a notebook. A run that takes longer than the limit is
 * stopped by terminating the worker, which is started again for the next run. Which cells get a button was
 * decided when the book was built (browser_run.runnable_cells: no torch, no value from earlier cells).
 */
(function () {
  "use strict";
  const config = window.LSTM_COURSE_RUN;
  const script = document.currentScript ? document.currentScript.src : "";
  const SELECTOR = "div.exercise div.cell, div.solution div.cell, div.cell.tag_run-in-browser";
  let worker = null;
  let ready = false;
  let active = null; // {id, output, status, done, timer}
  let counter = 0;
  let page = { imports: [], cells: [] }; // from the page's <meta name="lstm-course-run">

  function codeOf(cell) {
    const pre = cell.querySelector(".cell_input pre");
    return pre ? pre.textContent.replace(/\n$/, "") : null;
  }

  function key(code) {
    return code.replace(/\s+/g, ""); // browser_run.cell_key
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function startWorker(status) {
    worker = new Worker(new URL("browser_run_worker.js", script));
    ready = false;
    status.textContent = "Starting Python in your browser (a few seconds, once per page)…";
    worker.onmessage = (event) => receive(event.data);
    worker.postMessage({ type: "imports", statements: page.imports });
    worker.onerror = (event) => {
      event.preventDefault();
      finish(`Python could not start in this browser: ${event.message || "the worker failed"}.`);
      worker.terminate(); // the next Run starts a new one
      worker = null;
    };
  }

  function receive(message) {
    if (message.type === "ready") {
      ready = true;
      if (active) active.status.textContent = "Running…";
    } else if (message.type === "failed") {
      finish(`Python could not start in this browser: ${message.text}`);
      worker.terminate();
      worker = null;
    } else if (message.type === "resources") {
      window.lstmCourseWorkerResources = message.urls; // read by tests/test_browser_run.py
    } else if (!active || message.id !== active.id) {
      return;
    } else if (message.type === "started") {
      active.status.textContent = "Running…";
      active.timer = setTimeout(stop, config.limitSeconds * 1000);
    } else if (message.type === "stdout" || message.type === "stderr") {
      const piece = element("span", message.type === "stderr" ? "browser-run-stderr" : "", message.text);
      active.output.appendChild(piece);
    } else if (message.type === "done") {
      finish("Done.");
    }
  }

  function finish(text) {
    if (!active) return;
    clearTimeout(active.timer);
    active.status.textContent = text;
    active.button.disabled = false;
    active.output.setAttribute("aria-busy", "false");
    active = null;
  }

  function stop() {
    worker.terminate();
    worker = null;
    const output = active.output;
    output.appendChild(element("span", "browser-run-stderr",
      `Stopped after ${config.limitSeconds} s: the code was still running. Python in this page was restarted, ` +
      "so the names that earlier runs defined are gone.\n"));
    finish(`Stopped after ${config.limitSeconds} s.`);
  }

  function run(editor, output, status, button) {
    if (active) return;
    output.textContent = "";
    output.hidden = false;
    output.setAttribute("aria-busy", "true");
    button.disabled = true;
    counter += 1;
    active = { id: counter, output, status, button, timer: null };
    if (!worker) startWorker(status);
    else status.textContent = ready ? "Running…" : "Starting Python in your browser…";
    worker.postMessage({ type: "run", id: counter, code: editor.value });
  }

  function open(cell, bar) {
    const input = cell.querySelector(".cell_input");
    const code = codeOf(cell);
    const editor = element("textarea", "browser-run-editor");
    editor.value = code;
    editor.rows = Math.min(30, code.split("\n").length + 1);
    editor.spellcheck = false;
    editor.setAttribute("aria-label", "The cell's code, editable; Run executes it in your browser");
    const buttons = element("div", "browser-run-buttons");
    const runButton = element("button", "browser-run-button", "Run");
    const reset = element("button", "browser-run-reset", "Reset the code");
    const status = element("span", "browser-run-status");
    status.setAttribute("role", "status");
    const output = element("pre", "browser-run-output");
    output.hidden = true;
    output.setAttribute("aria-live", "polite");
    const stored = cell.querySelector(".cell_output"); // the output the book stored, replaced by the run's own
    const go = () => {
      if (stored) stored.hidden = true;
      run(editor, output, status, runButton);
    };
    runButton.addEventListener("click", go);
    reset.addEventListener("click", () => { editor.value = code; });
    editor.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && event.shiftKey) {
        event.preventDefault();
        go();
      }
    });
    buttons.append(runButton, reset, status);
    bar.replaceWith(editor, buttons, output);
    input.hidden = true;
    editor.focus();
  }

  function addButton(cell, served) {
    const bar = element("div", "browser-run");
    const note = `Runs in your browser with NumPy ${config.numpy} and lstm_course's NumPy half (Pyodide ` +
      `${config.pyodide}; no torch; large products run slower than on your machine; ` +
      `stopped after ${config.limitSeconds} s). The chapter's imports, rng = np.random.default_rng(0) and every checker are defined.`;
    if (served) {
      const button = element("button", "browser-run-open", "Edit and run in your browser");
      button.addEventListener("click", () => open(cell, bar));
      bar.append(button, element("span", "browser-run-note", note));
    } else {
      bar.append(element("span", "browser-run-note",
        "To run this cell in your browser, serve the book (python -m http.server --directory _build/html) " +
        "and open it from http://localhost:8000: browsers do not start Python from a file."));
    }
    cell.querySelector(".cell_input").after(bar);
  }

  function setUp() {
    if (!config || !config.available || !script) return;
    const meta = document.querySelector('meta[name="lstm-course-run"]');
    if (!meta) return;
    page = JSON.parse(meta.content);
    const runnable = new Set(page.cells); // decided when the book was built: no torch, no chapter state
    const served = location.protocol === "http:" || location.protocol === "https:";
    const cells = Array.from(document.querySelectorAll(SELECTOR))
      .filter((cell) => codeOf(cell) !== null && runnable.has(key(codeOf(cell))));
    cells.forEach((cell, index) => {
      cell.dataset.browserRun = String(index);
      if (served || index === 0) addButton(cell, served); // from a file: one note on the page, no buttons
    });
  }

  window.lstmCourseAskWorkerResources = () => worker && worker.postMessage({ type: "resources" });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
