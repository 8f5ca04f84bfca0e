// The operator dashboard's inline script (served by dashboard-page.ts, allowed there by its hash).
// Plain browser JavaScript in a string: no build step, no dependencies. It builds the page with DOM
// and text nodes only (never innerHTML), so whatever a charger sends is shown as text.
//
// Live updates are by polling every 3 seconds: it needs nothing beyond the API that already exists
// (no extra Durable Object fan-out, no browser WebSockets to authenticate and keep alive). Pushing
// changes to browsers over a WebSocket can come later without changing what the page shows.
//
// Money (issue 14): a transaction's cost and tariff as the API gives them (src/tariffs/cost.ts), a
// read-only view of the tariffs and their assignments, and the CDR CSV export, fetched with the token
// in its Authorization header and saved as a Blob (a link would have to carry the token in its URL).

import { ANOMALY_KINDS } from '../store/transaction-anomalies';

export const DASHBOARD_SCRIPT = String.raw`
(function () {
  'use strict';

  // ---- Constants and state --------------------------------------------------------------
  var API = '/api/v1';
  var POLL_MS = 3000;
  var TOKEN_KEY = 'csms-dashboard-token';
  var ENERGY = 'Energy.Active.Import.Register';
  var SVG_NS = 'http://www.w3.org/2000/svg';
  var MAX_PAGE = 500; // the API's largest page
  var ALERT_PAGE = 10, ALERT_COUNT_MAX = 100, DAY_MS = 86400000;
  var FIRMWARE_PAGE = 50;
  var VIEW_PAGE = 20;
  // What each transaction flag means, as the API documents it (store/transaction-anomalies.ts).
  var FLAG_WORDS = ${JSON.stringify(ANOMALY_KINDS)};
  // What the cost engine noted about the readings it priced (src/tariffs/cost.ts CostAnomalyKind).
  var COST_ANOMALY_WORDS = {
    invalid_time: 'a time that is not a valid date was skipped',
    sample_out_of_order: 'readings older than the last one priced were skipped',
    register_backwards: 'the energy register went backwards; that difference was not billed',
    invalid_register: 'an energy register reading that is not a valid number was skipped',
    end_before_last_sample: 'the end came before the last reading',
    periods_merged: 'too many charging periods: the later ones were merged into the last',
    register_gap_overflow: 'too many intervals without an energy reading: their energy was spread over the later ones',
  };
  var DIMENSION_WORDS = { ENERGY: 'Energy', TIME: 'Charging time', PARKING_TIME: 'Parking time' };
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
    alerts: [],
    alertsNext: null,
    alertsShown: ALERT_PAGE,
    alerts24h: null,
    fleetFirmware: [],
    firmwareNext: null,
    firmwareShown: FIRMWARE_PAGE,
    view: null,
    tariffs: [],
    moreTariffs: false,
    assignments: [],
    moreAssignments: false,
    tariffVersions: {},
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
  function bytes(n) { return n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KiB' : (n / 1048576).toFixed(1) + ' MiB'; }
  function orDash(x) { return x === null || x === undefined || x === '' ? '—' : x; }
  function version(protocol) { return protocol ? protocol.replace(/^ocpp/, '') : '—'; }
  function place(protocol, evseId, connectorId) {
    if (protocol === 'ocpp1.6') return connectorId === 0 ? 'charge point' : 'connector ' + connectorId;
    return 'EVSE ' + evseId + (connectorId ? ' / ' + connectorId : '');
  }
  // ---- Money: amounts come rounded to the currency's minor unit; shown with exactly those decimals ----
  function minorUnits(currency) {
    try { return new Intl.NumberFormat('en', { style: 'currency', currency: currency }).resolvedOptions().maximumFractionDigits; } catch (e) { return 2; }
  }
  function money(amount, currency) {
    return amount === null || amount === undefined ? '—' : Number(amount).toFixed(minorUnits(currency)) + ' ' + currency;
  }
  /** A cost's total as the driver pays it: incl. VAT, or excl. when incl. cannot be known (a component without VAT). */
  function totalText(cost) {
    var t = cost.total_cost;
    return t.incl_vat !== undefined && t.incl_vat !== null ? money(t.incl_vat, cost.currency) : money(t.excl_vat, cost.currency) + ' excl. VAT';
  }
  function tariffRef(tariff) { return tariff ? tariff.id + '@' + tariff.version : '—'; }
  function hours(h) { return h === null || h === undefined ? '—' : (+Number(h).toFixed(4)) + ' h'; }
  function kwhOf(k) { return k === null || k === undefined ? '—' : (+Number(k).toFixed(4)) + ' kWh'; }
  /** A price per unit: at least 2 decimals, up to the tariff's 4. */
  function rate(price) {
    return Number(price).toFixed(4).replace(/0{1,2}$/, '');
  }
  var DAY_SHORT = { MONDAY: 'Mon', TUESDAY: 'Tue', WEDNESDAY: 'Wed', THURSDAY: 'Thu', FRIDAY: 'Fri', SATURDAY: 'Sat', SUNDAY: 'Sun' };
  /** A tariff element's restrictions in words: "22:00–06:00 Mon, Sat, above 20 kWh". */
  function restrictionText(r) {
    if (!r) return '';
    var parts = [];
    if (r.start_time || r.end_time) parts.push((r.start_time || '00:00') + '–' + (r.end_time || '24:00'));
    if (r.day_of_week) parts.push(r.day_of_week.map(function (d) { return DAY_SHORT[d] || d; }).join(', '));
    if (r.start_date || r.end_date) parts.push((r.start_date ? 'from ' + r.start_date : '') + (r.start_date && r.end_date ? ' ' : '') + (r.end_date ? 'before ' + r.end_date : ''));
    if (r.min_kwh !== undefined) parts.push('from ' + r.min_kwh + ' kWh');
    if (r.max_kwh !== undefined) parts.push('up to ' + r.max_kwh + ' kWh');
    if (r.min_duration !== undefined) parts.push('after ' + r.min_duration + ' s');
    if (r.max_duration !== undefined) parts.push('for the first ' + r.max_duration + ' s');
    if (r.min_power !== undefined) parts.push('at ' + r.min_power + ' kW or more');
    if (r.max_power !== undefined) parts.push('below ' + r.max_power + ' kW');
    if (r.min_current !== undefined) parts.push('at ' + r.min_current + ' A or more');
    if (r.max_current !== undefined) parts.push('below ' + r.max_current + ' A');
    if (r.reservation) parts.push(r.reservation.toLowerCase().replace(/_/g, ' '));
    return parts.join(', ');
  }
  var COMPONENT_UNITS = { ENERGY: '/kWh', TIME: '/h charging', PARKING_TIME: '/h parking', FLAT: ' per session' };
  function componentText(p, currency, vatShown) {
    var text = rate(p.price) + ' ' + currency + COMPONENT_UNITS[p.type];
    if (p.step_size > 1 && p.type !== 'FLAT') text += ' (step ' + p.step_size + (p.type === 'ENERGY' ? ' Wh' : ' s') + ')';
    if (!vatShown) text += p.vat === undefined ? ' (no VAT)' : ' (+' + p.vat + ' % VAT)';
    return text;
  }
  /** One element in words: "22:00–06:00 0.18 EUR/kWh, 2.00 EUR/h parking". */
  function elementText(e, currency, vatShown) {
    var r = restrictionText(e.restrictions);
    return (r ? r + ' ' : '') + e.price_components.map(function (p) { return componentText(p, currency, vatShown); }).join(', ');
  }
  /** A tariff's elements in words, its VAT once when every component has the same. */
  function tariffText(t) {
    var vats = [];
    t.elements.forEach(function (e) { e.price_components.forEach(function (p) { var v = p.vat === undefined ? 'none' : String(p.vat); if (vats.indexOf(v) < 0) vats.push(v); }); });
    var same = vats.length === 1;
    var text = t.elements.map(function (e) { return elementText(e, t.currency, same); }).join('; ');
    if (same) text += vats[0] === 'none' ? '; no VAT' : '; excl. VAT, +' + vats[0] + ' % VAT';
    if (t.min_price) text += '; at least ' + money(t.min_price.excl_vat, t.currency);
    if (t.max_price) text += '; at most ' + money(t.max_price.excl_vat, t.currency);
    if (t.time_zone && t.time_zone !== 'UTC') text += '; times in ' + t.time_zone;
    else if (t.elements.some(function (e) { return e.restrictions && (e.restrictions.start_time || e.restrictions.end_time || e.restrictions.day_of_week); })) text += '; times in UTC';
    return text;
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
  function button(text, onClick) {
    var b = h('button', null, text);
    b.type = 'button';
    b.addEventListener('click', function () { onClick(b); });
    return b;
  }

  // ---- Security alerts: the fleet's latest critical security events (A04), newest first ----------
  // Each poll re-reads as many as are shown, so a page added by "More" stays in place as new ones come.
  function loadAlerts() {
    var shown = state.alertsShown;
    var since = new Date(Date.now() - DAY_MS).toISOString();
    return Promise.all([
      read('/security-events?critical=true&limit=' + Math.min(shown, MAX_PAGE)),
      read('/security-events?critical=true&limit=' + ALERT_COUNT_MAX + '&from=' + enc(since)),
    ]).then(function (r) {
      if (shown !== state.alertsShown) return; // "More" changed the page meanwhile
      state.alerts = r[0].securityEvents;
      state.alertsNext = r[0].nextCursor;
      state.alerts24h = r[1].securityEvents.length + (r[1].nextCursor !== null ? '+' : '');
      renderAlerts();
    });
  }
  function moreAlerts(b) {
    b.disabled = true;
    read('/security-events?critical=true&limit=' + ALERT_PAGE + '&cursor=' + enc(state.alertsNext)).then(function (json) {
      state.alerts = state.alerts.concat(json.securityEvents);
      state.alertsShown = state.alerts.length;
      state.alertsNext = json.nextCursor;
      renderAlerts();
    }).catch(function (error) { b.disabled = false; $('status').textContent = 'Loading more alerts failed: ' + error.message; });
  }
  function renderAlerts() {
    var badge = $('alert-count');
    badge.textContent = state.alerts24h === null ? '–' : state.alerts24h;
    badge.className = state.alerts24h === null || state.alerts24h === '0' ? 'badge none' : 'badge';
    badge.title = 'Critical security events in the last 24 hours: ' + badge.textContent;
    var box = $('alerts');
    box.replaceChildren();
    if (state.alerts.length === 0) { add(box, h('p', 'note', 'No critical security event reported.')); return; }
    var t = table(['Time', 'Charger', 'Event', 'Tech info']);
    t.className = 'alerts';
    state.alerts.forEach(function (a) {
      var tr = row([time(a.timestamp || a.receivedAt), h('span', 'mono', a.chargerId), h('span', null, a.type), h('span', 'tech', orDash(a.techInfo))], 'pick');
      tr.children[2].className = 'type';
      tr.title = 'Received ' + time(a.receivedAt) + ' · select ' + a.chargerId;
      tr.addEventListener('click', function () { select(a.chargerId); });
      add(t.tBodies[0], tr);
    });
    add(box, t);
    var pager = add(h('div', 'pager'), h('span', 'note', state.alerts.length + ' shown, newest first'));
    if (state.alertsNext !== null && state.alerts.length < MAX_PAGE) add(pager, button('More', moreAlerts));
    add(box, pager);
  }

  // ---- Fleet firmware: which charger runs which version, with its latest firmware job (L01–L04) ----
  function loadFleetFirmware() {
    var shown = state.firmwareShown;
    return read('/firmware?limit=' + Math.min(shown, MAX_PAGE)).then(function (json) {
      if (shown !== state.firmwareShown) return;
      state.fleetFirmware = json.chargers;
      state.firmwareNext = json.nextCursor;
      renderFleetFirmware();
    });
  }
  function moreFirmware(b) {
    b.disabled = true;
    read('/firmware?limit=' + FIRMWARE_PAGE + '&cursor=' + enc(state.firmwareNext)).then(function (json) {
      state.fleetFirmware = state.fleetFirmware.concat(json.chargers);
      state.firmwareShown = state.fleetFirmware.length;
      state.firmwareNext = json.nextCursor;
      renderFleetFirmware();
    }).catch(function (error) { b.disabled = false; $('status').textContent = 'Loading more firmware failed: ' + error.message; });
  }
  function jobText(j) { return j ? 'job ' + j.jobId + ': ' + j.status + ' (' + j.outcome + ')' : '—'; }
  function renderFleetFirmware() {
    var box = $('firmware');
    box.replaceChildren();
    if (state.fleetFirmware.length === 0) { add(box, h('p', 'note', 'No charger yet.')); return; }
    var counts = new Map();
    state.fleetFirmware.forEach(function (c) { var v = c.firmwareVersion || 'not reported'; counts.set(v, (counts.get(v) || 0) + 1); });
    var chips = h('p', 'chips');
    counts.forEach(function (n, v) { add(chips, h('span', 'chip', v + ': ' + n)); });
    var t = table(['Charger', 'Vendor / model', 'Firmware', 'Booted', 'Latest job']);
    state.fleetFirmware.forEach(function (c) {
      var tr = row([h('span', 'mono', c.chargerId), [c.vendor, c.model].filter(Boolean).join(' ') || '—', orDash(c.firmwareVersion),
        time(c.lastBootAt), jobText(c.latestJob)], 'pick');
      tr.addEventListener('click', function () { select(c.chargerId); });
      add(t.tBodies[0], tr);
    });
    add(box, chips, t);
    var pager = add(h('div', 'pager'), h('span', 'note', state.fleetFirmware.length + ' chargers shown'));
    if (state.firmwareNext !== null && state.fleetFirmware.length < MAX_PAGE) add(pager, button('More', moreFirmware));
    add(box, pager);
  }

  // ---- Tariffs (read-only): every tariff in words, and where each is assigned ------------------------
  // Editing tariffs is the API's (PUT /tariffs/{id}); this view only reads, while it is open.
  function loadTariffs() {
    return Promise.all([read('/tariffs?limit=' + MAX_PAGE), read('/tariff-assignments?limit=' + MAX_PAGE)]).then(function (r) {
      state.tariffs = r[0].tariffs;
      state.moreTariffs = r[0].nextCursor !== null;
      state.assignments = r[1].assignments;
      state.moreAssignments = r[1].nextCursor !== null;
      renderTariffs();
    });
  }
  var SCOPE_WORDS = { default: 'Default (every charger)', charger: 'Charger', id_tag_group: 'Id tag group', site: 'Site' };
  function renderTariffs() {
    var box = $('tariffs');
    box.replaceChildren();
    if (state.tariffs.length === 0) {
      add(box, h('p', 'note', 'No tariff yet: sessions are not priced. Tariffs are set through the API (PUT /api/v1/tariffs/{id}).'));
    } else {
      var t = table(['Tariff', 'Version', 'Currency', 'Prices', 'Text for drivers']);
      t.className = 'tariffs';
      state.tariffs.forEach(function (st) {
        var x = st.tariff;
        var alt = (x.tariff_alt_text || []).map(function (d) { return '[' + d.language + '] ' + d.text; }).join('\n');
        add(t.tBodies[0], row([h('span', 'mono', x.id), x.version + ' (' + time(x.last_updated) + ')', x.currency, tariffText(x), h('span', 'tech', alt || '—')]));
      });
      add(box, t);
      if (state.moreTariffs) add(box, h('p', 'note', 'Showing the first ' + MAX_PAGE + ' tariffs.'));
    }
    add(box, h('h4', null, 'Assignments (most specific first: id tag group, charger, default)'));
    if (state.assignments.length === 0) { add(box, h('p', 'note', 'No tariff is assigned.')); return; }
    var a = table(['Scope', 'For', 'Tariff', 'Since']);
    a.className = 'assignments';
    var order = { id_tag_group: 0, charger: 1, site: 2, default: 3 };
    state.assignments.slice().sort(function (p, q) { return (order[p.scope] - order[q.scope]) || (p.key < q.key ? -1 : p.key > q.key ? 1 : 0); })
      .forEach(function (x) { add(a.tBodies[0], row([SCOPE_WORDS[x.scope] || x.scope, x.scope === 'default' ? '—' : h('span', 'mono', x.key), h('span', 'mono', x.tariffId), time(x.assignedAt)])); });
    add(box, a);
    if (state.moreAssignments) add(box, h('p', 'note', 'Showing the first ' + MAX_PAGE + ' assignments.'));
  }

  // ---- Charge detail records: the CSV of a period, in one click --------------------------------------
  // The export needs the token, which only this page holds: it is fetched with the Authorization header
  // and saved from a Blob. A plain link would need the token in its URL (kept in history and logs).
  function dateInput(d) {
    var pad = function (n) { return (n < 10 ? '0' : '') + n; };
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate());
  }
  /** Local midnight of an input's date; "after" adds a day (the "to" date is included). */
  function fromDateInput(value, after) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (!m) return null;
    return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + (after ? 1 : 0));
  }
  function setupCdrExport() {
    var now = new Date();
    $('cdr-from').value = dateInput(new Date(now.getFullYear(), now.getMonth() - 1, 1)); // last month, by default
    $('cdr-to').value = dateInput(new Date(now.getFullYear(), now.getMonth(), 0));
    $('cdr-form').addEventListener('submit', function (e) {
      e.preventDefault();
      var out = $('cdr-result');
      var from = fromDateInput($('cdr-from').value, false), to = fromDateInput($('cdr-to').value, true);
      if (!from || !to) { show(out, 'bad', 'Choose both dates.'); return; }
      if (to <= from) { show(out, 'bad', 'The end date must not be before the start date.'); return; }
      if (!state.token) { show(out, 'bad', 'Enter an API token first.'); return; }
      var b = $('cdr-download');
      b.disabled = true;
      show(out, 'wait', 'Exporting…');
      fetch(API + '/cdrs?format=csv&from=' + enc(from.toISOString()) + '&to=' + enc(to.toISOString()),
        { headers: { authorization: 'Bearer ' + state.token, accept: 'text/csv' }, cache: 'no-store' })
        .then(function (res) {
          if (!res.ok) {
            return res.text().then(function (text) {
              var json = null;
              try { json = JSON.parse(text); } catch (err) { json = null; }
              throw new Error('HTTP ' + res.status + (json && json.error ? ' ' + json.error.code + ': ' + json.error.message : ''));
            });
          }
          var named = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') || '');
          return res.blob().then(function (blob) { return { blob: blob, name: named ? named[1] : 'cdrs.csv' }; });
        })
        .then(function (file) {
          var url = URL.createObjectURL(new Blob([file.blob], { type: 'text/csv' }));
          var a = h('a');
          a.href = url;
          a.download = file.name;
          document.body.appendChild(a);
          a.click();
          a.remove();
          setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
          show(out, 'ok', 'Saved ' + file.name + ' (' + bytes(file.blob.size) + ').');
        })
        .catch(function (error) { show(out, 'bad', 'Export failed: ' + error.message); })
        .finally(function () { b.disabled = false; });
    });
  }

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
    state.selectedTx = null; state.txDetail = null; state.formsFor = null; state.view = null;
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
      var d = state.txDetail;
      var priced = d && (d.tariff || (d.runningCost && d.runningCost.tariff));
      if (priced && state.tariffVersions[tariffRef(priced)] === undefined) {
        return loadTariffVersion(priced).then(function () { if (state.selectedId === id && state.charger) renderDetail(); });
      }
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
          add(h('section'), h('h3', null, 'Transactions'), h('div', null), h('h3', null, 'Energy'), h('div', 'chart-box'),
            h('h3', null, 'Tariff and cost'), h('div', 'cost-box')),
          add(h('section'), h('h3', null, 'Commands'), commandForms(c))),
        add(h('section', 'views'), h('h3', null, 'Firmware, certificates, logs and reports'), viewTabs(c), h('div', 'view-body')),
        add(h('section'), h('h3', null, 'Message journal (last 50, newest first)'), h('div', 'journal')));
      state.view = null;
      renderView();
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
    renderCost(sections[0].querySelector('.cost-box'));
    renderJournal(detail.querySelector('.journal'));
  }
  function renderTransactions(box) {
    box.replaceChildren();
    if (state.transactions.length === 0) { add(box, h('p', 'note', 'No transactions yet.')); return; }
    var t = table(['Transaction', 'Where', 'Id tag', 'Status', 'Started', 'Stopped', 'Energy', 'Cost', 'Tariff']);
    state.transactions.forEach(function (x) {
      var cls = 'pick' + (x.status === 'active' ? ' active' : '') + (x.transactionId === state.selectedTx ? ' selected' : '');
      var tr = row([h('span', 'mono', x.transactionId), place(x.protocol, x.evseId, x.connectorId), x.idTag || '—',
        x.status + (x.chargingState ? ' (' + x.chargingState + ')' : ''), time(x.startedAt), time(x.stoppedAt), kwh(x.energyWh),
        listCost(x), tariffRef(x.tariff)], cls);
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

  /** The list's cost cell: a completed transaction's total; a running one is priced when it ends. */
  function listCost(x) {
    if (x.cost) return totalText(x.cost);
    if (x.status === 'active') return h('span', 'note', 'priced on end');
    if ((x.flags || []).indexOf('unpriced') >= 0) return h('span', 'warn', 'unpriced');
    return '—';
  }

  // ---- A transaction's tariff and cost: its charging periods, totals per dimension, and what needs a look ----
  /** The tariff version a transaction was priced under, read once (versions never change) to say it in words. */
  function loadTariffVersion(tariff) {
    var key = tariffRef(tariff);
    if (!tariff || state.tariffVersions[key] !== undefined) return Promise.resolve(null);
    state.tariffVersions[key] = null; // asked for: once
    return read('/tariffs/' + enc(tariff.id) + '/versions/' + enc(tariff.version))
      .then(function (json) { state.tariffVersions[key] = json.tariff; }, function () { delete state.tariffVersions[key]; });
  }
  function renderCost(box) {
    box.replaceChildren();
    var tx = state.txDetail;
    if (!state.selectedTx || !tx) { add(box, h('p', 'note', 'Select a transaction to see its tariff and cost.')); return; }
    var cost = tx.cost, tariff = tx.tariff, running = false;
    if (!cost && tx.runningCost) { cost = tx.runningCost.cost; tariff = tx.runningCost.tariff; running = true; }
    var flags = tx.flags || [];
    if (!cost) {
      var why = tx.status === 'active' ? 'Running: priced when it ends (no tariff applies so far, or its price is not known yet).'
        : flags.indexOf('unpriced') >= 0 ? 'Not priced: it ended before its tariff could be resolved.'
        : 'Not priced: no tariff applied when it started.';
      add(box, h('p', 'note', why));
    } else {
      var version = state.tariffVersions[tariffRef(tariff)];
      add(box, add(h('p', 'cost-head'),
        h('strong', 'cost-total', (running ? 'So far ' : 'Total ') + totalText(cost)),
        h('span', 'note', ' · tariff ' + tariffRef(tariff) + (running ? ' (as if it ended now)' : ''))));
      if (version) add(box, h('p', 'note tariff-words', tariffText(version)));
      var periods = table(['Period from', 'Energy', 'Charging', 'Parking']);
      periods.className = 'periods';
      cost.charging_periods.forEach(function (p) {
        var vol = {};
        p.dimensions.forEach(function (d) { vol[d.type] = d.volume; });
        add(periods.tBodies[0], row([time(p.start_date_time) + (p.mixed ? ' (merged)' : ''), kwhOf(vol.ENERGY || 0), hours(vol.TIME || 0), hours(vol.PARKING_TIME || 0)]));
      });
      add(box, periods);
      var totals = table(['', 'Volume', 'Excl. VAT', 'Incl. VAT']);
      totals.className = 'totals';
      var c = cost.currency;
      var line = function (name, volume, price) { add(totals.tBodies[0], row([name, volume, money(price.excl_vat, c), money(price.incl_vat, c)])); };
      line(DIMENSION_WORDS.ENERGY, kwhOf(cost.total_energy), cost.total_energy_cost);
      line(DIMENSION_WORDS.TIME, hours(cost.total_charging_time), cost.total_time_cost);
      line(DIMENSION_WORDS.PARKING_TIME, hours(cost.total_parking_time), cost.total_parking_cost);
      line('Session fee', '', cost.total_fixed_cost);
      line('Total', hours(cost.total_time), cost.total_cost);
      add(box, totals);
      if (cost.total_cost.incl_vat === undefined) add(box, h('p', 'note', 'No total incl. VAT: a price component has no VAT, so the driver pays the total excl. VAT.'));
      (cost.anomalies || []).forEach(function (a) {
        add(box, h('p', 'warn', 'Pricing note: ' + (COST_ANOMALY_WORDS[a.kind] || a.kind) + ' (' + a.count + '×, first at ' + a.first_at + ').'));
      });
    }
    flags.forEach(function (f) { add(box, h('p', 'warn flag', 'Needs a look (' + f + '): ' + (FLAG_WORDS[f] || f) + '.')); });
  }

  // ---- Charger views: read-only, each loaded when its tab is opened, a page at a time -------------
  // These reads copy the charger's waiting facts to D1 first (a call to its object), so they are
  // not polled: "Reload" reads again.
  function named(x) {
    if (!x) return '—';
    var text = String(x.name || '?') + (x.instance ? ' / ' + x.instance : '');
    if (x.evse && typeof x.evse === 'object') text += ' (EVSE ' + x.evse.id + (x.evse.connectorId !== undefined ? ' / ' + x.evse.connectorId : '') + ')';
    return text;
  }
  function hash(x) { return x ? h('code', 'frame', x) : '—'; }
  var VIEWS = [
    { key: 'firmware', title: 'Firmware jobs', path: '/firmware-jobs', list: 'firmwareJobs',
      head: ['Job', 'Action', 'Status', 'Outcome', 'Firmware location', 'Retries', 'Retrieve at', 'Booted version', 'History'],
      cells: function (j) {
        return [j.jobId + (j.requestId !== null ? ' (request ' + j.requestId + ')' : ''), j.action, j.status, j.outcome, hash(j.location),
          j.retries === null ? '—' : j.retries + (j.retryInterval !== null ? ', every ' + j.retryInterval + ' s' : ''),
          time(j.retrieveAt), j.bootedVersion ? j.bootedVersion + ' at ' + time(j.bootedAt) : '—',
          (j.history || []).map(function (x) { return x.status + (x.ignored ? ' (ignored: ' + x.ignored + ')' : ''); }).join(' → ') || '—'];
      } },
    { key: 'certificates', title: 'Certificates', path: '/certificates', list: 'certificates',
      head: ['Type', 'Source', 'Serial number', 'Issuer name hash', 'Issuer key hash', 'Algorithm', 'Sub-CAs', 'Updated'],
      cells: function (c) {
        var d = c.certificateHashData;
        return [c.certificateType, c.source, d ? hash(d.serialNumber) : 'not reported yet', d ? hash(d.issuerNameHash) : '—',
          d ? hash(d.issuerKeyHash) : '—', d ? d.hashAlgorithm : '—', String((c.childCertificateHashData || []).length), time(c.updatedAt)];
      } },
    { key: 'logs', title: 'Log uploads', path: '/logs', list: 'logs',
      head: ['Request', 'Asked', 'Log type', 'Answer', 'Status', 'File'],
      cells: function (l) {
        return [String(l.requestId), l.action + ' at ' + time(l.requestedAt), orDash(l.logType),
          l.answer && l.answer.status ? String(l.answer.status) : '—',
          l.status ? l.status + ' at ' + time(l.statusAt) : '—',
          l.file ? downloadButton(state.selectedId, l) : '—'];
      } },
    { key: 'monitors', title: 'Monitors', path: '/monitors', list: 'monitors', v201: true,
      head: ['Id', 'Component', 'Variable', 'Type', 'Value', 'Severity', 'Reported'],
      cells: function (m) {
        return [String(m.id), named(m.component), named(m.variable), m.type + (m.transaction ? ' (transaction)' : ''),
          String(m.value), String(m.severity), time(m.reportedAt)];
      } },
    { key: 'display', title: 'Display messages', path: '/display-messages', list: 'displayMessages', v201: true,
      head: ['Id', 'Priority', 'State', 'Message', 'From', 'Until', 'Transaction', 'Known from'],
      cells: function (m) {
        var msg = m.message ? orDash(m.message.content) + (m.message.language ? ' [' + m.message.language + ']' : '') : '—';
        return [String(m.id), orDash(m.priority), orDash(m.state), h('span', 'tech', msg), time(m.startDateTime), time(m.endDateTime),
          orDash(m.transactionId), m.source + ' at ' + time(m.since)];
      } },
    { key: 'events', title: 'Events', path: '/events', list: 'events', v201: true,
      head: ['Time', 'Event', 'Component', 'Variable', 'Trigger', 'Value', 'Tech info'],
      cells: function (e) {
        return [time(e.timestamp), e.eventId + ' ' + e.eventNotificationType + (e.cleared ? ' (cleared)' : ''), named(e.component), named(e.variable),
          e.trigger + (e.cause !== null ? ' (cause ' + e.cause + ')' : ''), h('span', 'tech', e.actualValue),
          h('span', 'tech', [e.techCode, e.techInfo].filter(Boolean).join(': ') || '—')];
      } },
    { key: 'customer', title: 'Customer information', path: '/customer-information', list: 'customerInformation', v201: true,
      head: ['Request', 'Data', 'Complete', 'Generated', 'Received'],
      cells: function (x) {
        return [String(x.requestId), h('span', 'tech', x.data || '—'),
          x.complete ? 'yes' : 'no, missing part' + (x.missingSeqNos.length === 1 ? ' ' : 's ') + x.missingSeqNos.join(', '),
          time(x.generatedAt), time(x.receivedAt)];
      } },
  ];
  function viewTabs(charger) {
    var tabs = h('div', 'tabs');
    tabs.setAttribute('role', 'tablist');
    VIEWS.forEach(function (spec) {
      if (spec.v201 && charger.protocol === 'ocpp1.6') return; // 2.0.1 reports: a 1.6 charger has none
      var b = button(spec.title, function () { openView(spec.key); });
      b.setAttribute('role', 'tab');
      b.setAttribute('aria-selected', 'false');
      b.dataset.view = spec.key;
      add(tabs, b);
    });
    return tabs;
  }
  function viewSpec(key) { return VIEWS.filter(function (v) { return v.key === key; })[0]; }
  function openView(key) {
    state.view = { key: key, items: [], next: null, loading: false, error: null };
    loadView(null);
  }
  function loadView(cursor) {
    var id = state.selectedId, view = state.view, spec = viewSpec(view.key);
    view.loading = true;
    renderView();
    read('/chargers/' + enc(id) + spec.path + '?limit=' + VIEW_PAGE + (cursor ? '&cursor=' + enc(cursor) : ''))
      .then(function (json) {
        if (state.view !== view || state.selectedId !== id) return;
        view.items = (cursor ? view.items : []).concat(json[spec.list] || []);
        view.next = json.nextCursor || null;
        view.error = null;
      }, function (error) { view.error = error.message; })
      .finally(function () {
        view.loading = false;
        if (state.view === view && state.selectedId === id) renderView();
      });
  }
  function renderView() {
    var detail = $('detail');
    var body = detail.querySelector('.view-body');
    if (!body) return;
    var view = state.view;
    detail.querySelectorAll('.tabs button').forEach(function (b) { b.setAttribute('aria-selected', String(!!view && b.dataset.view === view.key)); });
    body.replaceChildren();
    if (!view) { add(body, h('p', 'note', 'Open one of these to load it.')); return; }
    var spec = viewSpec(view.key);
    if (view.error) add(body, h('p', 'result bad', spec.title + ': ' + view.error));
    if (view.items.length === 0) {
      add(body, h('p', 'note', view.loading ? 'Loading ' + spec.title.toLowerCase() + '…' : 'Nothing recorded.'));
    } else {
      var t = table(spec.head);
      view.items.forEach(function (item) { add(t.tBodies[0], row(spec.cells(item))); });
      add(body, t);
    }
    var pager = add(h('div', 'pager'), h('span', 'note', view.items.length + ' shown'));
    if (view.next) { var more = button('More', function () { loadView(view.next); }); more.disabled = view.loading; add(pager, more); }
    var again = button('Reload', function () { loadView(null); });
    again.disabled = view.loading;
    add(body, add(pager, again));
  }
  /** The file is fetched with the token (a plain link would carry none) and saved, never shown on this origin. */
  function downloadButton(chargerId, log) {
    return button(log.file.name + ' (' + bytes(log.file.size) + ')', function (b) {
      b.disabled = true;
      fetch(API + '/chargers/' + enc(chargerId) + '/logs/' + enc(log.requestId) + '/file', { headers: { authorization: 'Bearer ' + state.token }, cache: 'no-store' })
        .then(function (res) { if (!res.ok) throw new Error('HTTP ' + res.status); return res.blob(); })
        .then(function (blob) {
          var url = URL.createObjectURL(new Blob([blob], { type: 'application/octet-stream' }));
          var a = h('a');
          a.href = url;
          a.download = log.file.name;
          document.body.appendChild(a);
          a.click();
          a.remove();
          setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
        })
        .catch(function (error) { $('status').textContent = 'Download failed: ' + error.message; })
        .finally(function () { b.disabled = false; });
    });
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
    Promise.all([loadChargers(), loadAlerts(), $('firmware-section').open ? loadFleetFirmware() : null,
      $('tariffs-section').open ? loadTariffs() : null, state.selectedId ? loadSelected() : null])
      .then(function () { $('status').textContent = 'Updated ' + new Date().toLocaleTimeString() + ' · every ' + POLL_MS / 1000 + ' s'; })
      .catch(function (error) { $('status').textContent = 'Update failed: ' + error.message; })
      .finally(function () { busy = false; if (again) { again = false; tick(); } else schedule(); });
  }
  function schedule() { clearTimeout(timer); timer = setTimeout(tick, POLL_MS); }
  document.addEventListener('visibilitychange', function () { if (!document.hidden) refreshNow(); });
  $('firmware-section').addEventListener('toggle', function () { if ($('firmware-section').open) refreshNow(); });
  $('tariffs-section').addEventListener('toggle', function () { if ($('tariffs-section').open) refreshNow(); });
  setupCdrExport();

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
    state.selectedId = null; state.formsFor = null; state.view = null;
    state.alerts = []; state.alerts24h = null; state.fleetFirmware = [];
    state.tariffs = []; state.assignments = []; state.tariffVersions = {};
    $('tariffs').replaceChildren(); $('cdr-result').className = 'result hidden';
    $('chargers').replaceChildren(); $('detail').replaceChildren(); $('status').textContent = '';
    $('alerts').replaceChildren(); $('firmware').replaceChildren(); $('alert-count').textContent = '–';
    showBanner();
  });
  if (location.hash.length > 1) { state.selectedId = decodeURIComponent(location.hash.slice(1)); }
  showBanner();
  refreshNow();
})();
`;
