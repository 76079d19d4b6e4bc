/* Median time per step as a heat map on the need process: five shades from quickest to slowest. */
(function () {
  'use strict';
  const boot = JSON.parse(document.getElementById('heat-boot').textContent);
  const canvasEl = document.getElementById('heat-canvas');
  const viewer = new BpmnJS({ container: canvasEl });
  viewer.importXML(boot.xml).then(function () {
    const canvas = viewer.get('canvas');
    const registry = viewer.get('elementRegistry');
    const overlays = viewer.get('overlays');
    canvas.zoom('fit-viewport');
    const shown = boot.steps.filter(function (s) { return registry.get(s.key); });
    const slowest = Math.max.apply(null, shown.map(function (s) { return s.median_hours; }).concat([0]));
    shown.forEach(function (s) {
      const shade = slowest ? Math.min(4, Math.floor(5 * s.median_hours / slowest)) : 0;
      canvas.addMarker(s.key, 'heat-' + shade);
      const label = document.createElement('div');
      label.className = 'step-time';
      label.dataset.step = s.key;
      label.textContent = s.median_hours + 'h · ' + s.count;
      overlays.add(s.key, { position: { bottom: 4, right: 4 }, html: label });
    });
    canvasEl.dataset.ready = 'true';
  }).catch(function (err) { canvasEl.textContent = err.message; });
})();
