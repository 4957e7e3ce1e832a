// Drafts save as one types: a form with data-autosave posts itself (with its CSRF token)
// a moment after typing stops, when a field is left, and when the page is left.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) { return; }
  var url = form.getAttribute("data-autosave");
  var status = form.querySelector(".autosave-status");
  var timer = null;
  var dirty = false;
  function save() {
    if (!dirty) { return; }
    dirty = false;
    var body = new URLSearchParams(new FormData(form));
    fetch(url, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (t) { if (status) { status.textContent = t; } })
      .catch(function () { dirty = true; if (status) { status.textContent = "自动保存未成功，请点击“保存”。"; } });
  }
  form.addEventListener("input", function (e) {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(save, 1500);
    var t = e.target;
    if (t && t.getAttribute && t.getAttribute("data-max")) {
      var c = form.querySelector('.counter[data-for="' + t.id + '"]');
      if (c) { c.textContent = t.value.length + " / " + t.getAttribute("data-max"); }
    }
  });
  form.addEventListener("change", function () { dirty = true; save(); });
  form.addEventListener("submit", function () { dirty = false; clearTimeout(timer); });
  window.addEventListener("pagehide", function () {
    if (dirty && navigator.sendBeacon) { navigator.sendBeacon(url, new URLSearchParams(new FormData(form))); }
  });
})();
