// The operator dashboard's inline script (served by dashboard-page.ts, allowed there by its hash).
// Plain browser JavaScript in a string: no build step, no dependencies. It builds the page with DOM
// and text nodes only (never innerHTML), so whatever a charger sends is shown as text.
//
// Live updates are by polling every 3 seconds: it needs nothing beyond the API that already exists
// (no extra Durable Object fan-out, no browser WebSockets to authenticate and keep alive). Pushing
// changes to browsers over a WebSocket can come later without changing what the page shows.

export const DASHBOARD_SCRIPT = String.raw`
(function () {
  'use strict';

  // ---- Constants and state --------------------------------------------------------------
  var API = '/api/v1';
  var POLL_MS = 3000;
  var TOKEN_KEY = 'csms-dashboard-token';
  var ENERGY = 'Energy.Active.Import.Register';
  var SVG_NS = 'http://www.w3.org/2000/svg';
  var state = {
    token: sessionStorage.getItem(TOKEN_KEY) || '',
    authError: null,
    chargers: [],
    moreChargers: false,
    selectedId: null,
    charger: null,
    transactions: [],
    selectedTx: null,
    txDetail: null,
    messages: [],
    formsFor: null,
    stopInput: null,
  };
  var $ = function (id) { return document.getElementById(id); };

  // ---- DOM helpers: elements and text nodes only (no HTML parsing) ---------------------------
  function h(tag, cls, text) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    if (text !== undefined && text !== null) el.appendChild(document.createTextNode(String(text)));
    return el;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) if (arguments[i]) parent.appendChild(arguments[i]);
    return parent;
  }
  function svg(tag, attrs, text) {
    var el = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, String(attrs[k])); });
    if (text !== undefined) el.appendChild(document.createTextNode(String(text)));
    return el;
  }
  function row(cells, cls) {
    var tr = h('tr', cls);
    cells.forEach(function (c) { add(tr, c instanceof Node ? add(h('td'), c) : h('td', null, c)); });
    return tr;
  }
  function table(headings) {
    var tr = h('tr');
    headings.forEach(function (x) { add(tr, h('th', null, x)); });
    return add(h('table'), add(h('thead'), tr), h('tbody'));
  }

  // ---- Formatting ---------------------------------------------------------------------------
  function time(iso) { return iso ? new Date(iso).toLocaleString() : '—'; }
  function clock(iso) { return iso ? new Date(iso).toLocaleTimeString() : '—'; }
  function kwh(wh) { return wh === null || wh === undefined ? '—' : (wh / 1000).toFixed(2) + ' kWh'; }
  function version(protocol) { return protocol ? protocol.replace(/^ocpp/, '') : '—'; }
  function place(protocol, evseId, connectorId) {
    if (protocol === 'ocpp1.6') return connectorId === 0 ? 'charge point' : 'connector ' + connectorId;
    return 'EVSE ' + evseId + (connectorId ? ' / ' + connectorId : '');
  }
  function chip(text, status) {
    return h('span', 'chip s-' + String(status || 'Unknown').toLowerCase(), text);
  }
  function connectorChips(charger) {
    var box = h('span', 'chips');
    (charger.connectors || []).forEach(function (c) {
      var text = place(charger.protocol, c.evseId, c.connectorId) + ': ' + c.status;
      if (c.errorCode && c.errorCode !== 'NoError') text += ' (' + c.errorCode + ')';
      add(box, chip(text, c.status));
    });
    return box;
  }

  // ---- API access: Bearer token, JSON in and out ---------------------------------------------
  function call(method, path, body) {
    var headers = { authorization: 'Bearer ' + state.token, accept: 'application/json' };
    var init = { method: method, headers: headers, cache: 'no-store' };
    if (body !== undefined) { headers['content-type'] = 'application/json'; init.body = JSON.stringify(body); }
    return fetch(API + path, init).then(function (res) {
      return res.text().then(function (text) {
        var json = null;
        try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
        return { status: res.status, ok: res.ok, json: json, text: text };
      });
    });
  }
  /** A read: its JSON, or an Error; a 401/403 stops polling until a new token is given. */
  function read(path) {
    return call('GET', path).then(function (res) {
      if (res.ok) return res.json;
      var message = res.json && res.json.error ? res.json.error.code + ': ' + res.json.error.message : res.text;
      if (res.status === 401 || res.status === 403) {
        state.authError = res.status === 401
          ? 'The API token was refused (401). Enter a valid token above.'
          : 'This token may not read the API (403 ' + message + '). Use a token with the read scope.';
        showBanner();
      }
      var error = new Error(res.status + ' ' + message);
      error.status = res.status;
      throw error;
    });
  }
  function enc(x) { return encodeURIComponent(x); }

  // ---- Chargers list ----------------------------------------------------------------------------
  function loadChargers() {
    return read('/chargers?limit=500').then(function (json) {
      state.chargers = json.chargers;
      state.moreChargers = json.nextCursor !== null;
      renderChargers();
    });
  }
  function renderChargers() {
    var box = $('chargers');
    box.replaceChildren();
    if (state.chargers.length === 0) { add(box, h('p', 'note', 'No charger has connected or been registered yet.')); return; }
    var t = table(['', 'Charger', 'OCPP', 'Firmware', 'Connectors']);
    state.chargers.forEach(function (c) {
      var tr = row([
        h('span', c.connected ? 'dot on' : 'dot', c.connected ? 'online' : 'offline'),
        h('span', 'mono', c.id),
        version(c.protocol),
        (c.boot && c.boot.firmwareVersion) || '—',
        connectorChips(c),
      ], c.id === state.selectedId ? 'pick selected' : 'pick');
      tr.tabIndex = 0;
      tr.addEventListener('click', function () { select(c.id); });
      tr.addEventListener('keydown', function (e) { if (e.key === 'Enter') select(c.id); });
      add(t.tBodies[0], tr);
    });
    add(box, t);
    if (state.moreChargers) add(box, h('p', 'note', 'Showing the first 500 chargers.'));
  }

  // ---- Selected charger: record, transactions, meter chart, message journal -------------------
  function select(id) {
    if (state.selectedId === id) return;
    state.selectedId = id;
    state.charger = null; state.transactions = []; state.messages = [];
    state.selectedTx = null; state.txDetail = null; state.formsFor = null;
    history.replaceState(null, '', '#' + enc(id));
    $('detail').replaceChildren(h('p', 'note', 'Loading ' + id + '…'));
    renderChargers();
    refreshNow();
  }
  function loadSelected() {
    var id = state.selectedId;
    var base = '/chargers/' + enc(id);
    var tx = state.selectedTx;
    var needTx = tx && (!state.txDetail || state.txDetail.status === 'active');
    return Promise.all([
      read(base).catch(function (error) {
        if (error.status === 404 && state.selectedId === id) { // gone, or a stale link: forget it
          state.selectedId = null;
          $('detail').replaceChildren(h('p', 'note', 'No charger ' + id + '. Select one from the list.'));
        }
        throw error;
      }),
      read('/transactions?chargerId=' + enc(id) + '&limit=20'),
      read(base + '/messages?limit=50'),
      needTx ? read(base + '/transactions/' + enc(tx)) : Promise.resolve(null),
    ]).then(function (r) {
      if (state.selectedId !== id) return; // the operator picked another charger meanwhile
      state.charger = r[0].charger;
      state.transactions = r[1].transactions;
      state.messages = r[2].messages;
      if (r[3] && state.selectedTx === tx) state.txDetail = r[3].transaction;
      renderDetail();
    });
  }
  function renderDetail() {
    var c = state.charger;
    var detail = $('detail');
    var key = c.id + ' ' + c.protocol;
    if (state.formsFor !== key) { // the layout and forms are built once per charger and protocol
      state.formsFor = key;
      detail.replaceChildren(
        add(h('div', 'head'), h('h2', 'mono', c.id), h('span', null, ''), h('div', 'facts')),
        add(h('div', 'cols'),
          add(h('section'), h('h3', null, 'Transactions'), h('div', null), h('h3', null, 'Energy'), h('div', 'chart-box')),
          add(h('section'), h('h3', null, 'Commands'), commandForms(c))),
        add(h('section'), h('h3', null, 'Message journal (last 50, newest first)'), h('div', 'journal')));
    }
    var head = detail.querySelector('.head');
    head.children[1].replaceWith(h('span', c.connected ? 'dot on' : 'dot', c.connected ? 'online' : 'offline'));
    var facts = head.querySelector('.facts');
    facts.replaceChildren(
      h('span', null, 'OCPP ' + version(c.protocol)),
      h('span', null, 'firmware ' + ((c.boot && c.boot.firmwareVersion) || '—')),
      h('span', null, [c.boot && c.boot.vendor, c.boot && c.boot.model].filter(Boolean).join(' ') || 'vendor —'),
      h('span', null, 'boot ' + (c.registrationStatus || '—') + ' at ' + time(c.lastBootAt)),
      h('span', null, 'last seen ' + time(c.lastSeen)),
      connectorChips(c));
    var sections = detail.querySelectorAll('.cols > section');
    renderTransactions(sections[0].children[1]);
    renderChart(sections[0].querySelector('.chart-box'));
    renderJournal(detail.querySelector('.journal'));
  }
  function renderTransactions(box) {
    box.replaceChildren();
    if (state.transactions.length === 0) { add(box, h('p', 'note', 'No transactions yet.')); return; }
    var t = table(['Transaction', 'Where', 'Id tag', 'Status', 'Started', 'Stopped', 'Energy']);
    state.transactions.forEach(function (x) {
      var cls = 'pick' + (x.status === 'active' ? ' active' : '') + (x.transactionId === state.selectedTx ? ' selected' : '');
      var tr = row([h('span', 'mono', x.transactionId), place(x.protocol, x.evseId, x.connectorId), x.idTag || '—',
        x.status + (x.chargingState ? ' (' + x.chargingState + ')' : ''), time(x.startedAt), time(x.stoppedAt), kwh(x.energyWh)], cls);
      tr.title = 'Show this transaction\'s meter values' + (x.status === 'active' ? ' and fill in Remote stop' : '');
      tr.addEventListener('click', function () {
        state.selectedTx = x.transactionId; state.txDetail = null;
        if (x.status === 'active' && state.stopInput) state.stopInput.value = x.transactionId;
        renderTransactions(box);
        refreshNow();
      });
      add(t.tBodies[0], tr);
    });
    add(box, t);
  }

  // ---- Energy chart: the transaction's Energy.Active.Import.Register readings as inline SVG ----
  function energyPoints(meterValues) {
    var rows = meterValues.filter(function (m) { return m.measurand === ENERGY && m.value !== null && m.unit === 'Wh'; });
    var whole = rows.filter(function (m) { return !m.phase; });
    if (whole.length) rows = whole;
    var byTime = new Map();
    rows.forEach(function (m) { var t = Date.parse(m.timestamp); if (!isNaN(t)) byTime.set(t, m.value); });
    return Array.from(byTime.entries()).map(function (e) { return { t: e[0], v: e[1] }; })
      .sort(function (a, b) { return a.t - b.t; });
  }
  function renderChart(box) {
    box.replaceChildren();
    var tx = state.txDetail;
    if (!state.selectedTx) { add(box, h('p', 'note', 'Select a transaction to chart its energy meter readings.')); return; }
    if (!tx) { add(box, h('p', 'note', 'Loading transaction ' + state.selectedTx + '…')); return; }
    var pts = energyPoints(tx.meterValues || []);
    var caption = 'Transaction ' + tx.transactionId + ': ' + kwh(tx.energyWh) + ', ' + pts.length + ' ' + ENERGY + ' readings';
    add(box, h('p', 'note', caption));
    if (pts.length < 2) return;
    var W = 640, H = 220, L = 70, R = 12, T = 12, B = 28;
    var t0 = pts[0].t, t1 = pts[pts.length - 1].t, v0 = pts[0].v, v1 = v0;
    pts.forEach(function (p) { v0 = Math.min(v0, p.v); v1 = Math.max(v1, p.v); });
    if (t1 === t0) t1 = t0 + 1;
    if (v1 === v0) v1 = v0 + 1;
    var x = function (t) { return (L + (t - t0) / (t1 - t0) * (W - L - R)).toFixed(1); };
    var y = function (v) { return (H - B - (v - v0) / (v1 - v0) * (H - T - B)).toFixed(1); };
    var chart = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, class: 'chart', role: 'img', 'aria-label': caption });
    add(chart,
      svg('title', {}, caption),
      svg('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, class: 'axis' }),
      svg('line', { x1: L, y1: T, x2: L, y2: H - B, class: 'axis' }),
      svg('text', { x: L - 6, y: T + 10, 'text-anchor': 'end', class: 'label' }, '+' + kwh(v1 - v0)),
      svg('text', { x: L - 6, y: H - B, 'text-anchor': 'end', class: 'label' }, '0'),
      svg('text', { x: L, y: H - 8, class: 'label' }, clock(new Date(t0).toISOString())),
      svg('text', { x: W - R, y: H - 8, 'text-anchor': 'end', class: 'label' }, clock(new Date(t1).toISOString())),
      svg('polyline', { points: pts.map(function (p) { return x(p.t) + ',' + y(p.v); }).join(' '), class: 'line' }));
    if (pts.length <= 120) pts.forEach(function (p) { add(chart, svg('circle', { cx: x(p.t), cy: y(p.v), r: 2.5, class: 'point' })); });
    add(box, chart);
  }

  // ---- Message journal: both directions, CALLERRORs highlighted ---------------------------------
  var KINDS = { 2: 'CALL', 3: 'RESULT', 4: 'ERROR' };
  function renderJournal(box) {
    box.replaceChildren();
    if (state.messages.length === 0) { add(box, h('p', 'note', 'No messages in the journal.')); return; }
    var t = table(['Time', 'Direction', 'Type', 'Action', 'Frame']);
    state.messages.forEach(function (m) {
      var kind = KINDS[m.messageType] || 'not OCPP';
      add(t.tBodies[0], row([
        clock(m.at),
        m.direction === 'in' ? 'charger → CSMS' : 'CSMS → charger',
        m.errorCode ? kind + ' ' + m.errorCode : kind,
        m.action || '—',
        h('code', 'frame', m.text + (m.truncated ? ' …(cut)' : '')),
      ], m.messageType === 4 ? 'callerror' : null));
    });
    add(box, t);
  }

  // ---- Command forms: the payload each action takes in the charger's OCPP version ----------------
  function int(text, name, min) {
    var n = Number(text);
    if (text === '' || !Number.isInteger(n) || n < min) throw new Error(name + ' must be a whole number, at least ' + min);
    return n;
  }
  function required(text, name) {
    if (!text) throw new Error(name + ' is required');
    return text;
  }
  function commandSpecs(v16) {
    var trig16 = ['StatusNotification', 'Heartbeat', 'MeterValues', 'BootNotification', 'FirmwareStatusNotification', 'DiagnosticsStatusNotification'];
    var trig201 = ['StatusNotification', 'Heartbeat', 'MeterValues', 'TransactionEvent', 'BootNotification', 'FirmwareStatusNotification', 'LogStatusNotification'];
    var where = v16 ? 'Connector' : 'EVSE';
    return [
      { title: 'Reset', fields: [{ name: 'type', label: 'Type', options: v16 ? ['Soft', 'Hard'] : ['OnIdle', 'Immediate'] }],
        build: function (f) { return { action: 'Reset', payload: { type: f.type } }; } },
      { title: 'Remote start', fields: [{ name: 'token', label: v16 ? 'idTag' : 'idToken (ISO14443)' }, { name: 'where', label: where, value: '1' }],
        build: function (f) {
          if (v16) return { action: 'RemoteStartTransaction', payload: { idTag: required(f.token, 'idTag'), connectorId: int(f.where, where, 1) } };
          return { action: 'RequestStartTransaction', payload: {
            idToken: { idToken: required(f.token, 'idToken'), type: 'ISO14443' },
            remoteStartId: Math.floor(Math.random() * 2147483646) + 1,
            evseId: int(f.where, where, 1) } };
        } },
      { title: 'Remote stop', fields: [{ name: 'tx', label: 'Transaction id', stop: true }],
        build: function (f) {
          if (v16) return { action: 'RemoteStopTransaction', payload: { transactionId: int(f.tx, 'Transaction id', 0) } };
          return { action: 'RequestStopTransaction', payload: { transactionId: required(f.tx, 'Transaction id') } };
        } },
      { title: 'Unlock connector', fields: v16 ? [{ name: 'connector', label: 'Connector', value: '1' }]
          : [{ name: 'evse', label: 'EVSE', value: '1' }, { name: 'connector', label: 'Connector', value: '1' }],
        build: function (f) {
          if (v16) return { action: 'UnlockConnector', payload: { connectorId: int(f.connector, 'Connector', 1) } };
          return { action: 'UnlockConnector', payload: { evseId: int(f.evse, 'EVSE', 1), connectorId: int(f.connector, 'Connector', 1) } };
        } },
      { title: 'Trigger message', fields: [{ name: 'message', label: 'Message', options: v16 ? trig16 : trig201 },
          { name: 'where', label: (v16 ? where : 'EVSE/connector') + ' (optional)', value: '' }],
        build: function (f) {
          var payload = { requestedMessage: f.message };
          if (v16) {
            if (f.where !== '') payload.connectorId = int(f.where, where, 1);
            return { action: 'TriggerMessage', payload: payload };
          }
          // 2.0.1 takes "EVSE" or "EVSE/connector"; a StatusNotification is per connector, so it
          // always names one (F06.FR.13), connector 1 of EVSE 1 unless told otherwise.
          var parts = f.where.split('/');
          if (f.where !== '' || f.message === 'StatusNotification') {
            payload.evse = { id: int(parts[0] || '1', where, 1) };
            if (parts.length > 1 || f.message === 'StatusNotification') payload.evse.connectorId = int(parts[1] || '1', 'Connector', 1);
          }
          return { action: 'TriggerMessage', payload: payload };
        } },
      { title: 'Change availability', fields: [{ name: 'status', label: 'To', options: ['Operative', 'Inoperative'] },
          { name: 'where', label: where + ' (0: whole charger)', value: '0' }],
        build: function (f) {
          var n = int(f.where, where, 0);
          if (v16) return { action: 'ChangeAvailability', payload: { connectorId: n, type: f.status } };
          var payload = { operationalStatus: f.status };
          if (n > 0) payload.evse = { id: n };
          return { action: 'ChangeAvailability', payload: payload };
        } },
    ];
  }
  function commandForms(charger) {
    var box = h('div', 'commands');
    if (!charger.protocol) { add(box, h('p', 'note', 'This charger has not connected yet, so its OCPP version is not known.')); return box; }
    state.stopInput = null;
    commandSpecs(charger.protocol === 'ocpp1.6').forEach(function (spec) {
      var form = h('form', 'command');
      var inputs = {};
      add(form, h('h4', null, spec.title));
      spec.fields.forEach(function (f) {
        var input;
        if (f.options) {
          input = h('select');
          f.options.forEach(function (o) { add(input, h('option', null, o)); });
        } else {
          input = h('input');
          input.value = f.value || '';
          input.autocomplete = 'off';
          if (f.stop) state.stopInput = input;
        }
        input.name = f.name;
        inputs[f.name] = input;
        add(form, add(h('label'), document.createTextNode(f.label + ' '), input));
      });
      var button = add(form, h('button', null, 'Send'));
      var out = add(form, h('pre', 'result hidden'));
      form.addEventListener('submit', function (e) {
        e.preventDefault();
        var values = {};
        Object.keys(inputs).forEach(function (k) { values[k] = inputs[k].value.trim(); });
        var command;
        try { command = spec.build(values); } catch (error) { show(out, 'bad', error.message); return; }
        button.disabled = true;
        show(out, 'wait', 'Sending ' + command.action + ' ' + JSON.stringify(command.payload) + '…');
        call('POST', '/chargers/' + enc(charger.id) + '/commands/' + command.action, command.payload)
          .then(function (res) {
            var body = res.json ? JSON.stringify(res.json, null, 2) : res.text;
            var note = res.status === 401 ? ' (the token was refused)' : res.status === 403 ? ' (this token may not send commands)' : '';
            show(out, res.ok ? 'ok' : 'bad', command.action + ': HTTP ' + res.status + note + '\n' + body);
          })
          .catch(function (error) { show(out, 'bad', command.action + ' failed: ' + error.message); })
          .finally(function () { button.disabled = false; refreshNow(); });
      });
      add(box, form);
    });
    return box;
  }
  function show(out, kind, text) {
    out.className = 'result ' + kind;
    out.textContent = text;
  }

  // ---- Polling: one refresh at a time, every POLL_MS, paused while the tab is hidden -------------
  var timer = null, busy = false, again = false;
  function refreshNow() { clearTimeout(timer); tick(); }
  function tick() {
    if (busy) { again = true; return; }
    if (!state.token || state.authError || document.hidden) { schedule(); return; }
    busy = true;
    Promise.all([loadChargers(), state.selectedId ? loadSelected() : null])
      .then(function () { $('status').textContent = 'Updated ' + new Date().toLocaleTimeString() + ' · every ' + POLL_MS / 1000 + ' s'; })
      .catch(function (error) { $('status').textContent = 'Update failed: ' + error.message; })
      .finally(function () { busy = false; if (again) { again = false; tick(); } else schedule(); });
  }
  function schedule() { clearTimeout(timer); timer = setTimeout(tick, POLL_MS); }
  document.addEventListener('visibilitychange', function () { if (!document.hidden) refreshNow(); });

  // ---- Token: asked for on the page, kept in sessionStorage (this tab only) ------------------------
  function showBanner() {
    var banner = $('banner');
    var text = !state.token ? 'Enter an API token (read scope to watch, command scope to send commands).' : state.authError;
    banner.textContent = text || '';
    banner.classList.toggle('hidden', !text);
  }
  $('token').value = state.token;
  $('token-form').addEventListener('submit', function (e) {
    e.preventDefault();
    state.token = $('token').value.trim();
    state.authError = null;
    if (state.token) sessionStorage.setItem(TOKEN_KEY, state.token); else sessionStorage.removeItem(TOKEN_KEY);
    showBanner();
    refreshNow();
  });
  $('forget').addEventListener('click', function () {
    state.token = ''; $('token').value = ''; sessionStorage.removeItem(TOKEN_KEY);
    state.selectedId = null; state.formsFor = null;
    $('chargers').replaceChildren(); $('detail').replaceChildren(); $('status').textContent = '';
    showBanner();
  });
  if (location.hash.length > 1) { state.selectedId = decodeURIComponent(location.hash.slice(1)); }
  showBanner();
  refreshNow();
})();
`;
