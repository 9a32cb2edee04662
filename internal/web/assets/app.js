// Gatehouse console: copy buttons, self-refreshing cluster health, the custom usage
// period. Everything works without this file; it only makes things quicker.
"use strict";

(function () {
  // Copy buttons: data-copy names the element whose text is copied.
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var ta = document.createElement("textarea");
      ta.value = text;
      ta.setAttribute("readonly", "");
      ta.className = "sr-only";
      document.body.appendChild(ta);
      ta.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(ta);
      if (ok) { resolve(); } else { reject(new Error("copy failed")); }
    });
  }

  function initCopy() {
    document.querySelectorAll("button[data-copy]").forEach(function (btn) {
      var target = document.getElementById(btn.getAttribute("data-copy"));
      if (!target) { return; }
      btn.hidden = false;
      var label = btn.textContent;
      var what = describe(target);
      btn.setAttribute("aria-label", (label + " " + what).trim());
      btn.addEventListener("click", function () {
        copyText(target.textContent).then(function () {
          btn.textContent = "Copied";
          btn.setAttribute("aria-label", ("Copied " + what).trim());
          btn.classList.add("copied");
          announce((what ? what.charAt(0).toUpperCase() + what.slice(1) : "Text") + " copied to the clipboard.");
          setTimeout(function () {
            btn.textContent = label;
            btn.setAttribute("aria-label", (label + " " + what).trim());
            btn.classList.remove("copied");
          }, 2000);
        }, function () {
          // Select the text so that the user can copy it with the keyboard.
          var range = document.createRange();
          range.selectNodeContents(target);
          var sel = window.getSelection();
          sel.removeAllRanges();
          sel.addRange(range);
          btn.textContent = "Press Ctrl+C";
        });
      });
    });
  }

  // announce tells screen readers what just happened, through one polite live region.
  var live = null;
  function announce(text) {
    if (!live) {
      live = document.createElement("span");
      live.className = "sr-only";
      live.setAttribute("aria-live", "polite");
      document.body.appendChild(live);
    }
    live.textContent = text;
  }

  function describe(el) {
    var id = el.id || "";
    if (id.indexOf("secret") >= 0 && id.indexOf("snippet") < 0) { return "client secret"; }
    if (id.indexOf("client-id") >= 0) { return "client ID"; }
    if (id.indexOf("env") >= 0) { return "environment variables"; }
    if (id.indexOf("curl") >= 0) { return "curl command"; }
    return "";
  }

  // Cluster health: poll the health endpoint and update every badge that names a
  // cluster (and app) in data-health-cluster / data-health-app.
  function initHealth() {
    var box = document.querySelector("[data-health-url]");
    if (!box) { return; }
    var url = box.getAttribute("data-health-url");
    var every = parseInt(box.getAttribute("data-health-refresh"), 10) || 5000;
    var at = document.querySelector("[data-health-at]");

    function setStatus(el, status) {
      if (el.textContent === status) { return; }
      el.textContent = status;
      el.className = "status status-" + status + " changed";
      setTimeout(function () { el.classList.remove("changed"); }, 1500);
    }

    function refresh() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" }, cache: "no-store" })
        .then(function (r) {
          if (r.redirected || !r.ok) { throw new Error("health " + r.status); }
          return r.json();
        })
        .then(function (doc) {
          doc.clusters.forEach(function (c) {
            document.querySelectorAll('[data-health-cluster="' + CSS.escape(c.uuid) + '"]').forEach(function (el) {
              var app = el.getAttribute("data-health-app");
              if (app === null) { setStatus(el, c.status); return; }
              c.apps.forEach(function (a) { if (a.id === app) { setStatus(el, a.status); } });
            });
          });
          if (at) { at.textContent = "Health as of " + new Date(doc.at).toLocaleTimeString() + "; refreshes every " + Math.round(every / 1000) + " s."; }
        })
        .catch(function () {
          if (at) { at.textContent = "Health could not be refreshed; retrying. Reload the page if this persists."; }
        })
        .finally(function () { setTimeout(refresh, every); });
    }
    setTimeout(refresh, Math.min(every, 1000));
  }

  // Usage period: the date fields matter only for "custom".
  function initPeriod() {
    var sel = document.getElementById("period");
    if (!sel) { return; }
    var fields = document.querySelectorAll("[data-custom-period]");
    function sync() {
      fields.forEach(function (f) { f.hidden = sel.value !== "custom"; });
    }
    sel.addEventListener("change", sync);
    sync();
  }

  function init() {
    initCopy();
    initHealth();
    initPeriod();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
