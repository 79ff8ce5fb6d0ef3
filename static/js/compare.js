// The compare page: each pending chat column streams from its own URL, so the answers grow side
// by side; `done` swaps in the finished column (Markdown, sanitised, and its figures) from the
// server. "Copy link" copies the comparison's address. A static file, for the CSP. Without it
// each column has a "Run this column" button and the page reloads itself while a column runs.
(function () {
  "use strict";

  function swap(column, html) {
    const template = document.createElement("template");
    template.innerHTML = html; // rendered and sanitised on the server
    const fresh = template.content.firstElementChild;
    if (!fresh) return;
    column.replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh);
    settle();
  }

  function stream(column) {
    if (column.dataset.streaming) return;
    column.dataset.streaming = "1";
    const live = column.querySelector(".compare-live");
    const status = column.querySelector(".answering");
    const source = new EventSource(column.dataset.compareStream);
    source.addEventListener("delta", function (event) {
      live.textContent += JSON.parse(event.data).text;
      if (status) status.textContent = column.dataset.answering;
    });
    source.addEventListener("done", function (event) {
      source.close();
      const data = JSON.parse(event.data);
      if (data.html) swap(column, data.html);
    });
    // A dropped connection reconnects by itself; the server then waits for the answer.
  }

  // The comparison's state in the heading, once no column runs any more (as the server
  // decides it: failed when every column failed).
  function settle() {
    const badge = document.getElementById("comparison-state");
    const columns = document.querySelectorAll(".compare-column");
    if (!badge || document.querySelector(".compare-column[data-state=running]")) return;
    const failed = document.querySelectorAll(".compare-column[data-state=failed]").length;
    const state = failed === columns.length ? "failed" : "done";
    badge.textContent = badge.dataset[state];
    badge.className = "state state-" + state;
  }

  function enhance(root) {
    const scope = root.querySelectorAll ? root : document;
    if (scope.matches && scope.matches("[data-compare-stream]")) stream(scope);
    scope.querySelectorAll("[data-compare-stream]").forEach(stream);
    scope.querySelectorAll("[data-copy-link]").forEach(function (button) { button.hidden = false; });
    settle();
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-copy-link]");
    if (!button) return;
    const field = document.getElementById(button.dataset.copyLink);
    navigator.clipboard.writeText(field ? field.value : window.location.href).then(
      function () { button.textContent = button.dataset.copied; },
      function () { button.textContent = button.dataset.failed; }
    );
  });

  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  } else {
    enhance(document);
  }
})();
