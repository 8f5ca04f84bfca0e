// What the console's admin screens share (id tags, charger registration, tokens, audit log, local
// lists): the scope checks that hide what the token may not do (the API still refuses it: this is a
// convenience, not the guard), a secret shown once and removed from the page for good, an inline
// confirmation, keyset paging, and a CSV import form with the API's per-row report.

export const ADMIN_COMMON = String.raw`
  /** Whether the token administers (without /whoami: assume so; the API decides). */
  function mayAdmin() {
    return !state.whoami || !state.whoami.scopes || state.whoami.scopes.indexOf('admin') >= 0;
  }
  /** Whether an element marked data-needs (admin, command, or no-admin for what only others see) is hidden from this token. */
  function scopeHides(needs) { return needs === 'admin' ? !mayAdmin() : needs === 'command' ? !mayCommand() : needs === 'no-admin' ? mayAdmin() : false; }
  /** Shows what the token's scopes reach and hides the rest; lists with per-row controls are drawn again. */
  function applyScopes() {
    document.querySelectorAll('[data-needs]').forEach(function (el) { el.hidden = scopeHides(el.getAttribute('data-needs')); });
    if (state.idTags && state.idTags.built) { state.idTags.shown = null; renderIdTags(); }
    if (state.screen === 'tokens' || state.screen === 'audit') refreshNow();
  }
  function scoped(scope, el) { el.setAttribute('data-needs', scope); el.hidden = scopeHides(scope); return el; }

  /** Where the answers to the operator's changes show, newest first (the last five): a function adding one, its element as .box. */
  function answerBox() {
    var out = h('div', 'answers');
    out.setAttribute('role', 'status');
    var say = function (kind, text) {
      out.insertBefore(h('pre', 'result ' + kind, new Date().toLocaleTimeString() + ' ' + text), out.firstChild);
      while (out.children.length > 5) out.lastChild.remove();
    };
    say.box = out;
    return say;
  }

  // ---- Secrets shown once: a password or token is in the page only until the operator hides it ----
  var shownSecrets = [];
  /** Shows a secret once, with Copy and Hide; Hide (or leaving the screen, or Forget) removes it from the page. */
  function secretOnce(box, label, secret) {
    var value = h('code', 'secret mono', secret);
    var panel = add(h('div', 'secret-once'), h('p', null, label + ' It is shown this once: copy it now.'), value);
    var copied = h('span', 'note', '');
    copied.setAttribute('role', 'status');
    var forget = function () { value.textContent = ''; panel.remove(); shownSecrets = shownSecrets.filter(function (p) { return p !== forget; }); };
    add(panel, add(h('div', 'row-actions'),
      button('Copy', function () {
        navigator.clipboard.writeText(value.textContent).then(function () { copied.textContent = 'Copied.'; }, function () { copied.textContent = 'Copy failed: select the text and copy it.'; });
      }),
      button('Hide it (it cannot be shown again)', forget), copied));
    shownSecrets.push(forget);
    add(box, panel);
    return panel;
  }
  function hideSecrets() { shownSecrets.slice().forEach(function (forget) { forget(); }); }
  /** "Forget" the token: secrets shown go, and the admin screens are built again for the next token. */
  function forgetAdmin() {
    hideSecrets();
    state.idTags = Object.assign(state.idTags, { built: false, list: [], shown: null, q: '', status: '', paging: newPaging() });
    state.register.built = false; state.tokens = Object.assign(state.tokens, { built: false, list: [], shown: null });
    state.audit = Object.assign(state.audit, { built: false, entries: [], names: {}, filters: {}, shown: null, paging: newPaging() });
    ['id-tags', 'register', 'tokens', 'audit'].forEach(function (id) { $(id).replaceChildren(); });
  }

  /** A button that asks first: the question, what it means, and a second button that does it (given a reset, for afterwards). */
  function confirmButton(text, question, explain, action) {
    var wrap = h('span', 'confirm');
    var start = button(text, function () {
      var yes = button('Yes, ' + text.toLowerCase(), function (b) { b.disabled = true; action(b, function () { wrap.replaceChildren(start); }); });
      yes.className = 'danger';
      var no = button('Cancel', function () { wrap.replaceChildren(start); start.focus(); });
      wrap.replaceChildren(add(h('span', 'confirm-box'), h('strong', null, question), explain ? h('span', 'note', ' ' + explain + ' ') : null, yes, no));
      yes.focus();
    });
    return add(wrap, start);
  }

  /** Names each cell of a filled table by its column, for a phone, where the rows become cards without a header. */
  function labelCards(t) {
    var names = Array.prototype.map.call(t.tHead.rows[0].cells, function (th) { return th.textContent; });
    Array.prototype.forEach.call(t.tBodies[0].rows, function (tr) {
      Array.prototype.forEach.call(tr.cells, function (td, i) { if (names[i]) td.setAttribute('data-label', names[i]); });
    });
    return t;
  }
  /** A labelled field: the label wraps the control, so a click or a screen reader finds it. */
  function labelled(text, control) { return add(h('label', 'field'), h('span', null, text), control); }
  function textInput(name, type, placeholder) {
    var el = h('input');
    el.name = name; el.type = type || 'text'; el.spellcheck = false; el.autocomplete = 'off';
    if (placeholder) el.placeholder = placeholder;
    return el;
  }
  function choice(name, options) {
    var el = h('select');
    el.name = name;
    options.forEach(function (o) { var opt = h('option', null, o[1]); opt.value = o[0]; add(el, opt); });
    return el;
  }

  /**
   * A CSV import (POST {path}?dryRun=…, text/csv): a file or pasted rows, and the per-row report.
   * onDone runs after a real import, to read the list again.
   */
  function importForm(path, columns, example, onDone) {
    var form = h('form', 'import');
    form.autocomplete = 'off';
    var file = textInput('file', 'file');
    file.accept = '.csv,text/csv';
    var text = h('textarea', 'csv mono');
    text.name = 'csv'; text.rows = 5; text.spellcheck = false; text.placeholder = example;
    var dry = textInput('dryRun', 'checkbox');
    var out = h('div', 'import-report');
    out.setAttribute('role', 'status');
    file.addEventListener('change', function () {
      if (file.files && file.files[0]) file.files[0].text().then(function (t) { text.value = t; });
    });
    var submit = h('button', null, 'Import');
    submit.type = 'submit';
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var csv = text.value.replace(/\r?\n/g, '\r\n');
      if (!csv.trim()) { out.replaceChildren(h('p', 'warn', 'Choose a file or paste the rows first.')); return; }
      submit.disabled = true;
      out.replaceChildren(h('p', 'note', 'Importing…'));
      call('POST', path + (dry.checked ? '?dryRun=true' : ''), csv, 'text/csv').then(function (res) {
        if (!res.ok) { out.replaceChildren(h('pre', 'result bad', res.status + ' ' + errorText(res))); return; }
        renderImportReport(out, res.json);
        if (!res.json.dryRun && onDone) onDone();
      }, function (error) { out.replaceChildren(h('pre', 'result bad', 'Import failed: ' + error.message)); })
        .finally(function () { submit.disabled = false; });
    });
    return add(form,
      h('p', 'note', 'Columns (a header row first): ' + columns + '. One entry per row; a bad row is refused and the others are imported.'),
      labelled('CSV file', file), labelled('or the rows', text),
      add(h('div', 'row-actions'), labelled('Check only (dry run)', dry), submit), out);
  }
  /** The API's import report: counts, then each row (line, key, outcome, why it was refused). */
  function renderImportReport(out, r) {
    out.replaceChildren(h('p', r.failed ? 'warn' : 'ok-text', (r.dryRun ? 'Dry run (nothing written): ' : 'Imported: ') +
      r.created + ' created, ' + r.updated + ' updated, ' + r.unchanged + ' unchanged, ' + r.failed + ' refused.'));
    var t = table(['Line', 'Key', 'Outcome', 'Why'], 'import-rows');
    r.rows.forEach(function (x) {
      var why = x.error ? x.error.code + ': ' + x.error.message : '';
      add(t.tBodies[0], row([String(x.line), h('span', 'mono', orDash(x.id)), x.outcome === 'failed' ? 'refused' : x.outcome, why], x.outcome === 'failed' ? 'refused' : null));
    });
    add(out, scroller(t));
  }
`;
