// Step-through of a case on the diagram version it ran on (audit/steps.html).
// Data comes from steps.json; the page works without this script (server-rendered list).
// A version is a set of files (the main process and the processes it calls): one viewer per
// file, the main one first; element ids are unique across the set, so each mark lands on the
// diagram that holds the element.
(function () {
  "use strict";
  var root = document.getElementById("step-diagram");
  if (!root || !window.BpmnJS) { return; }
  var canvasEl = root.querySelector(".canvas");
  var viewers = Array.prototype.map.call(root.querySelectorAll(".diagram-file"), function (figure) {
    return { figure: figure, viewer: new window.BpmnJS({ container: figure.querySelector(".viewer") }),
             loaded: false };
  });
  var marked = [];
  var current = null;

  function loaded() { return viewers.filter(function (v) { return v.loaded; }); }

  function clearMarks() {
    marked.forEach(function (m) { m[0].get("canvas").removeMarker(m[1], m[2]); });
    marked = [];
    loaded().forEach(function (v) { v.viewer.get("overlays").remove({ type: "run-count" }); });
  }

  function mark(ids, cls) {
    loaded().forEach(function (v) {
      var registry = v.viewer.get("elementRegistry");
      var canvas = v.viewer.get("canvas");
      ids.forEach(function (id) {
        if (registry.get(id)) { canvas.addMarker(id, cls); marked.push([v.viewer, id, cls]); }
      });
    });
  }

  function countBadge(id, n) {
    loaded().forEach(function (v) {
      if (!v.viewer.get("elementRegistry").get(id)) { return; }
      var badge = document.createElement("span");
      badge.className = "run-count";
      badge.textContent = "\u00d7" + n;
      v.viewer.get("overlays").add(id, "run-count", { position: { top: -12, right: 12 }, html: badge });
    });
  }

  function render(data) {
    current = data;
    clearMarks();
    mark(Array.from(new Set(data.path)), "step-path");
    mark(data.ran_in_step, "step-current");
    mark(data.active, "step-active");
    Object.keys(data.repeated).forEach(function (id) { countBadge(id, data.repeated[id]); });
    root.dataset.step = String(data.step);
    var count = root.querySelector(".step-count");
    if (count) {
      count.textContent = root.dataset.stepFormat.replace("{n}", String(data.step + 1))
        .replace("{total}", String(data.step_count));
    }
    var label = root.querySelector(".step-label");
    if (label) { label.textContent = data.event.label; }
    ["previous", "next"].forEach(function (dir) {
      var link = root.querySelector('[data-go="' + dir + '"]');
      if (link) {
        link.hidden = data[dir] === null;
        if (data[dir] !== null) { link.href = link.pathname + "?step=" + data[dir]; }
      }
    });
    // The server-rendered summary and list below follow the step shown.
    // Element names, never ids: auditors read the diagram's words.
    var named = function (id) { return (data.names && data.names[id]) || "\uff08\u540d\u524d\u306e\u306a\u3044\u8981\u7d20\uff09"; };
    setText("dd.ran", data.ran_in_step.map(named).join("\u3001") || "\u2014");
    setText("dd.active", data.active.map(named).join("\u3001") || "\u2014");
    setText("dd.repeated", Object.keys(data.repeated).map(function (id) {
      return named(id) + " \u00d7" + data.repeated[id];
    }).join("\u3001") || "\u2014");
    document.querySelectorAll(".step-list li[data-step]").forEach(function (li) {
      var here = li.dataset.step === String(data.step);
      li.classList.toggle("current", here);
      if (here) { li.setAttribute("aria-current", "step"); } else { li.removeAttribute("aria-current"); }
    });
  }

  function setText(selector, text) {
    var el = document.querySelector(selector);
    if (el) { el.textContent = text; }
  }

  // Frame the part of each diagram this case went through (once: stepping keeps the view).
  function frame(viewer, ids) {
    var registry = viewer.get("elementRegistry");
    var canvas = viewer.get("canvas");
    var plane = canvas.getRootElement();
    var box = null;
    ids.forEach(function (id) {
      var el = registry.get(id);
      // shapes on the plane shown (a collapsed subprocess's inside is on a plane of its own)
      if (!el || el.waypoints || el.width === undefined || canvas.findRoot(el) !== plane) { return; }
      var x2 = el.x + el.width, y2 = el.y + el.height;
      box = box ? { x: Math.min(box.x, el.x), y: Math.min(box.y, el.y), x2: Math.max(box.x2, x2),
                    y2: Math.max(box.y2, y2) } : { x: el.x, y: el.y, x2: x2, y2: y2 };
    });
    if (!box) { canvas.zoom("fit-viewport"); return; }
    var pad = 60;
    canvas.viewbox({ x: box.x - pad, y: box.y - pad, width: box.x2 - box.x + 2 * pad,
                                   height: box.y2 - box.y + 2 * pad });
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

  function load(v) {
    return fetch(v.figure.dataset.bpmnUrl, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (xml) {
        if (xml.indexOf("BPMNShape") < 0) { throw new Error("no layout"); }
        return v.viewer.importXML(xml);
      })
      .then(function () { v.loaded = true; });
  }

  var main = viewers[0];
  if (!main) { return; }
  load(main)
    .then(function () {
      // The called processes' diagrams: one without a layout is left out, the rest still shows.
      return Promise.all(viewers.slice(1).map(function (v) {
        return load(v).catch(function () { v.figure.hidden = true; });
      }));
    })
    .then(function () {
      return show(Number(root.dataset.step));
    })
    .then(function () {
      loaded().forEach(function (v) { frame(v.viewer, current.reached); });
      root.classList.add("diagram-ready");
    })
    .catch(function () {
      canvasEl.classList.add("no-diagram");
      canvasEl.textContent = root.dataset.noDiagram;
    });
}());
