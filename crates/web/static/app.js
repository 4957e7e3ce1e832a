// A table too wide for the screen scrolls sideways; it can then be reached and scrolled
// with the keyboard too, and says what it holds.
(function () {
  "use strict";
  function mark() {
    var boxes = document.querySelectorAll("main table, main .table-wrap");
    Array.prototype.forEach.call(boxes, function (el) {
      var wide = el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== "visible";
      if (wide && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
        el.setAttribute("data-scroll-focus", "1");
        if (!el.hasAttribute("aria-label") && el.tagName !== "TABLE") {
          var h = el.closest("section, form, main").querySelector("h2, h1");
          el.setAttribute("role", "region");
          el.setAttribute("aria-label", h ? h.textContent.trim() : "table");
        }
      } else if (!wide && el.getAttribute("data-scroll-focus") === "1") {
        el.removeAttribute("tabindex");
        el.removeAttribute("data-scroll-focus");
      }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", mark); } else { mark(); }
  window.addEventListener("resize", mark);
})();

// Drafts save as one types: a form with data-autosave posts itself (with its CSRF token)
// a moment after typing stops, when a field is left, and when the page is left. A required
// field left empty says so beside it at once (the server says the same when the form is
// saved). Messages follow the page's language.
(function () {
  "use strict";
  var en = (document.documentElement.getAttribute("lang") || "").indexOf("en") === 0;
  var msg = {
    failed: en ? "Autosave failed; press “Save”." : "自动保存未成功，请点击“保存”。",
    required: function (label) { return en ? "Enter “" + label + "”." : "请填写“" + label + "”。"; }
  };
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
      .catch(function () { dirty = true; if (status) { status.textContent = msg.failed; } });
  }
  function mark(t) {
    var label = t.getAttribute("data-required");
    if (!label) { return; }
    var id = t.id + "-missing";
    var note = document.getElementById(id);
    var holder = t.closest("td") || t.closest(".field");
    if (t.value.trim() === "") {
      if (!note) {
        note = document.createElement("p");
        note.className = "field-error";
        note.id = id;
        note.textContent = msg.required(label);
        t.parentNode.insertBefore(note, t.nextSibling);
        t.setAttribute("aria-describedby", id);
      }
      t.setAttribute("aria-invalid", "true");
      if (holder) { holder.classList.add("has-error"); }
    } else if (note) {
      note.parentNode.removeChild(note);
      t.removeAttribute("aria-invalid");
      t.removeAttribute("aria-describedby");
      if (holder && !holder.querySelector(".field-error")) { holder.classList.remove("has-error"); }
    }
  }
  form.addEventListener("focusout", function (e) { if (e.target && e.target.getAttribute) { mark(e.target); } });
  form.addEventListener("input", function (e) {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(save, 1500);
    var t = e.target;
    if (t && t.getAttribute && t.getAttribute("data-max")) {
      var c = form.querySelector('.counter[data-for="' + t.id + '"]');
      if (c) { c.textContent = t.value.length + " / " + t.getAttribute("data-max"); }
    }
    if (t && t.getAttribute && document.getElementById(t.id + "-missing")) { mark(t); }
  });
  form.addEventListener("change", function () { dirty = true; save(); });
  form.addEventListener("submit", function () { dirty = false; clearTimeout(timer); });
  window.addEventListener("pagehide", function () {
    if (dirty && navigator.sendBeacon) { navigator.sendBeacon(url, new URLSearchParams(new FormData(form))); }
  });
})();
