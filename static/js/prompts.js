// The prompt library's picker (prompts/picker_button.html): copies a filled-in prompt into the
// form field it names, and closes the picker. Without JavaScript the picker is a plain link.
(function () {
  "use strict";
  // The chat page swaps its side panel (this script's tag with it) after each message.
  if (window.promptPickerReady) { return; }
  window.promptPickerReady = true;

  document.addEventListener("htmx:afterSwap", function (event) {
    var sources = event.target.querySelectorAll("textarea[data-prompt-fill]");
    Array.prototype.forEach.call(sources, function (source) {
      var field = document.getElementById(source.getAttribute("data-prompt-fill"));
      if (!field) { return; }
      field.value = source.value;
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.focus();
    });
  });

  document.addEventListener("click", function (event) {
    if (!event.target.closest("[data-prompt-picker-close]")) { return; }
    var body = document.getElementById("prompt-picker-body");
    if (body) { body.replaceChildren(); }
  });
})();
