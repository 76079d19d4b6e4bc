/* A read-only diagram with marked elements: the diff page (and later the history page). */
(function () {
  'use strict';
  const canvasEl = document.querySelector('.viewer[data-xml-id]');
  if (!canvasEl || !window.BpmnJS) return;
  const xml = JSON.parse(document.getElementById(canvasEl.dataset.xmlId).textContent);
  const markers = JSON.parse((document.getElementById('diff-markers') || {}).textContent || '{}');
  const viewer = new BpmnJS({ container: canvasEl });
  viewer.importXML(xml).then(function () {
    const canvas = viewer.get('canvas');
    const registry = viewer.get('elementRegistry');
    canvas.zoom('fit-viewport');
    Object.keys(markers).forEach(function (kind) {
      (markers[kind] || []).forEach(function (id) {
        if (registry.get(id)) canvas.addMarker(id, 'diff-' + kind);
      });
    });
    canvasEl.dataset.ready = 'true';
  }).catch(function (err) {
    canvasEl.textContent = err.message;
  });
})();
