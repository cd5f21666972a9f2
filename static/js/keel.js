/* Keel's few behaviours (docs/design.md): the mobile menu, confirmation dialogs, dismissible toasts.
   Everything works without it: forms submit, the menu is simply always shown. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function setUpMenu() {
    var toggle = document.querySelector(".nav-toggle");
    var sidebar = document.querySelector(".sidebar");
    if (!toggle || !sidebar) return;
    toggle.addEventListener("click", function () {
      var open = sidebar.classList.toggle("is-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && sidebar.classList.contains("is-open")) {
        sidebar.classList.remove("is-open");
        toggle.setAttribute("aria-expanded", "false");
        toggle.focus();
      }
    });
  }

  // <form data-confirm="Question?" data-confirm-body="What happens." data-confirm-action="Publish"
  //       data-confirm-danger> asks first, in the <dialog id="confirm-dialog"> of base.html.
  function askThen(source, proceed) {
    var dialog = document.getElementById("confirm-dialog");
    if (!dialog || typeof dialog.showModal !== "function") {
      if (window.confirm(source.dataset.confirm)) proceed();
      return;
    }
    dialog.querySelector("#confirm-title").textContent = source.dataset.confirm;
    dialog.querySelector("#confirm-body").textContent = source.dataset.confirmBody || "";
    var ok = dialog.querySelector("[data-confirm-ok]");
    ok.textContent = source.dataset.confirmAction || ok.dataset.defaultLabel;
    var danger = source.hasAttribute("data-confirm-danger");
    ok.classList.toggle("danger", danger);
    dialog.classList.toggle("is-danger", danger);
    dialog.returnValue = "";
    dialog.addEventListener("close", function onClose() {
      dialog.removeEventListener("close", onClose);
      if (dialog.returnValue === "ok") proceed();
    });
    dialog.showModal();
    dialog.querySelector("[data-confirm-cancel]").focus();
  }

  function setUpConfirmations() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.dataset.confirm || form.hasAttribute("hx-post")) return;
      if (form.dataset.confirmed === "yes") return;
      event.preventDefault();
      var submitter = event.submitter;
      askThen(form, function () {
        form.dataset.confirmed = "yes";
        form.requestSubmit(submitter || undefined);
        delete form.dataset.confirmed;
      });
    });
    // htmx forms: htmx asks through its confirm event; answer with the same dialog.
    document.addEventListener("htmx:confirm", function (event) {
      var source = event.detail.elt.closest("[data-confirm]");
      if (!source) return;
      event.preventDefault();
      askThen(source, function () { event.detail.issueRequest(true); });
    });
  }

  function setUpToasts() {
    document.addEventListener("click", function (event) {
      var close = event.target.closest(".toast-close");
      if (close) close.closest(".toast").remove();
    });
    document.querySelectorAll(".toast.message-success").forEach(function (toast) {
      var timer = setTimeout(function () { toast.remove(); }, 8000);
      toast.addEventListener("mouseenter", function () { clearTimeout(timer); });
      toast.addEventListener("focusin", function () { clearTimeout(timer); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpMenu();
    setUpConfirmations();
    setUpToasts();
  });
})();
