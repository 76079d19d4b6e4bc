/* One instance's history on its diagram: the path taken, where it waits now, and time per step. */
(function () {
  'use strict';
  const boot = JSON.parse(document.getElementById('history-boot').textContent);
  const canvasEl = document.getElementById('history-canvas');
  const tabs = document.getElementById('diagram-tabs');
  const viewer = new BpmnJS({ container: canvasEl });
  const seconds = {};
  boot.steps.forEach(function (s) { seconds[s.bpmn_id] = (seconds[s.bpmn_id] || 0) + s.seconds; });

  function duration(total) {
    const d = Math.floor(total / 86400), h = Math.floor((total % 86400) / 3600), m = Math.floor((total % 3600) / 60);
    if (d) return d + '天' + (h ? h + '小时' : '');
    if (h) return h + '小时' + (m ? m + '分' : '');
    return Math.max(m, total > 0 ? 1 : 0) + '分';
  }

  function mark() {
    const canvas = viewer.get('canvas');
    const registry = viewer.get('elementRegistry');
    const overlays = viewer.get('overlays');
    boot.path.forEach(function (id) { if (registry.get(id)) canvas.addMarker(id, 'run-visited'); });
    boot.current.forEach(function (id) { if (registry.get(id)) canvas.addMarker(id, 'run-current'); });
    const taken = new Set(boot.flows.map(function (f) { return f[0] + '>' + f[1]; }));
    registry.filter(function (el) { return el.type === 'bpmn:SequenceFlow'; }).forEach(function (flow) {
      const bo = flow.businessObject;
      if (taken.has(bo.sourceRef.id + '>' + bo.targetRef.id)) canvas.addMarker(flow, 'run-flow');
    });
    Object.keys(seconds).forEach(function (id) {
      if (!registry.get(id)) return;
      const label = document.createElement('div');
      label.className = 'step-time';
      label.dataset.step = id;
      label.textContent = duration(seconds[id]);
      overlays.add(id, { position: { bottom: 4, right: 4 }, html: label });
    });
  }

  async function show(name) {
    Array.from(tabs.children).forEach(function (b) { b.setAttribute('aria-pressed', String(b.dataset.file === name)); });
    canvasEl.dataset.ready = 'false';
    await viewer.importXML(boot.files[name]);
    viewer.get('canvas').zoom('fit-viewport');
    mark();
    canvasEl.dataset.file = name;
    canvasEl.dataset.ready = 'true';
  }

  Object.keys(boot.files).forEach(function (name) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'secondary';
    button.dataset.file = name;
    button.textContent = name.replace(/\.bpmn$/, '');
    button.addEventListener('click', function () { show(name); });
    tabs.append(button);
  });
  const first = Object.keys(boot.files)[0];
  if (first) show(first).catch(function (err) { canvasEl.textContent = err.message; });
})();
