/* The version diff page: both diagrams side by side (vendored bpmn-js navigated viewer),
 * removed elements marked on the old one, added and changed ones on the new one. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("diff-config").textContent);

  function show(container, url, marks) {
    if (!url) { return Promise.resolve(); }  // the file is not part of that version
    var viewer = new window.BpmnJS({ container: container });
    return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.text(); })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get("canvas");
        var registry = viewer.get("elementRegistry");
        canvas.zoom("fit-viewport");
        Object.keys(marks).forEach(function (cls) {
          marks[cls].forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, cls); } });
        });
      });
  }

  function start() {
    Promise.all([
      show("#diff-old", config.oldUrl, { "diff-removed": config.removed }),
      show("#diff-new", config.newUrl, { "diff-added": config.added, "diff-changed": config.changed })
    ]).then(function () { document.body.dataset.diffReady = "true"; });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
