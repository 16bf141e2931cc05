"use strict";
(function () {
  var table = document.getElementById("findings-table");
  var count = document.getElementById("findings-count");
  var filters = {
    rule: document.getElementById("filter-rule"),
    level: document.getElementById("filter-level"),
    job: document.getElementById("filter-job"),
    q: document.getElementById("filter-text")
  };
  var rows = table ? Array.prototype.slice.call(table.tBodies[0].rows) : [];

  function apply() {
    var rule = filters.rule ? filters.rule.value : "";
    var level = filters.level ? filters.level.value : "";
    var job = filters.job ? filters.job.value : "";
    var q = filters.q ? filters.q.value.toLowerCase() : "";
    var shown = 0;
    rows.forEach(function (row) {
      var ok = (!rule || row.dataset.rule === rule) &&
        (!level || row.dataset.level === level) &&
        (!job || row.dataset.job === job) &&
        (!q || row.textContent.toLowerCase().indexOf(q) !== -1);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    if (count) {
      count.textContent = shown + " of " + rows.length + " findings shown";
    }
  }

  function save() {
    var parts = [];
    Object.keys(filters).forEach(function (key) {
      var el = filters[key];
      if (el && el.value) {
        parts.push(key + "=" + encodeURIComponent(el.value));
      }
    });
    var hash = parts.length ? "#" + parts.join("&") : "";
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", hash || window.location.pathname);
    }
  }

  function load() {
    var hash = window.location.hash.replace(/^#/, "");
    if (!hash) { return; }
    hash.split("&").forEach(function (pair) {
      var at = pair.indexOf("=");
      if (at < 0) { return; }
      var key = pair.slice(0, at);
      var value;
      try { value = decodeURIComponent(pair.slice(at + 1)); } catch (e) { return; }
      var el = Object.prototype.hasOwnProperty.call(filters, key) ? filters[key] : null;
      if (!el) { return; }
      if (el.tagName === "SELECT") {
        var known = Array.prototype.some.call(el.options, function (o) { return o.value === value; });
        if (!known) { return; }
      }
      el.value = value;
    });
  }

  Object.keys(filters).forEach(function (key) {
    var el = filters[key];
    if (el) {
      el.addEventListener(el.tagName === "SELECT" ? "change" : "input", function () {
        apply();
        save();
      });
    }
  });
  var reset = document.getElementById("filter-reset");
  if (reset) {
    reset.addEventListener("click", function () {
      Object.keys(filters).forEach(function (key) {
        if (filters[key]) { filters[key].value = ""; }
      });
      apply();
      save();
    });
  }
  var zoom = document.getElementById("diagram-zoom");
  var drawing = document.getElementById("diagram");
  if (zoom && drawing) {
    zoom.addEventListener("click", function () {
      var fit = drawing.classList.toggle("fit");
      zoom.textContent = fit ? "Actual size" : "Fit to width";
    });
  }
  window.addEventListener("hashchange", function () { load(); apply(); });
  load();
  apply();
  document.documentElement.setAttribute("data-ready", "1");
}());
