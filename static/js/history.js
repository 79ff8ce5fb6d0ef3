// Copy buttons on the history detail page: each copies the code block it names.
// Without JavaScript the buttons stay hidden and the code can be selected by hand.
(function () {
  "use strict";
  function copy(button) {
    var code = document.getElementById(button.getAttribute("data-copy"));
    if (!code || !navigator.clipboard) { return; }
    var label = button.textContent;
    navigator.clipboard.writeText(code.textContent).then(function () {
      button.textContent = button.getAttribute("data-copied") || "Copied";
      window.setTimeout(function () { button.textContent = label; }, 1500);
    });
  }
  function start() {
    var buttons = document.querySelectorAll("button.history-copy");
    Array.prototype.forEach.call(buttons, function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { copy(button); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
