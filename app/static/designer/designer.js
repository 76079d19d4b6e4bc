/* The process designer: a package of BPMN, DMN and form files edited in the browser, then checked,
 * dry-run and deployed by the server. The server decides; this page only edits and shows. */
(function () {
  'use strict';
  const boot = JSON.parse(document.getElementById('designer-boot').textContent);
  const text = boot.text;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = function (id) { return document.getElementById(id); };
  const PALETTE_WIDTH = 110;
  const state = { files: Object.assign({}, boot.files), current: null, dirty: false, problems: [], run: null };
  let bpmn = null;
  let dmn = null;
  let panel = null;

  /* ---- files ---- */
  function kindOf(name) {
    if (name.endsWith('.bpmn')) return 'bpmn';
    if (name.endsWith('.dmn')) return 'dmn';
    if (name.endsWith('-uischema.json')) return 'ui';
    return 'form';
  }

  function listFiles() {
    const list = $('file-list');
    list.replaceChildren();
    const names = Object.keys(state.files).filter(function (n) { return kindOf(n) !== 'ui'; });
    const order = { bpmn: 0, dmn: 1, form: 2 };
    names.sort(function (a, b) { return order[kindOf(a)] - order[kindOf(b)] || a.localeCompare(b); });
    names.forEach(function (name) {
      const item = document.createElement('li');
      const link = document.createElement('button');
      link.type = 'button';
      link.className = 'file ' + kindOf(name) + (name === state.current ? ' current' : '');
      link.textContent = name.replace(/-schema\.json$/, '');
      link.title = name;
      link.dataset.file = name;
      link.addEventListener('click', function () { open(name); });
      item.append(link);
      list.append(item);
    });
  }

  async function flush() {
    const name = state.current;
    if (!name) return;
    if (kindOf(name) === 'bpmn') state.files[name] = (await bpmn.saveXML({ format: true })).xml;
    if (kindOf(name) === 'dmn' && dmn) state.files[name] = (await dmn.saveXML({ format: true })).xml;
    if (kindOf(name) === 'form') {
      state.files[name] = $('form-schema').value;
      const ui = uiFileOf(name);
      if ($('form-ui').value.trim() || state.files[ui] !== undefined) state.files[ui] = $('form-ui').value;
    }
  }

  async function open(name, selectId) {
    await flush();
    state.current = name;
    listFiles();
    entryChoices();
    const kind = kindOf(name);
    $('bpmn-canvas').hidden = kind !== 'bpmn';
    $('dmn-canvas').hidden = kind !== 'dmn';
    $('form-editor').hidden = kind !== 'form';
    $('properties').hidden = kind !== 'bpmn';
    try {
      if (kind === 'bpmn') await openBpmn(name, selectId);
      if (kind === 'dmn') await openDmn(name);
      if (kind === 'form') openForm(name);
    } catch (err) {
      say(text.openFailed + ' ' + err.message, 'error');
    }
  }

  async function openBpmn(name, selectId) {
    const result = await bpmn.importXML(declareLoopReferences(state.files[name]));
    if (result.warnings.length) say(text.warnings + ' ' + result.warnings.map(function (w) { return w.message; }).join('; '), 'error');
    showWhole(bpmn.get('canvas'));
    markAll();
    if (selectId) focus(selectId);
    $('bpmn-canvas').dataset.file = name;
  }

  /* The whole diagram in view, never larger than life, and clear of the palette on the left. */
  function showWhole(canvas) {
    const size = canvas.getSize();
    const inner = canvas.viewbox().inner;
    if (!inner.width || !inner.height) return;
    const margin = 24;
    const scale = Math.min(1, (size.width - PALETTE_WIDTH - 2 * margin) / inner.width, (size.height - 2 * margin) / inner.height);
    canvas.viewbox({ x: inner.x - (PALETTE_WIDTH + margin) / scale, y: inner.y - margin / scale,
      width: size.width / scale, height: size.height / scale });
  }

  async function openDmn(name) {
    if (!dmn) dmn = new DmnJS({ container: '#dmn-canvas' });
    await dmn.importXML(state.files[name]);
    const table = dmn.getViews().find(function (v) { return v.type === 'decisionTable'; });
    if (table) await dmn.open(table);
    $('dmn-canvas').dataset.file = name;
  }

  /* bpmn-js drops a loop reference to an undeclared variable on save; declare each one first. */
  function declareLoopReferences(xml) {
    const doc = new DOMParser().parseFromString(xml, 'application/xml');
    if (doc.getElementsByTagName('parsererror').length) return xml;
    const BPMN = 'http://www.omg.org/spec/BPMN/20100524/MODEL';
    const ids = new Set(Array.from(doc.querySelectorAll('[id]')).map(function (e) { return e.getAttribute('id'); }));
    let changed = false;
    ['loopDataInputRef', 'loopDataOutputRef'].forEach(function (tag) {
      Array.from(doc.getElementsByTagNameNS(BPMN, tag)).forEach(function (ref) {
        const name = ref.textContent.trim();
        let process = ref.parentNode;
        while (process && process.localName !== 'process') process = process.parentNode;
        if (!name || ids.has(name) || !process) return;
        const declaration = doc.createElementNS(BPMN, (ref.prefix ? ref.prefix + ':' : '') + 'property');
        declaration.setAttribute('id', name);
        declaration.setAttribute('name', name);
        process.insertBefore(declaration, process.firstElementChild);
        ids.add(name);
        changed = true;
      });
    });
    return changed ? new XMLSerializer().serializeToString(doc) : xml;
  }

  /* ---- forms ---- */
  function uiFileOf(schemaFile) { return schemaFile.replace(/-schema\.json$/, '-uischema.json'); }

  function openForm(name) {
    $('form-schema').value = state.files[name];
    $('form-ui').value = state.files[uiFileOf(name)] || '{}';
    preview();
  }

  function createForm(taskId, title) {
    const base = taskId.replace(/[^A-Za-z0-9_.-]/g, '_');
    const schema = base + '-schema.json';
    if (state.files[schema] === undefined) {
      state.files[schema] = JSON.stringify({
        title: title, type: 'object', additionalProperties: false, required: ['note'],
        properties: { note: { type: 'string', title: '办理情况', maxLength: 500 } },
      }, null, 2);
      state.files[uiFileOf(schema)] = JSON.stringify({ 'ui:order': ['note'], note: { 'ui:widget': 'textarea' } }, null, 2);
      changed();
      listFiles();
    }
    return schema;
  }

  let previewTimer = null;
  function schedulePreview() {
    changed();
    clearTimeout(previewTimer);
    previewTimer = setTimeout(preview, 300);
  }

  async function preview() {
    const error = $('form-error');
    let schema, ui;
    try {
      schema = JSON.parse($('form-schema').value);
      ui = JSON.parse($('form-ui').value || '{}');
    } catch (err) {
      error.textContent = text.invalidJson + ' ' + err.message;
      error.hidden = false;
      return;
    }
    const response = await post(boot.urls.preview, { schema: schema, ui_schema: ui });
    if (response.ok) {
      $('form-preview').innerHTML = await response.text();  // rendered by the server's own form template
      error.hidden = true;
    } else {
      error.textContent = (await response.json()).message;
      error.hidden = false;
    }
  }

  /* ---- server calls ---- */
  function post(url, body) {
    return fetch(url, {
      method: 'POST', credentials: 'same-origin', body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf },
    });
  }

  async function call(url, body) {
    await flush();
    const entry = entryChoices();
    const response = await post(url, Object.assign({ files: state.files }, entry ? { entry_process: entry } : {}, body || {}));
    let json = {};
    try { json = await response.json(); } catch (err) { json = { message: response.statusText }; }
    return { status: response.status, body: json };
  }

  async function save() {
    const result = await call(boot.urls.save, { base_version: boot.baseVersion });
    if (result.status === 200) {
      state.dirty = false;
      say(text.saved, 'success');
    } else {
      say(text.failed + ' ' + result.body.message, 'error');
    }
  }

  async function check() {
    say(text.checking, 'success');
    const result = await call(boot.urls.check);
    if (result.status !== 200) return say(text.failed + ' ' + result.body.message, 'error');
    showProblems(result.body.problems);
    say(result.body.problems.length ? text.problems : text.noProblems, result.body.problems.length ? 'error' : 'success');
  }

  async function deploy() {
    const result = await call(boot.urls.deploy);
    if (result.status === 201 || result.status === 200) {
      state.dirty = false;
      showProblems([]);
      const message = (result.status === 201 ? text.deployed : text.unchanged).replace('{n}', result.body.version) +
        (result.body.retired ? ' ' + text.stillRetired : '');
      say(message, 'success', { href: result.body.start_url, label: text.startOne });
    } else if (result.status === 422) {
      showProblems(result.body.problems || []);
      say(text.problems, 'error');
    } else {
      say(text.failed + ' ' + result.body.message, 'error');
    }
  }

  async function dryRun() {
    let scenario;
    try {
      scenario = JSON.parse($('dry-run-scenario').value || '{}');
    } catch (err) {
      return say(text.invalidJson + ' ' + err.message, 'error');
    }
    const result = await call(boot.urls.dryRun, scenario);
    if (result.status === 422) {
      showProblems(result.body.problems || []);
      return say(text.problems, 'error');
    }
    if (result.status !== 200) return say(text.failed + ' ' + result.body.message, 'error');
    state.run = result.body;
    showRun(result.body);
    markAll();
  }

  function download() {
    flush().then(function () {
      const name = state.current || Object.keys(state.files)[0];
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([state.files[name]], { type: 'application/xml' }));
      link.download = name;
      link.click();
    });
  }

  /* ---- showing results ---- */
  function say(message, kind, link) {
    const el = $('status');
    el.className = 'flash ' + (kind || '');
    el.textContent = message;
    if (link) {
      const a = document.createElement('a');
      a.href = link.href;
      a.textContent = link.label;
      el.append(' ', a);
    }
    el.hidden = false;
  }

  function showProblems(problems) {
    state.problems = problems;
    $('problems').hidden = !problems.length;
    $('problem-count').textContent = problems.length ? '(' + problems.length + ')' : '';
    const list = $('problem-list');
    list.replaceChildren();
    problems.forEach(function (p) {
      const item = document.createElement('li');
      const link = document.createElement('button');
      link.type = 'button';
      link.className = 'link';
      link.textContent = p.element;
      link.addEventListener('click', function () { reveal(p.element); });
      item.append(link, document.createTextNode(': ' + p.message));
      list.append(item);
    });
    markAll();
  }

  function showRun(run) {
    const box = $('dry-run-result');
    box.replaceChildren();
    const summary = document.createElement('p');
    summary.className = 'run-status ' + run.status;
    summary.textContent = text.status + ': ' + run.status + (run.outcome ? ' → ' + run.outcome : '') +
      (run.message ? ' · ' + run.message : '') + (run.error ? ' · ' + run.error.bpmn_id + ': ' + run.error.message : '');
    box.append(summary);
    if (run.waiting_at && run.waiting_at.length) {
      box.append(paragraph(text.waitingAt + ': ' + run.waiting_at.map(function (t) { return t.name + ' (' + t.bpmn_id + ')'; }).join('、')));
    }
    const path = document.createElement('ol');
    path.className = 'run-path';
    run.path.forEach(function (step) {
      const item = document.createElement('li');
      item.textContent = (step.name || step.bpmn_id) + ' · ' + step.type + ' · ' + step.bpmn_id;
      path.append(item);
    });
    box.append(paragraph(text.path), path);
    if (run.helper_calls && run.helper_calls.length) {
      box.append(paragraph(text.helperCalls + ': ' + run.helper_calls.map(function (c) { return c.name; }).join(', ')));
    }
    if (run.timers_fired && run.timers_fired.length) {
      box.append(paragraph(text.timers + ': ' + run.timers_fired.map(function (t) { return (t.timer || '') + ' @ ' + t.at; }).join(', ')));
    }
  }

  function paragraph(content) {
    const p = document.createElement('p');
    p.textContent = content;
    return p;
  }

  /* Markers on the diagram: problems, and the path a dry run took. */
  function markAll() {
    if (!bpmn || kindOf(state.current || '') !== 'bpmn') return;
    const canvas = bpmn.get('canvas');
    const registry = bpmn.get('elementRegistry');
    registry.getAll().forEach(function (el) {
      ['has-problem', 'run-visited', 'run-waiting', 'run-error', 'run-flow'].forEach(function (m) { canvas.removeMarker(el, m); });
    });
    state.problems.forEach(function (p) { if (registry.get(p.element)) canvas.addMarker(p.element, 'has-problem'); });
    const run = state.run;
    if (!run) return;
    run.path.forEach(function (s) { if (registry.get(s.bpmn_id)) canvas.addMarker(s.bpmn_id, 'run-visited'); });
    (run.waiting_at || []).forEach(function (t) { if (registry.get(t.bpmn_id)) canvas.addMarker(t.bpmn_id, 'run-waiting'); });
    if (run.error && registry.get(run.error.bpmn_id)) canvas.addMarker(run.error.bpmn_id, 'run-error');
    const taken = new Set(run.flows.map(function (f) { return f[0] + '>' + f[1]; }));
    registry.filter(function (el) { return el.type === 'bpmn:SequenceFlow'; }).forEach(function (flow) {
      const bo = flow.businessObject;
      if (taken.has(bo.sourceRef.id + '>' + bo.targetRef.id)) canvas.addMarker(flow, 'run-flow');
    });
  }

  function reveal(id) {
    const here = bpmn && kindOf(state.current || '') === 'bpmn' && bpmn.get('elementRegistry').get(id);
    if (here) return focus(id);
    const file = Object.keys(state.files).find(function (n) {
      return n === id || state.files[n].indexOf('id="' + id + '"') !== -1;
    });
    if (file) open(kindOf(file) === 'ui' ? file.replace(/-uischema\.json$/, '-schema.json') : file, id);
  }

  function focus(id) {
    const element = bpmn.get('elementRegistry').get(id);
    if (!element) return;
    bpmn.get('selection').select(element);
    if (!element.waypoints) bpmn.get('canvas').scrollToElement(element);
  }

  /* ---- wiring ---- */
  function changed() { state.dirty = true; }

  function scenarioTemplate() {
    const answers = {};
    Object.keys(state.files).filter(function (n) { return kindOf(n) === 'bpmn'; }).forEach(function (n) {
      const doc = new DOMParser().parseFromString(state.files[n], 'application/xml');
      Array.from(doc.getElementsByTagNameNS('http://www.omg.org/spec/BPMN/20100524/MODEL', 'userTask')).forEach(function (t) {
        answers[t.getAttribute('id')] = {};
      });
    });
    return JSON.stringify({ data: {}, answers: answers, helper_results: {} }, null, 2);
  }

  /* With several processes in the package, the designer chooses which one runs (blank: the server's rule). */
  function entryChoices() {
    const select = $('entry-process');
    const ids = idsIn('bpmn', 'process');
    const chosen = ids.indexOf(select.value) !== -1 ? select.value : '';
    while (select.options.length > 1) select.remove(1);
    ids.forEach(function (id) { select.add(new Option(id, id)); });
    select.value = chosen;
    $('entry-process-wrap').hidden = ids.length < 2 && !chosen;
    return chosen;
  }

  function idsIn(kind, xpathTag) {
    const ids = [];
    Object.keys(state.files).filter(function (n) { return kindOf(n) === kind; }).forEach(function (n) {
      const doc = new DOMParser().parseFromString(state.files[n], 'application/xml');
      Array.from(doc.getElementsByTagName('*')).forEach(function (el) {
        if (el.localName === xpathTag && el.getAttribute('id')) ids.push(el.getAttribute('id'));
      });
    });
    return ids;
  }

  async function start() {
    const moddle = await (await fetch(boot.urls.moddle)).json();
    bpmn = new BpmnJS({ container: '#bpmn-canvas', moddleExtensions: { spiffworkflow: moddle } });
    bpmn.on('commandStack.changed', changed);
    panel = MinxuPanel.create(bpmn, $('properties'), {
      text: text, roles: boot.roles, formProperty: boot.formProperty,
      formFiles: function () { return Object.keys(state.files).filter(function (n) { return kindOf(n) === 'form'; }).sort(); },
      hasFile: function (n) { return state.files[n] !== undefined; },
      createForm: createForm,
      decisionIds: function () { return idsIn('dmn', 'decision'); },
      processIds: function () { return idsIn('bpmn', 'process'); },
    });
    $('form-schema').addEventListener('input', schedulePreview);
    $('form-ui').addEventListener('input', schedulePreview);
    $('btn-save').addEventListener('click', save);
    $('btn-check').addEventListener('click', check);
    $('btn-deploy').addEventListener('click', deploy);
    $('btn-download').addEventListener('click', download);
    $('btn-dry-run').addEventListener('click', function () {
      $('dry-run').hidden = false;
      if (!$('dry-run-scenario').value) $('dry-run-scenario').value = scenarioTemplate();
      $('dry-run-scenario').focus();
    });
    $('btn-dry-run-go').addEventListener('click', dryRun);
    document.addEventListener('keydown', function (e) {
      if ((e.ctrlKey || e.metaKey) && e.key === 's') { e.preventDefault(); save(); }
    });
    window.addEventListener('beforeunload', function (e) { if (state.dirty) { e.preventDefault(); e.returnValue = text.unsaved; } });
    const first = Object.keys(state.files).filter(function (n) { return kindOf(n) === 'bpmn'; }).sort(function (a, b) {
      return (state.files[b].indexOf('id="' + boot.processId + '"') !== -1) - (state.files[a].indexOf('id="' + boot.processId + '"') !== -1);
    })[0];
    await open(first || Object.keys(state.files)[0]);
    entryChoices();
    state.dirty = false;
    document.body.dataset.designerReady = 'true';
  }

  window.minxuDesigner = { state: state, flush: flush, open: open, modeler: function () { return bpmn; } };
  start();
})();
