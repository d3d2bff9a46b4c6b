// Opened from the file system (file://), the browser refuses the fetch() that Sphinx's search uses
// to show a snippet of each result ("Failed to fetch"). There, list the results without snippets and
// say how to get them: serve the folder (book/run_it_yourself.md). Served over http, nothing changes.
if (window.location.protocol === "file:" && typeof DOCUMENTATION_OPTIONS !== "undefined") {
  DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false;
  document.addEventListener("DOMContentLoaded", () => {
    const results = document.getElementById("search-results");
    if (!results) return;
    const note = document.createElement("p");
    note.className = "file-search-note";
    note.textContent = "Opened as a file, the search lists the matching pages without snippets. " +
      "For snippets, serve the book: python -m http.server -d _build/html, then open http://localhost:8000.";
    results.parentNode.insertBefore(note, results);
  });
}
