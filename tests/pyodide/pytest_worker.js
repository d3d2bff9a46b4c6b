/* lstm-course: runs the repository's NumPy and exercise test files with pytest, inside Pyodide, in a Web
 * Worker of headless Chromium (tests/test_pyodide_pytest.py serves this folder on a local HTTP server).
 *
 * Served beside it: pyodide/ (the book's pinned Pyodide core and NumPy wheel), wheels/ (pytest and its four
 * dependencies, pinned), lstm_course.zip and tests.zip. The page posts {args}: pytest's command line. The
 * worker answers {type: "stdout" | "stderr", text} while pytest runs, then {type: "done", status, junit}
 * (pytest's exit status and its JUnit XML report), or {type: "failed", text} when Python could not start.
 */
"use strict";

const HERE = new URL("./", self.location.href).href;

self.onmessage = async (event) => {
  const post = (message) => self.postMessage(message);
  try {
    importScripts(HERE + "pyodide/pyodide.js");
    const pyodide = await self.loadPyodide({ indexURL: HERE + "pyodide/" });
    pyodide.setStdout({ batched: (text) => post({ type: "stdout", text: text + "\n" }) });
    pyodide.setStderr({ batched: (text) => post({ type: "stderr", text: text + "\n" }) });
    await pyodide.loadPackage(["numpy", ...event.data.wheels.map((name) => HERE + "wheels/" + name)],
                              { messageCallback: () => {} });
    for (const name of ["lstm_course.zip", "tests.zip"]) {
      const response = await fetch(HERE + name);
      if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
      pyodide.unpackArchive(await response.arrayBuffer(), "zip", { extractDir: "/home/pyodide/repo" });
    }
    pyodide.globals.set("ARGS", pyodide.toPy(event.data.args));
    const status = pyodide.runPython(`
import os, sys
os.chdir("/home/pyodide/repo")
sys.path.insert(0, "/home/pyodide/repo")
import pytest
status = int(pytest.main(list(ARGS)))
sys.stdout.flush()
status
`);
    let junit = "";
    try {
      junit = pyodide.FS.readFile("/home/pyodide/junit.xml", { encoding: "utf8" });
    } catch (error) {
      junit = "";
    }
    post({ type: "done", status, junit });
  } catch (error) {
    post({ type: "failed", text: String(error && error.stack ? error.stack : error) });
  }
};
