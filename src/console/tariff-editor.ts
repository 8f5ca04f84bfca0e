// The console's tariff editor (on the tariffs screen): create a tariff or store a new version of one
// (PUT /tariffs/{id}; a session already running keeps the version it started with), as a simple form
// of prices per kWh, hour, parking hour and session, or as the OCPI JSON for anything richer; the
// API's validation errors shown beside the field they name; delete (retire) a tariff.

export const TARIFF_EDITOR = String.raw`
  // The simple form's prices: the OCPI price component each one sets, its field and its label.
  var PRICE_FIELDS = [['ENERGY', 'tf-energy', 'Energy, per kWh'], ['TIME', 'tf-time', 'Charging time, per hour'],
    ['PARKING_TIME', 'tf-parking', 'Parking, per hour'], ['FLAT', 'tf-flat', 'Session fee']];
  /** What the editor holds: the tariff being edited (null: a new one), JSON or form, which field each component came from. */
  var tariffEdit = { tariff: null, json: false, componentFields: [] };
  /** A labelled control with its error line (announced with it), as one row of a form. */
  function fieldRow(id, label, control) {
    control.id = id;
    var err = h('span', 'field-error');
    err.id = id + '-error';
    control.setAttribute('aria-describedby', err.id);
    var l = h('label', null, label);
    l.htmlFor = id;
    return add(h('div', 'field'), l, control, err);
  }
  function inputOf(type, attrs) {
    var i = h(type === 'textarea' ? 'textarea' : 'input');
    if (type !== 'textarea') i.type = type;
    Object.keys(attrs || {}).forEach(function (k) { i.setAttribute(k, attrs[k]); });
    return i;
  }
  function fieldError(id, message) {
    $(id).setAttribute('aria-invalid', 'true');
    var err = $(id + '-error');
    err.textContent = (err.textContent ? err.textContent + '; ' : '') + message;
  }
  function clearFieldErrors(form) {
    form.querySelectorAll('[aria-invalid]').forEach(function (x) { x.removeAttribute('aria-invalid'); });
    form.querySelectorAll('.field-error').forEach(function (x) { x.textContent = ''; });
  }
  /** Whether the simple form says all of a tariff: one element, no restrictions, each price once, one VAT, step 1. */
  function simpleTariff(t) {
    if (t.elements.length !== 1 || t.elements[0].restrictions || t.min_price || t.max_price || t.start_date_time || t.end_date_time || t.tariff_alt_url || t.type) return false;
    if (t.time_zone && t.time_zone !== 'UTC') return false;
    var alt = t.tariff_alt_text || [];
    if (alt.length > 1 || (alt.length === 1 && alt[0].language !== 'en')) return false;
    var seen = {}, vats = {};
    var ok = t.elements[0].price_components.every(function (p) { var fresh = !seen[p.type]; seen[p.type] = 1; vats[String(p.vat)] = 1; return fresh && p.step_size === 1; });
    return ok && Object.keys(vats).length <= 1;
  }
  /** The PUT body of a stored tariff: the tariff without what the CSMS sets. */
  function bodyOf(t) {
    var body = {};
    Object.keys(t).forEach(function (k) { if (k !== 'id' && k !== 'version' && k !== 'last_updated') body[k] = t[k]; });
    return body;
  }
  function setJsonMode(json) {
    tariffEdit.json = json;
    $('tf-simple').hidden = json;
    $('tf-json-row').hidden = !json;
    $('tf-mode').textContent = json ? 'Edit as a form' : 'Edit as JSON';
  }
  /** Fills the editor with a tariff to store a new version of it, or empties it for a new one (t null). */
  function editTariff(t) {
    var form = $('tariff-form');
    clearFieldErrors(form);
    tariffEdit.tariff = t;
    $('tf-title').textContent = t ? 'Edit tariff ' + t.id + ' (now version ' + t.version + ')' : 'New tariff';
    $('tf-id').value = t ? t.id : '';
    $('tf-id').readOnly = !!t;
    fillSimple(t);
    $('tf-json').value = JSON.stringify(t ? bodyOf(t) : { currency: 'EUR', elements: [{ price_components: [{ type: 'ENERGY', price: 0.3, vat: 21, step_size: 1 }] }] }, null, 2);
    setJsonMode(!!t && !simpleTariff(t));
  }
  /** The form's fields from a tariff (or a PUT body); emptied for none. */
  function fillSimple(t) {
    $('tf-currency').value = t ? t.currency : 'EUR';
    var comps = t ? t.elements[0].price_components : [];
    PRICE_FIELDS.forEach(function (f) {
      var c = comps.filter(function (p) { return p.type === f[0]; })[0];
      $(f[1]).value = c ? String(c.price) : '';
    });
    $('tf-vat').value = comps.length && comps[0].vat !== undefined ? String(comps[0].vat) : '';
    $('tf-text').value = t && t.tariff_alt_text && t.tariff_alt_text[0] ? t.tariff_alt_text[0].text : '';
  }
  /** The body the editor says, or the field and message of why it cannot say one. */
  function tariffBody() {
    if (tariffEdit.json) {
      try { return { body: JSON.parse($('tf-json').value) }; } catch (e) { return { error: ['tf-json', 'Not valid JSON: ' + e.message] }; }
    }
    var comps = [], fields = [], vat = $('tf-vat').value.trim();
    PRICE_FIELDS.forEach(function (f) {
      var raw = $(f[1]).value.trim();
      if (raw === '') return;
      var c = { type: f[0], price: Number(raw), step_size: 1 };
      if (vat !== '') c.vat = Number(vat);
      comps.push(c); fields.push(f[1]);
    });
    if (comps.length === 0) return { error: ['tf-energy', 'Give at least one price.'] };
    tariffEdit.componentFields = fields;
    var body = { currency: $('tf-currency').value.trim(), elements: [{ price_components: comps }] };
    var text = $('tf-text').value.trim();
    if (text) body.tariff_alt_text = [{ language: 'en', text: text }];
    return { body: body };
  }
  /** The field an API issue's path names (JSON mode: the JSON, with the path said). */
  function issueField(path) {
    if (tariffEdit.json) return 'tf-json';
    if (path === 'currency') return 'tf-currency';
    var m = /^elements\.0\.price_components\.(\d+)(?:\.(\w+))?/.exec(path);
    if (m) return m[2] === 'vat' ? 'tf-vat' : tariffEdit.componentFields[Number(m[1])] || 'tf-energy';
    if (/^tariff_alt_text/.test(path)) return 'tf-text';
    return 'tf-json-free';
  }
  function saveTariff(e) {
    e.preventDefault();
    var form = $('tariff-form'), out = $('tf-result');
    clearFieldErrors(form);
    var id = $('tf-id').value.trim();
    if (!id) { fieldError('tf-id', 'Give the tariff an id.'); return; }
    var made = tariffBody();
    if (made.error) { fieldError(made.error[0], made.error[1]); show(out, 'bad', 'Not saved: see the field marked.'); return; }
    var b = $('tf-save');
    b.disabled = true;
    show(out, 'wait', 'Saving…');
    call('PUT', '/tariffs/' + enc(id), made.body).then(function (res) {
      if (!res.ok) {
        var error = res.json && res.json.error;
        if (error && error.code === 'InvalidTariffId') fieldError('tf-id', error.message);
        ((error && error.issues) || []).forEach(function (i) {
          var f = issueField(i.path);
          if (f === 'tf-json-free') show(out, 'bad', (i.path || 'the tariff') + ': ' + i.message);
          else fieldError(f, (tariffEdit.json && i.path ? i.path + ': ' : '') + i.message);
        });
        show(out, 'bad', 'Not saved: ' + errorText(res));
        return;
      }
      var t = res.json.tariff, outcome = res.json.outcome;
      show(out, 'ok', outcome === 'created' ? 'Created tariff ' + t.id + ' (version 1).'
        : outcome === 'unchanged' ? 'Nothing changed: tariff ' + t.id + ' stays at version ' + t.version + '.'
        : 'Saved tariff ' + t.id + ' as version ' + t.version + '. Sessions already running keep the version they started with.');
      editTariff(t);
      refreshNow();
    }, function (error) { show(out, 'bad', 'Not saved: ' + error.message); })
      .finally(function () { b.disabled = false; });
  }
  /** Deletes (retires) a tariff after a second click; the API refuses one still assigned and says where. */
  function deleteTariff(id, b) {
    if (state.tariffConfirm !== id) { state.tariffConfirm = id; b.textContent = 'Confirm delete'; return; }
    state.tariffConfirm = null;
    b.disabled = true;
    call('DELETE', '/tariffs/' + enc(id)).then(function (res) {
      show($('tariff-actions'), res.ok ? 'ok' : 'bad', res.ok ? 'Deleted tariff ' + id + ' (its versions stay readable for the sessions priced with them).' : 'Not deleted: ' + errorText(res));
      if (res.ok && tariffEdit.tariff && tariffEdit.tariff.id === id) editTariff(null);
      refreshNow();
    }, function (error) { show($('tariff-actions'), 'bad', 'Not deleted: ' + error.message); });
  }
  function setupTariffEditor() {
    var form = h('form', 'tariff-form');
    form.id = 'tariff-form';
    form.noValidate = true; // the API decides, and says which field is wrong
    form.setAttribute('autocomplete', 'off');
    var simple = add(h('div', 'fields'));
    simple.id = 'tf-simple';
    PRICE_FIELDS.forEach(function (f) { add(simple, fieldRow(f[1], f[2], inputOf('number', { step: 'any', inputmode: 'decimal' }))); });
    add(simple, fieldRow('tf-vat', 'VAT, %', inputOf('number', { step: 'any', inputmode: 'decimal' })),
      fieldRow('tf-text', 'Text for drivers (English)', inputOf('textarea', { rows: '2', maxlength: '512' })));
    var jsonRow = fieldRow('tf-json', 'Tariff as OCPI JSON (currency, elements with price_components and restrictions, …)', inputOf('textarea', { rows: '12', spellcheck: 'false' }));
    jsonRow.id = 'tf-json-row';
    // Each mode starts from what the other says; JSON the form cannot say stays JSON, and says why.
    var mode = button('Edit as JSON', function () {
      var out = $('tf-result');
      if (!tariffEdit.json) { var made = tariffBody(); if (made.body) $('tf-json').value = JSON.stringify(made.body, null, 2); setJsonMode(true); return; }
      var body = null;
      try { body = JSON.parse($('tf-json').value); } catch (e) { body = null; }
      if (!body || !Array.isArray(body.elements) || !body.elements[0] || !Array.isArray(body.elements[0].price_components) || !simpleTariff(body)) {
        show(out, 'bad', 'This tariff has more than the form can say (or is not valid JSON): keep editing it as JSON.');
        return;
      }
      fillSimple(body);
      setJsonMode(false);
    });
    mode.id = 'tf-mode';
    var save = h('button', null, 'Save');
    save.type = 'submit'; save.id = 'tf-save';
    add(form, h('h3', null, ''), add(h('div', 'fields'),
      fieldRow('tf-id', 'Tariff id', inputOf('text', { spellcheck: 'false', maxlength: '36' })),
      fieldRow('tf-currency', 'Currency', inputOf('text', { spellcheck: 'false', size: '4' }))),
      simple, jsonRow,
      h('p', 'note', 'Saving a tariff that exists stores a new version of it: a session already running keeps the version it started with, new sessions get the new one.'),
      add(h('div', 'actions'), save, mode, button('New tariff', function () { editTariff(null); $('tf-id').focus(); })),
      h('pre', 'result hidden'));
    form.firstChild.id = 'tf-title';
    form.lastChild.id = 'tf-result';
    form.lastChild.setAttribute('role', 'status'); // a screen reader hears how the save went
    form.addEventListener('submit', saveTariff);
    $('tariff-editor').replaceChildren(form);
    editTariff(null);
  }
`;
