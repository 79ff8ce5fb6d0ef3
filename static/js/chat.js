// The chat page: streams answers over server-sent events, Enter sends, copy buttons on code.
// A static file, so the page's CSP (no inline scripts) holds. Without it the page still works:
// forms post and redirect, and answers show when the page loads.
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function fragment(html) {
    const template = document.createElement("template");
    template.innerHTML = html; // already sanitised on the server (nh3)
    return template.content;
  }

  function replaceWith(element, html) {
    const content = fragment(html);
    const first = content.firstElementChild;
    element.replaceWith(content);
    if (first) {
      enhance(first);
      if (window.htmx) window.htmx.process(first);
    }
  }

  function nearBottom() {
    const page = document.scrollingElement || document.documentElement;
    return page.scrollHeight - page.scrollTop - page.clientHeight < 160;
  }

  function keepInView(element) {
    element.scrollIntoView({ block: "end" });
  }

  // The page's words in the reader's language (data-word-* on #chat), English without them.
  function word(name, english) {
    const chat = document.getElementById("chat");
    const key = "word" + name.charAt(0).toUpperCase() + name.slice(1);
    return (chat && chat.dataset[key]) || english;
  }

  // One EventSource per answer that is still running: text grows as `delta` events come,
  // and `done` swaps in the answer rendered on the server (Markdown, sanitised).
  function stream(article) {
    if (article.dataset.streaming) return;
    article.dataset.streaming = "1";
    const live = article.querySelector(".live-text");
    const status = article.querySelector(".answering");
    const source = new EventSource(article.dataset.streamUrl);
    source.addEventListener("delta", function (event) {
      const follow = nearBottom();
      live.textContent += JSON.parse(event.data).text;
      article.dataset.status = "streaming";
      if (status) status.textContent = word("answering", "Answering…");
      if (follow) keepInView(article);
    });
    source.addEventListener("done", function (event) {
      source.close();
      const data = JSON.parse(event.data);
      const totals = document.getElementById("conversation-totals");
      if (data.totals && totals) replaceWith(totals, data.totals);
      if (data.html) replaceWith(article, data.html);
      const done = document.getElementById(article.id);
      if (done) keepInView(done);
    });
    // On a dropped connection EventSource reconnects by itself; the server then waits for
    // the answer (which went on without us) and sends `done`.
  }

  function addCopyButtons(root) {
    root.querySelectorAll(".markdown pre").forEach(function (pre) {
      if (pre.querySelector(".copy")) return;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "copy secondary";
      button.textContent = word("copy", "Copy");
      pre.prepend(button);
    });
  }

  function enhance(root) {
    const scope = root.querySelectorAll ? root : document;
    if (scope.matches && scope.matches("[data-stream-url]")) stream(scope);
    scope.querySelectorAll("[data-stream-url]").forEach(stream);
    if (scope.matches && scope.matches(".markdown pre")) addCopyButtons(scope.parentElement);
    addCopyButtons(scope);
  }

  document.addEventListener("click", function (event) {
    const copy = event.target.closest(".copy");
    if (copy) {
      const code = copy.parentElement.querySelector("code");
      const text = code ? code.textContent : "";
      navigator.clipboard.writeText(text).then(
        function () { copy.textContent = word("copied", "Copied"); },
        function () { copy.textContent = word("copyFailed", "Copy failed"); }
      );
      return;
    }
    const stop = event.target.closest(".stop");
    if (stop) {
      // Stop over fetch, so this page keeps its stream and receives what was kept.
      event.preventDefault();
      stop.disabled = true;
      stop.textContent = word("stopping", "Stopping…");
      fetch(stop.form.action, {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
        credentials: "same-origin",
      });
    }
  });

  // Enter sends, Shift+Enter adds a line; Enter in a parameter field does not send.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing) return;
    const target = event.target;
    if (!(target instanceof HTMLElement) || !target.form || target.form.id !== "composer") return;
    if (target.name === "message") {
      if (event.shiftKey) return;
      event.preventDefault();
      if (target.value.trim()) target.form.requestSubmit();
    } else if (target.tagName === "INPUT") {
      event.preventDefault();
    }
  });

  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  } else {
    enhance(document);
  }
})();
