/* The properties panel: the spiffworkflow extensions minxu uses, edited through bpmn-js commands
 * (so every change can be undone and is saved with the diagram). Designers never touch XML. */
window.MinxuPanel = (function () {
  'use strict';

  const UI_PROPERTY = 'formUiSchemaFilename';

  function create(modeler, host, options) {
    const modeling = modeler.get('modeling');
    const moddle = modeler.get('moddle');
    const text = options.text;
    let current = null;

    modeler.on('selection.changed', function (e) { show(e.newSelection.length === 1 ? e.newSelection[0] : null); });
    modeler.on('element.changed', function (e) {
      if (current && e.element === current && !host.contains(document.activeElement)) show(current);
    });
    modeler.on('import.done', function () { show(null); });

    function show(element) {
      current = element;
      host.replaceChildren();
      if (!element) {
        host.append(note(text.nothingSelected));
        const root = modeler.get('canvas').getRootElement();
        const process = processOf(root.businessObject);
        if (process) host.append(...processFields(root, process));
        return;
      }
      const bo = element.businessObject;
      host.append(heading(bo), idField(element, bo));
      if (!is(bo, 'bpmn:Lane')) host.append(keyed(input(text.name, bo.name || '', function (v) { update(element, { name: v || undefined }); }), 'name'));
      host.append(...fieldsFor(element, bo));
      if (!is(bo, 'bpmn:Lane')) {
        host.append(keyed(area(text.documentation, documentation(bo), function (v) { setDocumentation(element, v); }), 'documentation'));
      }
    }

    /* Ids are what the API and the audit trail show, so designers may choose readable ones. */
    function idField(element, bo) {
      const field = keyed(input(text.id, bo.id, function (v) {
        const id = v.trim();
        if (id === bo.id) return;
        const taken = modeler.get('elementRegistry').get(id) || moddle.ids.assigned(id);
        if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(id) || taken) {
          field.querySelector('input').value = bo.id;
          field.querySelector('input').setCustomValidity(text.badId);
          field.querySelector('input').reportValidity();
          return;
        }
        update(element, { id: id });
      }, 'code'), 'id');
      field.querySelector('input').addEventListener('input', function (e) { e.target.setCustomValidity(''); });
      return field;
    }

    function fieldsFor(element, bo) {
      const fields = [];
      if (is(bo, 'bpmn:Participant') && bo.processRef) fields.push(...processFields(element, bo.processRef));
      if (is(bo, 'bpmn:Lane')) fields.push(roleField(element, bo));
      if (is(bo, 'bpmn:UserTask') || is(bo, 'bpmn:ManualTask')) fields.push(...userTaskFields(element, bo));
      if (is(bo, 'bpmn:ScriptTask')) {
        fields.push(keyed(area(text.script, bo.script || '', function (v) { update(element, { script: v, scriptFormat: 'python' }); }, 'code'), 'script'));
      }
      if (is(bo, 'bpmn:BusinessRuleTask')) fields.push(decisionField(element, bo));
      if (is(bo, 'bpmn:CallActivity')) {
        fields.push(keyed(choice(text.calledElement, options.processIds(), bo.calledElement || '', function (v) { update(element, { calledElement: v }); }), 'calledElement'));
      }
      if (is(bo, 'bpmn:SequenceFlow') && bo.sourceRef && /Gateway$/.test(bo.sourceRef.$type)) fields.push(conditionField(element, bo));
      const timer = (bo.eventDefinitions || []).find(function (d) { return is(d, 'bpmn:TimerEventDefinition'); });
      if (timer) fields.push(...timerFields(element, timer));
      if (bo.loopCharacteristics && is(bo.loopCharacteristics, 'bpmn:MultiInstanceLoopCharacteristics')) {
        fields.push(...multiInstanceFields(element, bo, bo.loopCharacteristics));
      }
      if (is(bo, 'bpmn:Activity') && !is(bo, 'bpmn:SubProcess')) {
        fields.push(keyed(area(text.preScript, extText(bo, 'spiffworkflow:PreScript'), function (v) { setExtText(element, 'spiffworkflow:PreScript', v); }, 'code'), 'preScript'));
        fields.push(keyed(area(text.postScript, extText(bo, 'spiffworkflow:PostScript'), function (v) { setExtText(element, 'spiffworkflow:PostScript', v); }, 'code'), 'postScript'));
      }
      return fields;
    }

    function processFields(element, process) {
      const box = keyed(checkbox(text.executable, !!process.isExecutable, function (v) {
        modeling.updateModdleProperties(element, process, { isExecutable: v });
      }), 'executable');
      return [heading(process), readonly(text.id, process.id), box];
    }

    function userTaskFields(element, bo) {
      const forms = options.formFiles();
      const chosen = property(bo, options.formProperty);
      const select = choice(text.form, [{ value: '', label: text.noForm }].concat(forms.map(function (f) { return { value: f, label: f }; })),
        chosen, function (v) { setForm(element, v); });
      select.dataset.field = 'form';
      const create = button(text.newForm, function () {
        const made = options.createForm(bo.id, bo.name || bo.id);
        setForm(element, made);
        show(element);
      });
      create.dataset.action = 'new-form';
      return [select, create,
        keyed(area(text.instructions, extText(bo, 'spiffworkflow:InstructionsForEndUser'), function (v) {
          setExtText(element, 'spiffworkflow:InstructionsForEndUser', v);
        }), 'instructions')];
    }

    function setForm(element, schemaFile) {
      const ui = schemaFile ? schemaFile.replace(/-schema\.json$/, '-uischema.json') : '';
      setProperty(element, options.formProperty, schemaFile);
      setProperty(element, UI_PROPERTY, ui && options.hasFile(ui) ? ui : '');
    }

    function roleField(element, bo) {
      const known = options.roles.find(function (r) { return r.label === (bo.name || '').trim() || r.id === (bo.name || '').trim(); });
      const list = options.roles.map(function (r) { return { value: r.label, label: r.label + ' (' + r.id + ')' }; });
      if (!known) list.unshift({ value: bo.name || '', label: (bo.name || '') + ' ' + text.otherRole });
      const field = choice(text.role, list, known ? known.label : (bo.name || ''), function (v) { update(element, { name: v }); });
      field.dataset.field = 'role';
      return field;
    }

    function decisionField(element, bo) {
      return keyed(choice(text.decision, options.decisionIds(), extText(bo, 'spiffworkflow:CalledDecisionId'), function (v) {
        setExtText(element, 'spiffworkflow:CalledDecisionId', v);
      }), 'decision');
    }

    function conditionField(element, bo) {
      const current = bo.conditionExpression ? bo.conditionExpression.body || '' : '';
      return keyed(area(text.condition, current, function (v) {
        update(element, { conditionExpression: v.trim() ? moddle.create('bpmn:FormalExpression', { body: v }) : undefined });
      }, 'code'), 'condition');
    }

    function timerFields(element, timer) {
      const kinds = [['timeDuration', text.duration], ['timeDate', text.date], ['timeCycle', text.cycle]];
      const kind = (kinds.find(function (k) { return timer[k[0]]; }) || kinds[0])[0];
      const value = timer[kind] ? timer[kind].body || '' : '';
      function set(newKind, newValue) {
        const props = { timeDuration: undefined, timeDate: undefined, timeCycle: undefined };
        props[newKind] = moddle.create('bpmn:FormalExpression', { body: newValue });
        modeling.updateModdleProperties(element, timer, props);
      }
      const kindField = choice(text.timerKind, kinds.map(function (k) { return { value: k[0], label: k[1] }; }), kind,
        function (v) { set(v, value); });
      keyed(kindField, 'timerKind');
      return [kindField, keyed(input(text.timerValue, value, function (v) { set(kindField.querySelector('select').value, v); }, 'code'), 'timerValue')];
    }

    function multiInstanceFields(element, bo, loop) {
      const ref = loop.loopDataInputRef;
      const collection = ref ? (ref.id || ref.name || '') : '';
      const item = loop.inputDataItem ? (loop.inputDataItem.name || loop.inputDataItem.id || '') : '';
      return [
        keyed(input(text.collection, collection, function (v) { modeling.updateModdleProperties(element, loop, { loopDataInputRef: declared(element, v) }); }, 'code'), 'collection'),
        keyed(input(text.elementVariable, item, function (v) {
          modeling.updateModdleProperties(element, loop, { inputDataItem: v ? moddle.create('bpmn:DataInput', { id: v, name: v }) : undefined });
        }, 'code'), 'elementVariable'),
      ];
    }

    /* A bare variable name as a loop reference is dropped when the diagram is saved unless the name
     * is declared; declare it as a property of the process (see engine-notes.md). */
    function declared(element, name) {
      if (!name) return undefined;
      const process = processOf(element.businessObject);
      const existing = (process.get('properties') || []).find(function (p) { return p.id === name; });
      if (existing) return existing;
      const made = moddle.create('bpmn:Property', { id: name, name: name });
      made.$parent = process;
      modeling.updateModdleProperties(element, process, { properties: (process.get('properties') || []).concat([made]) });
      return made;
    }

    function update(element, props) { modeling.updateProperties(element, props); }

    function setDocumentation(element, value) {
      const bo = element.businessObject;
      const docs = value.trim() ? [moddle.create('bpmn:Documentation', { text: value })] : [];
      modeling.updateProperties(element, { documentation: docs });
      docs.forEach(function (d) { d.$parent = bo; });
    }

    function extensions(element) {
      const bo = element.businessObject;
      if (bo.extensionElements) return bo.extensionElements;
      const made = moddle.create('bpmn:ExtensionElements', { values: [] });
      made.$parent = bo;
      modeling.updateProperties(element, { extensionElements: made });
      return made;
    }

    function setExtText(element, type, value) {
      const ext = extensions(element);
      const others = ext.get('values').filter(function (v) { return v.$type !== type; });
      const values = value.trim() ? others.concat([child(ext, type, { value: value })]) : others;
      modeling.updateModdleProperties(element, ext, { values: values });
    }

    function setProperty(element, name, value) {
      const ext = extensions(element);
      let props = ext.get('values').find(function (v) { return v.$type === 'spiffworkflow:Properties'; });
      if (!props) {
        props = child(ext, 'spiffworkflow:Properties', { properties: [] });
        modeling.updateModdleProperties(element, ext, { values: ext.get('values').concat([props]) });
      }
      const others = props.get('properties').filter(function (p) { return p.name !== name; });
      const list = value ? others.concat([child(props, 'spiffworkflow:Property', { name: name, value: value })]) : others;
      modeling.updateModdleProperties(element, props, { properties: list });
    }

    function child(parent, type, attrs) {
      const made = moddle.create(type, attrs);
      made.$parent = parent;
      return made;
    }

    return { show: show, refresh: function () { show(current); } };
  }

  /* Reading the model. */
  function is(bo, type) { return bo && typeof bo.$instanceOf === 'function' && bo.$instanceOf(type); }

  function processOf(bo) {
    let node = bo;
    if (node && is(node, 'bpmn:Collaboration')) {
      const participant = (node.participants || []).find(function (p) { return p.processRef; });
      return participant ? participant.processRef : null;
    }
    if (node && is(node, 'bpmn:Participant')) return node.processRef;
    while (node && !is(node, 'bpmn:Process')) node = node.$parent;
    return node || null;
  }

  function extText(bo, type) {
    const found = ((bo.extensionElements && bo.extensionElements.values) || []).find(function (v) { return v.$type === type; });
    return found ? found.value || '' : '';
  }

  function property(bo, name) {
    const props = ((bo.extensionElements && bo.extensionElements.values) || []).find(function (v) { return v.$type === 'spiffworkflow:Properties'; });
    const found = props ? (props.properties || []).find(function (p) { return p.name === name; }) : null;
    return found ? found.value || '' : '';
  }

  function documentation(bo) { return (bo.documentation || []).map(function (d) { return d.text || ''; }).join('\n'); }

  function keyed(el, key) {
    el.dataset.field = key;
    return el;
  }

  /* Small form controls: each calls back on change, never on every keystroke, so one edit is one undo step. */
  function labelled(labelText, control) {
    const wrap = document.createElement('div');
    wrap.className = 'field';
    const label = document.createElement('label');
    const id = 'p-' + Math.random().toString(36).slice(2);
    label.htmlFor = id;
    label.textContent = labelText;
    control.id = id;
    wrap.append(label, control);
    return wrap;
  }

  function input(labelText, value, onChange, cls) {
    const el = document.createElement('input');
    el.value = value;
    if (cls) el.className = cls;
    el.addEventListener('change', function () { onChange(el.value); });
    return labelled(labelText, el);
  }

  function area(labelText, value, onChange, cls) {
    const el = document.createElement('textarea');
    el.value = value;
    el.rows = cls === 'code' ? 5 : 3;
    if (cls) el.className = cls;
    el.spellcheck = false;
    el.addEventListener('change', function () { onChange(el.value); });
    return labelled(labelText, el);
  }

  function choice(labelText, list, value, onChange) {
    const el = document.createElement('select');
    const items = list.map(function (o) { return typeof o === 'string' ? { value: o, label: o } : o; });
    if (value && !items.some(function (o) { return o.value === value; })) items.unshift({ value: value, label: value });
    items.forEach(function (o) {
      const opt = document.createElement('option');
      opt.value = o.value;
      opt.textContent = o.label;
      opt.selected = o.value === value;
      el.append(opt);
    });
    el.addEventListener('change', function () { onChange(el.value); });
    return labelled(labelText, el);
  }

  function checkbox(labelText, value, onChange) {
    const wrap = document.createElement('label');
    wrap.className = 'choice';
    const el = document.createElement('input');
    el.type = 'checkbox';
    el.checked = value;
    el.addEventListener('change', function () { onChange(el.checked); });
    wrap.append(el, document.createTextNode(' ' + labelText));
    return wrap;
  }

  function readonly(labelText, value) {
    const el = document.createElement('p');
    el.className = 'readonly';
    el.innerHTML = '<span class="muted"></span> <code></code>';
    el.firstChild.textContent = labelText;
    el.lastChild.textContent = value;
    return el;
  }

  function heading(bo) {
    const el = document.createElement('h3');
    el.textContent = (bo.$type || '').replace('bpmn:', '');
    return el;
  }

  function note(message) {
    const el = document.createElement('p');
    el.className = 'muted';
    el.textContent = message;
    return el;
  }

  function button(label, onClick) {
    const el = document.createElement('button');
    el.type = 'button';
    el.className = 'secondary small';
    el.textContent = label;
    el.addEventListener('click', onClick);
    return el;
  }

  return { create: create, processOf: processOf };
})();
