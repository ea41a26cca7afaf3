/* The process modeler page (no build step: the vendored bpmn-js UMD bundle defines BpmnJS).
 *
 * - loads the diagram of a version or draft and the spiffworkflow moddle descriptor;
 * - a side form edits our properties of a user task (formKey, role) and writes them as
 *   <spiffworkflow:properties> through the modeler's command stack
 *   (modeling.updateModdleProperties), so undo/redo covers them like any other edit;
 * - lanes map to roles: a lane has a Japanese name and its role code as the property "role" (the
 *   role of the user tasks in it that name none), chosen from the role codes and written through
 *   the command stack like a task's properties (undo works); lanes of older versions were named
 *   by the role code, which the form shows when the lane has no property;
 * - a version is a set of files: the page edits one (config.filename) and saves it as a draft of
 *   that file; the other files are linked from the page;
 * - save draft / check / deploy talk JSON to app/views/modeler.py; problems that name an
 *   element are highlighted on the canvas (canvas.addMarker) and selectable from the list.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("modeler-config").textContent);
  var statusLine = document.getElementById("modeler-status");
  var form = document.getElementById("task-properties");
  var formKeySelect = document.getElementById("prop-form-key");
  var roleSelect = document.getElementById("prop-role");
  var laneForm = document.getElementById("lane-properties");
  var laneRoleSelect = document.getElementById("prop-lane-role");
  var modeler, modeling, moddle, canvas, registry, selected = null, markers = [];

  // UI text comes translated from the page (config.messages); {name} marks a value.
  function text(key, values) {
    return config.messages[key].replace(/\{(\w+)\}/g, function (_, name) { return String(values[name]); });
  }

  function say(message, isError) {
    statusLine.textContent = message;
    statusLine.className = "modeler-status" + (isError ? " error-text" : "");
  }

  function fillOptions() {
    config.forms.forEach(function (f) {
      formKeySelect.add(new Option(f.title + " (" + f.key + ")", f.key));
    });
    config.roles.forEach(function (r, i) {
      // Roles are checkboxes: several can be chosen without holding Ctrl.
      var box = document.createElement("div");
      box.className = "choice";
      var input = document.createElement("input");
      input.type = "checkbox";
      input.id = "prop-role-" + i;
      input.value = r.code;
      var label = document.createElement("label");
      label.htmlFor = input.id;
      label.textContent = r.label;
      box.appendChild(input);
      box.appendChild(label);
      roleSelect.appendChild(box);
      laneRoleSelect.add(new Option(r.label, r.code));
    });
  }

  // -- reading and writing spiffworkflow:properties -------------------------------
  function propertiesOf(bo) {
    var ext = bo.get("extensionElements");
    if (!ext) { return null; }
    return (ext.get("values") || []).find(function (v) { return v.$instanceOf("spiffworkflow:properties"); }) || null;
  }

  function readProperty(element, name) {
    var props = propertiesOf(element.businessObject);
    var found = props && props.get("properties").find(function (p) { return p.name === name; });
    return found ? found.value || "" : "";
  }

  function writeProperty(element, name, value) {
    var bo = element.businessObject;
    var ext = bo.get("extensionElements");
    if (!ext) {
      ext = moddle.create("bpmn:ExtensionElements", { values: [] });
      modeling.updateProperties(element, { extensionElements: ext });
    }
    var props = propertiesOf(bo);
    if (!props) {
      props = moddle.create("spiffworkflow:properties", { properties: [] });
      props.$parent = ext;
      modeling.updateModdleProperties(element, ext, { values: ext.get("values").concat([props]) });
    }
    var list = props.get("properties");
    var current = list.find(function (p) { return p.name === name; });
    if (!value) {
      if (current) {
        modeling.updateModdleProperties(element, props, { properties: list.filter(function (p) { return p !== current; }) });
      }
    } else if (current) {
      modeling.updateModdleProperties(element, current, { value: value });
    } else {
      var prop = moddle.create("spiffworkflow:property", { name: name, value: value });
      prop.$parent = props;
      modeling.updateModdleProperties(element, props, { properties: list.concat([prop]) });
    }
  }

  // -- the side form ----------------------------------------------------------------
  function showPanel(element) {
    selected = element && (element.type === "bpmn:UserTask" || element.type === "bpmn:Lane") ? element : null;
    var isLane = !!selected && selected.type === "bpmn:Lane";
    form.hidden = !selected || isLane;
    laneForm.hidden = !isLane;
    document.getElementById("panel-empty").hidden = !!selected;
    if (!selected) { return; }
    if (isLane) {
      document.getElementById("panel-lane-id").textContent = selected.id;
      var role = readProperty(selected, "role") || (selected.businessObject.name || "").trim();
      var known = config.roles.some(function (r) { return r.code === role; });
      laneRoleSelect.value = known ? role : "";
      return;
    }
    document.getElementById("panel-element-name").textContent = selected.businessObject.name || "";
    document.getElementById("panel-element-id").textContent = selected.id;
    formKeySelect.value = readProperty(selected, "formKey");
    var roles = readProperty(selected, "role").split(/\s+/);
    roleSelect.querySelectorAll("input").forEach(function (o) { o.checked = roles.indexOf(o.value) >= 0; });
  }

  formKeySelect.addEventListener("change", function () {
    if (selected) { writeProperty(selected, "formKey", formKeySelect.value); }
  });
  laneRoleSelect.addEventListener("change", function () {
    if (selected && selected.type === "bpmn:Lane") {
      writeProperty(selected, "role", laneRoleSelect.value);
    }
  });
  roleSelect.addEventListener("change", function () {
    if (!selected) { return; }
    var chosen = Array.prototype.filter.call(roleSelect.querySelectorAll("input"), function (o) { return o.checked; })
      .map(function (o) { return o.value; });
    writeProperty(selected, "role", chosen.join(" "));
  });

  // -- problems on the canvas ---------------------------------------------------------
  function clearMarkers() {
    markers.forEach(function (m) { canvas.removeMarker(m[0], m[1]); });
    markers = [];
  }

  function showProblems(problems) {
    clearMarkers();
    var list = document.getElementById("problems");
    list.textContent = "";
    if (!problems.length) {
      var ok = document.createElement("li");
      ok.textContent = text("none");
      ok.className = "ok";
      list.appendChild(ok);
    }
    problems.slice().sort(function (a, b) {
      return (a.severity === "error" ? 0 : 1) - (b.severity === "error" ? 0 : 1);
    }).forEach(function (p) {
      var item = document.createElement("li");
      item.className = p.severity;
      item.dataset.elementId = p.element_id || "";
      var known = p.element_id && registry.get(p.element_id);
      var line = text(p.severity === "error" ? "error" : "warning") + (p.element_id ? " [" + p.element_id + "] " : " ") + p.message;
      if (known) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = line;
        button.addEventListener("click", function () {
          modeler.get("selection").select(known);
          canvas.scrollToElement(known);
        });
        item.appendChild(button);
        canvas.addMarker(p.element_id, "check-" + p.severity);
        markers.push([p.element_id, "check-" + p.severity]);
      } else {
        item.textContent = line;
      }
      list.appendChild(item);
    });
  }

  // -- talking to the server ----------------------------------------------------------
  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": config.csrfToken },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) { data.httpStatus = response.status; return data; });
    });
  }

  function describe(data) {
    var errors = data.errors ? Object.keys(data.errors).map(function (k) { return data.errors[k].join(" "); }) : [];
    return [data.detail].concat(errors).filter(Boolean).join(" ");
  }

  function save() {
    return modeler.saveXML({ format: true }).then(function (result) {
      return post(config.saveUrl, { xml: result.xml, baseVersionId: config.baseVersionId, draftId: config.draftId,
                                    filename: config.filename });
    }).then(function (data) {
      if (data.httpStatus !== 200) { throw new Error(describe(data)); }
      config.draftId = data.draftId;
      config.checkUrl = data.checkUrl;
      config.deployUrl = data.deployUrl;
      history.replaceState(null, "", data.url);
      say(text("saved", { id: data.draftId }));
      return data;
    });
  }

  function fail(error) { say(error.message || String(error), true); }

  document.getElementById("save").addEventListener("click", function () { save().catch(fail); });
  document.getElementById("run-checks").addEventListener("click", function () {
    save().then(function () { return post(config.checkUrl, {}); }).then(function (data) {
      showProblems(data.problems || []);
      say(data.blocking ? text("blocking", { n: data.blocking }) : text("passed"));
    }).catch(fail);
  });
  // デプロイ asks first: a deployed version is what every new case runs on, and cannot be changed.
  var confirmBox = document.getElementById("deploy-confirm");
  document.getElementById("deploy").addEventListener("click", function () {
    confirmBox.hidden = false;
    document.getElementById("deploy-yes").focus();
  });
  document.getElementById("deploy-no").addEventListener("click", function () {
    confirmBox.hidden = true;
    document.getElementById("deploy").focus();
  });
  document.getElementById("deploy-yes").addEventListener("click", function () {
    confirmBox.hidden = true;
    var note = document.getElementById("deploy-note").value;
    save().then(function () { return post(config.deployUrl, { note: note }); }).then(function (data) {
      if (data.httpStatus !== 200) {
        if (data.problems) { showProblems(data.problems); }
        throw new Error(describe(data));
      }
      window.location.assign(data.url + "#version-" + data.version);
    }).catch(fail);
  });
  document.getElementById("undo").addEventListener("click", function () { modeler.get("commandStack").undo(); });
  document.getElementById("redo").addEventListener("click", function () { modeler.get("commandStack").redo(); });
  document.getElementById("zoom-fit").addEventListener("click", function () { canvas.zoom("fit-viewport"); });

  // SpiffWorkflow reads <loopDataInputRef>services</loopDataInputRef> as a *variable name*;
  // for BPMN it is a reference to a data input, which moddle cannot resolve and would drop on
  // save.  Point it at a detached element with that id, so that saving writes the name back.
  function keepVariableReferences(warnings) {
    var types = { loopDataInputRef: "bpmn:DataInput", loopDataOutputRef: "bpmn:DataOutput" };
    warnings.forEach(function (w) {
      var property = String(w.property || "").replace(/^bpmn:/, "");
      if (w.element && types[property] && w.value) {
        w.element.set(property, moddle.create(types[property], { id: w.value }));
      }
    });
  }

  // The whole process fitted into the canvas is too small to read: show it at a readable scale
  // from its start, to the right of the palette (which would otherwise cover the first shapes).
  function readableZoom() {
    canvas.zoom("fit-viewport");
    var box = canvas.viewbox();
    var readable = 0.85;
    if (box.scale >= readable) { return; }
    var palette = document.querySelector("#canvas .djs-palette");
    var left = (palette ? palette.getBoundingClientRect().width + 24 : 24) / readable;
    canvas.viewbox({ x: box.inner.x - left, y: box.inner.y - 24 / readable,
                     width: box.outer.width / readable, height: box.outer.height / readable });
  }

  // -- start ------------------------------------------------------------------------------
  function start() {
    fillOptions();
    Promise.all([
      fetch(config.moddleUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }),
      fetch(config.xmlUrl, { credentials: "same-origin" }).then(function (r) { return r.text(); })
    ]).then(function (loaded) {
      modeler = new window.BpmnJS({ container: "#canvas", moddleExtensions: { spiffworkflow: loaded[0] } });
      modeling = modeler.get("modeling");
      moddle = modeler.get("moddle");
      canvas = modeler.get("canvas");
      registry = modeler.get("elementRegistry");
      modeler.on("selection.changed", function (event) {
        showPanel(event.newSelection.length === 1 ? event.newSelection[0] : null);
      });
      modeler.on("commandStack.changed", function () { showPanel(selected && registry.get(selected.id)); });
      return modeler.importXML(loaded[1]);
    }).then(function (result) {
      keepVariableReferences(result.warnings || []);
      readableZoom();
      document.body.dataset.modelerReady = "true";
      say(text("loaded"));
    }).catch(fail);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
