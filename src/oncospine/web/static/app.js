// Small helpers for the server-rendered pages: running clocks, the browser's UTC offset for
// time fields, adding and removing lesion or imaging blocks, and jumping to a missing input.
(function () {
  "use strict";

  function fmt(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    if (minutes === 0) { return "due now"; }
    var d = Math.floor(minutes / 1440), h = Math.floor((minutes % 1440) / 60), m = minutes % 60;
    var text = d ? d + " d " + h + " h" : h ? h + " h " + m + " min" : m + " min";
    return ms >= 0 ? text + " left" : "overdue by " + text;
  }

  function tick() {
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var ms = new Date(el.getAttribute("data-due")).getTime() - Date.now();
      var left = el.querySelector(".left");
      if (left) { left.textContent = fmt(ms); }
      el.classList.toggle("overdue", ms < 0);
    });
  }

  function renumber(container) {
    container.querySelectorAll("fieldset.entry").forEach(function (block, n) {
      var legend = block.querySelector("legend");
      if (legend) { legend.textContent = legend.textContent.replace(/\s*(\d+|new)?$/, " " + (n + 1)); }
    });
  }

  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add]");
    if (add) {
      var kind = add.getAttribute("data-add");
      var counter = document.querySelector('[data-count="' + kind + '"]');
      var index = parseInt(counter.value, 10) || 0;
      var html = document.querySelector('[data-template="' + kind + '"]').innerHTML
        .split("__i__").join(String(index));
      var holder = document.querySelector('[data-entries="' + kind + '"]');
      holder.insertAdjacentHTML("beforeend", html);
      localise(holder);
      counter.value = String(index + 1);
      renumber(holder);
      var first = holder.lastElementChild.querySelector("select, input");
      if (first) { first.focus(); }
      return;
    }
    var remove = event.target.closest("[data-remove]");
    if (remove) {
      var block = remove.closest("fieldset.entry");
      var parent = block.parentElement;
      block.remove();
      renumber(parent);
      var form = document.getElementById("case-form");
      if (form) { form.dispatchEvent(new Event("change", { bubbles: true })); }
      return;
    }
    var focus = event.target.closest("[data-focus]");
    if (focus) {
      var target = document.getElementById(focus.getAttribute("data-focus"));
      if (target) {
        event.preventDefault();
        target.scrollIntoView({ block: "center" });
        var control = target.matches("fieldset") ? target.querySelector("input") : target;
        (control || target).focus();
      }
    }
  });

  // "None of these" and the items of a box group exclude each other.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("fieldset.multi input[type=checkbox]")) { return; }
    var group = box.closest("fieldset.multi");
    if (box.value === "__none__" && box.checked) {
      group.querySelectorAll("input[type=checkbox]").forEach(function (b) {
        if (b !== box) { b.checked = false; }
      });
    } else if (box.checked) {
      var none = group.querySelector('input[value="__none__"]');
      if (none) { none.checked = false; }
    }
  });

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // Time controls arrive in UTC; show them in local time and send the local offset back.
  function localise(root) {
    root.querySelectorAll("input[type=datetime-local][data-utc]").forEach(function (el) {
      if (el.value) {
        var d = new Date(el.value + (el.value.length === 16 ? ":00Z" : "Z"));
        el.value = d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) +
          "T" + pad(d.getHours()) + ":" + pad(d.getMinutes()) +
          (d.getSeconds() ? ":" + pad(d.getSeconds()) : "");
      }
      el.removeAttribute("data-utc");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var minutes = -new Date().getTimezoneOffset();
    var offset = String(minutes);
    document.querySelectorAll("[data-tz]").forEach(function (el) { el.value = offset; });
    var sign = minutes >= 0 ? "+" : "-", abs = Math.abs(minutes);
    document.querySelectorAll("[data-tz-name]").forEach(function (el) {
      el.textContent = "your local time (UTC" + sign + pad(Math.floor(abs / 60)) + ":" + pad(abs % 60) + ")";
    });
    localise(document);
    tick();
    setInterval(tick, 30000);
  });
  document.addEventListener("htmx:afterSwap", tick);
})();
