// Notices: echoes new toasts as browser notifications, and asks for the permission to, only
// when "Enable browser notifications" is pressed on the settings page.
(() => {
  const supported = "Notification" in window;

  // A toast the badge's answer just added (see notices/toast.html). Only when this tab is
  // hidden (the toast is in view otherwise) and its member turned them on. The tag makes the
  // browser show one notification per notice however many tabs are open.
  const notify = (toast) => {
    if (!supported || Notification.permission !== "granted") return;
    if (toast.dataset.notify !== "1" || document.visibilityState === "visible") return;
    const notification = new Notification(toast.dataset.headline, {
      body: toast.dataset.title,
      tag: `notice-${toast.dataset.id}`,
    });
    notification.addEventListener("click", () => {
      window.focus();
      window.location.assign(toast.dataset.url);
      notification.close();
    });
  };

  const watchToasts = () => {
    const region = document.getElementById("toasts");
    if (!region) return;
    new MutationObserver((changes) => {
      for (const change of changes) {
        for (const node of change.addedNodes) {
          if (node instanceof HTMLElement && node.classList.contains("toast")) notify(node);
        }
      }
    }).observe(region, { childList: true });
  };

  const permissionButton = () => {
    const box = document.getElementById("notice-permission");
    if (!box || !supported) return;
    const ask = document.getElementById("notice-permission-ask");
    const state = document.getElementById("notice-permission-state");
    const show = () => {
      const permission = Notification.permission;
      ask.hidden = permission !== "default";
      state.textContent = state.dataset[permission] || "";
    };
    box.hidden = false;
    show();
    ask.addEventListener("click", async () => {
      const permission = await Notification.requestPermission();
      if (permission === "granted") {
        document.getElementById("id_browser_notifications").checked = true;
      }
      show();
    });
  };

  document.addEventListener("DOMContentLoaded", () => {
    watchToasts();
    permissionButton();
  });
})();
