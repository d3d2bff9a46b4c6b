/* lstm-course: runs a cell's code in Pyodide, in a Web Worker (book/_ext/browser_run.py).
 *
 * Every file comes from the book's own _static/pyodide/: Pyodide's core, NumPy's wasm wheel (which Pyodide
 * checks against the sha256 of its lock) and lstm_course.zip, the package's Python files. The page sends
 * {type: "run", id, code}; the worker answers {type: "stdout" | "stderr", id, text}, then {type: "done", id}.
 * It posts {type: "ready"} once Python is loaded, or {type: "failed", text}. {type: "resources"} is answered
 * with every URL this worker has fetched, so that a test can check that none left the book's own server.
 * The page enforces the time limit by terminating this worker: Pyodide has no threads and no signals.
 */
"use strict";

const BASE = new URL("pyodide/", self.location.href).href;
const PRELUDE = `
import sys, traceback
sys.path.insert(0, "/home/pyodide/site")
import numpy as np

_namespace = {"__name__": "__main__", "np": np, "rng": np.random.default_rng(0)}
exec("from lstm_course.exercises import *", _namespace)  # every checker: a solution runs on its own


def _run_imports(statements):
    for statement in statements:  # the chapter's imports; one that needs torch is skipped
        try:
            exec(statement, _namespace)
        except Exception:
            pass


def _run_cell(code):
    try:
        exec(compile(code, "<cell>", "exec"), _namespace)
    except SystemExit as stop:
        if stop.code not in (None, 0):
            print(stop.code, file=sys.stderr)
    except BaseException as error:
        traceback.print_exception(type(error), error, error.__traceback__.tb_next)
`;

let current = null; // the id of the run whose output is being sent

function post(message) {
  self.postMessage(message);
}

const ready = (async () => {
  importScripts(BASE + "pyodide.js");
  const pyodide = await self.loadPyodide({ indexURL: BASE });
  pyodide.setStdout({ batched: (text) => post({ type: "stdout", id: current, text: text + "\n" }) });
  pyodide.setStderr({ batched: (text) => post({ type: "stderr", id: current, text: text + "\n" }) });
  await pyodide.loadPackage("numpy", { messageCallback: () => {} });
  const response = await fetch(BASE + "lstm_course.zip");
  if (!response.ok) throw new Error(`lstm_course.zip: HTTP ${response.status}`);
  pyodide.unpackArchive(await response.arrayBuffer(), "zip", { extractDir: "/home/pyodide/site" });
  pyodide.runPython(PRELUDE);
  return pyodide;
})();

ready.then(
  () => post({ type: "ready" }),
  (error) => post({ type: "failed", text: String(error && error.message ? error.message : error) }),
);

self.onmessage = async (event) => {
  const message = event.data;
  if (message.type === "resources") {
    const urls = performance.getEntriesByType("resource").map((entry) => entry.name);
    post({ type: "resources", urls: [self.location.href, ...urls] });
    return;
  }
  if (message.type !== "run" && message.type !== "imports") return;
  let pyodide;
  try {
    pyodide = await ready;
  } catch (error) {
    return; // "failed" was posted
  }
  if (message.type === "imports") {
    const run = pyodide.globals.get("_run_imports");
    try {
      run(pyodide.toPy(message.statements));
    } finally {
      run.destroy();
    }
    return;
  }
  current = message.id;
  post({ type: "started", id: current });
  const run = pyodide.globals.get("_run_cell");
  try {
    run(message.code);
  } finally {
    run.destroy();
    post({ type: "done", id: current });
  }
};
