// Step-through of a case on the diagram version it ran on (audit/steps.html).
// Data comes from steps.json; the page works without this script (server-rendered list).
(function () {
  "use strict";
  var root = document.getElementById("step-diagram");
  if (!root || !window.BpmnJS) { return; }
  var canvasEl = root.querySelector(".canvas");
  var viewer = new window.BpmnJS({ container: canvasEl });
  var marked = [];
  var current = null;

  function clearMarks() {
    var canvas = viewer.get("canvas");
    marked.forEach(function (m) { canvas.removeMarker(m[0], m[1]); });
    marked = [];
    viewer.get("overlays").remove({ type: "run-count" });
  }

  function mark(ids, cls) {
    var registry = viewer.get("elementRegistry");
    var canvas = viewer.get("canvas");
    ids.forEach(function (id) {
      if (registry.get(id)) { canvas.addMarker(id, cls); marked.push([id, cls]); }
    });
  }

  function countBadge(id, n) {
    if (!viewer.get("elementRegistry").get(id)) { return; }
    var badge = document.createElement("span");
    badge.className = "run-count";
    badge.textContent = "\u00d7" + n;
    viewer.get("overlays").add(id, "run-count", { position: { top: -12, right: 12 }, html: badge });
  }

  function render(data) {
    current = data;
    clearMarks();
    mark(Array.from(new Set(data.path)), "step-path");
    mark(data.ran_in_step, "step-current");
    mark(data.active, "step-active");
    Object.keys(data.repeated).forEach(function (id) { countBadge(id, data.repeated[id]); });
    root.dataset.step = String(data.step);
    var label = root.querySelector(".step-label");
    if (label) { label.textContent = data.event.label; }
    ["previous", "next"].forEach(function (dir) {
      var link = root.querySelector('[data-go="' + dir + '"]');
      if (link) { link.hidden = data[dir] === null; }
    });
  }

  function show(step) {
    return fetch(root.dataset.jsonUrl + "?step=" + step, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(render);
  }

  root.addEventListener("click", function (event) {
    var link = event.target.closest("[data-go]");
    if (!link || !current) { return; }
    var target = current[link.dataset.go];
    if (target === null) { return; }
    event.preventDefault();
    show(target).then(function () { history.replaceState(null, "", link.pathname + "?step=" + target); });
  });

  fetch(root.dataset.bpmnUrl, { credentials: "same-origin" })
    .then(function (r) { return r.text(); })
    .then(function (xml) {
      if (xml.indexOf("BPMNShape") < 0) { throw new Error("no layout"); }
      return viewer.importXML(xml);
    })
    .then(function () {
      viewer.get("canvas").zoom("fit-viewport");
      root.classList.add("diagram-ready");
      return show(Number(root.dataset.step));
    })
    .catch(function () {
      canvasEl.classList.add("no-diagram");
      canvasEl.textContent = root.dataset.noDiagram;
    });
}());
