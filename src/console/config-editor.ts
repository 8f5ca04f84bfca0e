// The charger screen's 1.6 configuration editor tab: the keys GetConfiguration reported (read-only
// ones marked), Refresh (sends GetConfiguration), a value edited and sent as ChangeConfiguration,
// and the charger's answer shown beside each key (Accepted / Rejected / RebootRequired / NotSupported).
// Credentials (AuthorizationKey, passwords…) and the keys the command route refuses (security
// profile, URLs) are shown redacted or read-only here: they change only through the admin routes.
// Also the helpers the other editor and job tabs share (tabView, commandCall, adminOnly).

import { CONSOLE_CREDENTIAL_RULES } from '../ocpp/secrets';

export const CONFIG_EDITOR = String.raw`
  var ADMIN_ONLY = ${JSON.stringify(CONSOLE_CREDENTIAL_RULES)};
  var ADMIN_ONLY_NAME = new RegExp(ADMIN_ONLY.secretName, 'i');
  var ADMIN_ONLY_URL = new RegExp(ADMIN_ONLY.redirectKey16, 'i');
  var ROWS_SHOWN = 200;
  /** Adds a tab to the charger screen, replacing the one of the same key, else before the tab named. */
  function tabView(spec, beforeKey) {
    var at = VIEWS.map(function (v) { return v.key; }).indexOf(spec.key);
    if (at >= 0) { VIEWS[at] = spec; return; }
    var before = VIEWS.map(function (v) { return v.key; }).indexOf(beforeKey);
    VIEWS.splice(before >= 0 ? before : VIEWS.length, 0, spec);
  }
  /** Why a key (component '') or variable may not be changed from this tab, or null when it may. */
  function adminOnly(s) {
    var name = s.variable.toLowerCase(), v16 = s.component === '', target = (s.component + '.' + name).toLowerCase();
    var secret = s.value === ADMIN_ONLY.redacted || s.mutability === 'WriteOnly' || ADMIN_ONLY_NAME.test(name) ||
      (v16 ? ADMIN_ONLY.secretKeys16 : ADMIN_ONLY.secretVariables201).indexOf(v16 ? name : target) >= 0;
    if (secret) return 'A credential: set only through ' + ADMIN_ONLY.passwordRoute + ' (admin).';
    var security = v16 ? ADMIN_ONLY.credentialKeys16.indexOf(name) >= 0 || ADMIN_ONLY_URL.test(name) : ADMIN_ONLY.credentialVariables201.indexOf(target) >= 0;
    return security ? 'A security or connection setting: changed only through ' + ADMIN_ONLY.credentialRoutes + '.' : null;
  }
  /** Sends a command now: resolves { ok, result } or { ok: false, message } (offline, refused, timed out…). */
  // int and required were the old hand-made command forms' (commands.ts); the tabs' forms still use them.
  /** A whole number typed into a tab's form, at least min; else an error saying so (the tab shows it). */
  function int(text, name, min) {
    var n = Number(text);
    if (text === '' || !Number.isInteger(n) || n < min) throw new Error(name + ' must be a whole number, at least ' + min);
    return n;
  }
  /** A field a tab's form cannot do without; else an error saying so. */
  function required(text, name) {
    if (!text) throw new Error(name + ' is required');
    return text;
  }
  function commandCall(chargerId, action, payload, query) {
    return call('POST', '/chargers/' + enc(chargerId) + '/commands/' + action + (query || ''), payload).then(function (res) {
      if (res.ok) return { ok: true, result: res.json.result, json: res.json };
      var code = res.json && res.json.error ? res.json.error.code : '';
      return { ok: false, code: code, message: code === 'ChargerOffline' ? 'the charger is offline' : 'HTTP ' + res.status + ' ' + errorText(res) };
    }, function (error) { return { ok: false, message: error.message }; });
  }
  /** A charger's answer to one item, as a chip: Accepted green, RebootRequired amber, any other red. */
  function answerChip(a) {
    if (!a) return h('span', 'note', '—');
    var kind = a.status === 'Accepted' ? 'ok' : a.status === 'RebootRequired' || a.status === 'Sending…' ? 'wait' : 'bad';
    var chip = h('span', 'answer-chip ' + kind, a.status + (a.detail ? ' (' + a.detail + ')' : ''));
    chip.title = (a.what ? a.what + ' · ' : '') + clock(a.at);
    return chip;
  }
  /** A one-line editor of a value: its own form, so Enter sends it; keeps what is typed in drafts. */
  function valueEditor(key, label, value, drafts, onSend) {
    var form = h('form', 'value-edit');
    var input = h('input');
    input.value = drafts[key] !== undefined ? drafts[key] : value === null ? '' : value;
    input.setAttribute('aria-label', 'New value of ' + label);
    input.autocomplete = 'off';
    input.addEventListener('input', function () { drafts[key] = input.value; });
    var send = h('button', null, 'Set');
    send.type = 'submit';
    send.setAttribute('aria-label', 'Set ' + label);
    if (!mayCommand()) { send.disabled = true; send.title = 'This token has no command scope'; }
    form.addEventListener('submit', function (e) { e.preventDefault(); onSend(input.value, send); });
    return add(form, input, send);
  }
  /** Builds an editor's rows again, giving the focus back to the control of the same label if one had it. */
  function rebuild(box, draw) {
    var active = document.activeElement;
    var label = active && box.contains(active) ? active.getAttribute('aria-label') : null;
    box.replaceChildren();
    draw();
    if (!label) return;
    var same = Array.prototype.filter.call(box.querySelectorAll('[aria-label]'), function (el) { return el.getAttribute('aria-label') === label; })[0];
    if (same) same.focus();
  }
  /** The toolbar of an editor tab: a filter box (labelled), buttons, and a line for what happened. */
  function editorBar(filterLabel, onFilter, buttons) {
    var bar = h('div', 'editor-bar');
    var filter = h('input');
    filter.type = 'search';
    filter.autocomplete = 'off';
    filter.addEventListener('input', function () { onFilter(filter.value.trim().toLowerCase()); });
    add(bar, add(h('label'), document.createTextNode(filterLabel + ' '), filter));
    buttons.forEach(function (b) { add(bar, b); });
    var line = h('p', 'note editor-status');
    line.setAttribute('aria-live', 'polite');
    return { bar: bar, line: line };
  }

  // ---- 1.6 configuration keys ---------------------------------------------------------------
  tabView({ key: 'config', title: 'Configuration', only: ['ocpp1.6'], mount: mountConfig16 }, 'certificates');
  function mountConfig16(body, chargerId) {
    var keys = [], answers = {}, drafts = {}, filterText = '', loaded = false;
    var refresh = button('Refresh from the charger (GetConfiguration)', function () {
      refresh.disabled = true;
      tools.line.textContent = 'Asking the charger for its configuration…';
      commandCall(chargerId, 'GetConfiguration', {}).then(function (out) {
        refresh.disabled = false;
        if (!out.ok) { tools.line.textContent = 'GetConfiguration failed: ' + out.message; return; }
        var unknown = out.result.unknownKey || [];
        tools.line.textContent = 'The charger reported ' + (out.result.configurationKey || []).length + ' keys at ' + clock(new Date().toISOString()) +
          (unknown.length ? '; unknown: ' + unknown.join(', ') : '') + '.';
        load();
      });
    });
    if (!mayCommand()) refresh.disabled = true;
    var tools = editorBar('Filter keys', function (text) { filterText = text; render(); }, [refresh]);
    var box = h('div');
    add(body, tools.bar, tools.line, box);
    function load() {
      return read('/chargers/' + enc(chargerId) + '/configuration').then(function (json) {
        keys = json.settings.filter(function (s) { return s.component === ''; });
        loaded = true;
        render();
      }, function (error) { tools.line.textContent = 'Reading the configuration failed: ' + error.message; });
    }
    function change(key, value, sendButton) {
      answers[key] = { status: 'Sending…', at: new Date().toISOString() };
      sendButton.disabled = true;
      render();
      commandCall(chargerId, 'ChangeConfiguration', { key: key, value: value }).then(function (out) {
        answers[key] = out.ok ? { status: String(out.result.status), at: new Date().toISOString(), what: 'ChangeConfiguration ' + value }
          : { status: 'Not sent', detail: out.message, at: new Date().toISOString() };
        if (out.ok && (out.result.status === 'Accepted' || out.result.status === 'RebootRequired')) delete drafts[key];
        return load();
      });
    }
    function render() { rebuild(box, draw); }
    function draw() {
      if (!loaded) { add(box, h('p', 'note', 'Loading the configuration…')); return; }
      if (keys.length === 0) { add(box, h('p', 'note', 'No configuration known yet: press Refresh to ask the charger.')); return; }
      var shown = keys.filter(function (s) { return !filterText || s.variable.toLowerCase().indexOf(filterText) >= 0; });
      var t = table(['Key', 'Value', 'Access', 'Charger\'s answer'], 'config');
      shown.slice(0, ROWS_SHOWN).forEach(function (s) {
        var why = adminOnly(s);
        var readonly = s.mutability === 'ReadOnly';
        var value = why || readonly ? h('code', 'frame', orDash(s.value))
          : valueEditor(s.variable, s.variable, s.value, drafts, function (v, b) { change(s.variable, v, b); });
        var access = readonly ? 'read-only' : why ? 'admin route only' : 'read-write';
        var tr = row([h('span', 'mono', s.variable), value, access, answerChip(answers[s.variable])]);
        if (why) tr.title = why;
        tr.dataset.key = s.variable;
        add(t.tBodies[0], tr);
      });
      add(box, scroller(t));
      if (shown.length > ROWS_SHOWN) add(box, h('p', 'note', (shown.length - ROWS_SHOWN) + ' more: narrow the filter.'));
      add(box, h('p', 'note', shown.length + ' of ' + keys.length + ' keys, as last learnt (' + time(keys[0].updatedAt) + ').'));
    }
    render();
    load();
    return { reload: load };
  }
`;
