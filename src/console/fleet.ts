// The console's fleet screen: counts by state (GET /chargers/summary, each a filter), a prefix search,
// filters, a sort and keyset pages of GET /chargers (never the whole fleet: 10,000 chargers is one
// page of 50 at a time). Each row's state is the API's own. A charger that is offline shows its
// connectors as offline (grey), never with the status it last reported (maybe a green "Available").
// The live feed (live.ts) updates the rows and counts in place through applyFleetMessage.

export const FLEET = String.raw`
  var FLEET_PAGE = 50;
  var FLEET_STATES = ['online', 'charging', 'faulted', 'unavailable', 'offline'];
  /** The list's query: filters, sort, and the cursors of the pages before this one (keyset paging). */
  state.fleet = { q: '', state: '', protocol: '', sort: 'id', order: 'asc', cursors: [null], next: null };
  state.summary = null;
  function onlineDot(c) { return h('span', c.connected ? 'dot on' : 'dot', c.connected ? 'online' : 'offline'); }
  /** The API's state of a listed charger, in words and colour. */
  function stateDot(c) { var s = c.state || (c.connected ? 'online' : 'offline'); return h('span', 'dot st-' + s + (s === 'offline' ? '' : ' on'), s); }
  function chip(text, status) {
    return h('span', 'chip s-' + String(status || 'Unknown').toLowerCase(), text);
  }
  /** Its connectors' statuses while it is connected; while it is not, each is offline, its last report in words. */
  function connectorChips(charger) {
    var box = h('span', 'chips');
    (charger.connectors || []).forEach(function (c) {
      var where = place(charger.protocol, c.evseId, c.connectorId);
      if (!charger.connected) {
        var last = h('span', 'chip s-offline', where + ': offline');
        last.title = 'Last reported ' + c.status + (c.reportedAt ? ' at ' + time(c.reportedAt) : '') + ', before the charger went offline';
        add(box, last);
        return;
      }
      var text = where + ': ' + c.status;
      if (c.errorCode && c.errorCode !== 'NoError') text += ' (' + c.errorCode + ')';
      add(box, chip(text, c.status));
    });
    return box;
  }
  function fleetQuery() {
    var f = state.fleet;
    var q = '/chargers?limit=' + FLEET_PAGE;
    if (f.q) q += '&q=' + enc(f.q);
    if (f.state) q += '&state=' + enc(f.state);
    if (f.protocol) q += '&protocol=' + enc(f.protocol);
    if (f.sort !== 'id') q += '&sort=' + enc(f.sort);
    if (f.order !== 'asc') q += '&order=' + enc(f.order);
    var cursor = pageCursor(f);
    return cursor ? q + '&cursor=' + enc(cursor) : q;
  }
  /** One page of the list and the fleet's counts. */
  function loadChargers() {
    var query = fleetQuery();
    return Promise.all([read(query), read('/chargers/summary')]).then(function (r) {
      if (query !== fleetQuery()) return; // the operator changed the filters meanwhile
      state.chargers = r[0].chargers;
      state.fleet.next = r[0].nextCursor || null;
      state.summary = r[1].summary;
      renderSummary();
      renderChargers();
    });
  }
  /** The filters changed: back to the first page, read now. */
  function refilter() {
    var f = state.fleet;
    f.q = $('fleet-q').value.trim(); f.state = $('fleet-state').value; f.protocol = $('fleet-protocol').value;
    f.sort = $('fleet-sort').value; f.order = $('fleet-order').value;
    f.cursors = [null]; f.next = null;
    refreshNow();
  }
  var typing = null;
  $('fleet-q').addEventListener('input', function () { clearTimeout(typing); typing = setTimeout(refilter, 300); });
  ['fleet-state', 'fleet-protocol', 'fleet-sort', 'fleet-order'].forEach(function (id) { $(id).addEventListener('change', refilter); });
  $('fleet-filter').addEventListener('submit', function (e) { e.preventDefault(); clearTimeout(typing); refilter(); });
  /** The counts by state; each is a button that filters the list by it (again: all states). */
  function renderSummary() {
    var box = $('fleet-summary');
    box.replaceChildren();
    var s = state.summary;
    if (!s) return;
    var pick = function (value) { return function () { $('fleet-state').value = state.fleet.state === value ? '' : value; refilter(); }; };
    var all = button('All ' + s.total, pick(''));
    all.setAttribute('aria-pressed', String(!state.fleet.state));
    add(box, all);
    FLEET_STATES.forEach(function (name) {
      var b = button(name + ' ' + ((s.byState && s.byState[name]) || 0), pick(name));
      b.className = 'count st-' + name;
      b.setAttribute('aria-pressed', String(state.fleet.state === name));
      add(box, b);
    });
  }
  function renderChargers() {
    var box = $('chargers');
    box.replaceChildren();
    var f = state.fleet;
    var filtered = f.q || f.state || f.protocol;
    if (state.chargers.length === 0) {
      add(box, h('p', 'note', filtered ? 'No charger matches.' : 'No charger has connected or been registered yet.'));
    } else {
      var t = table(['State', 'Charger', 'OCPP', 'Firmware', 'Connectors'], 'fleet cards');
      state.chargers.forEach(function (c) {
        var tr = row([
          stateDot(c),
          link(c.id, chargerHash(c.id), 'mono'),
          version(c.protocol),
          (c.boot && c.boot.firmwareVersion) || '—',
          connectorChips(c),
        ], c.id === state.selectedId ? 'pick selected' : 'pick');
        // The whole row leads to the charger; the link in it is what the keyboard reaches.
        tr.addEventListener('click', function (e) { if (e.target.tagName !== 'A') location.hash = chargerHash(c.id); });
        add(t.tBodies[0], tr);
      });
      add(box, scroller(t));
    }
    renderPager($('fleet-pager'), f, state.chargers.length || null, refreshNow);
  }

  // ---- Live updates (live.ts): a listed charger changes in place; counts follow its state -------
  function fleetCharger(id) { return state.chargers.filter(function (c) { return c.id === id; })[0]; }
  /** The state the API would derive (README "Find a charger among thousands"), from what the feed says. */
  function derivedState(c, before) {
    if (!c.connected) return 'offline';
    var cs = c.connectors || [];
    if (cs.some(function (x) { return x.status === 'Faulted'; })) return 'faulted';
    if (c.running === undefined ? before === 'charging' : c.running) return 'charging';
    if (cs.length && cs.every(function (x) { return x.status === 'Unavailable'; })) return 'unavailable';
    return 'online';
  }
  var fleetTimer = null;
  /** A charger not on this page changed: re-read the page and counts once, within a second. */
  function fleetSoon() { if (!fleetTimer) fleetTimer = setTimeout(function () { fleetTimer = null; if (state.screen === 'fleet') refreshNow(); }, 1000); }
  function applyFleetMessage(m) {
    var c = fleetCharger(m.chargerId);
    if (!c) { fleetSoon(); return; }
    var before = c.state;
    if (m.type === 'charger.connected') { c.connected = true; c.protocol = m.protocol || c.protocol; }
    else if (m.type === 'charger.disconnected') c.connected = false;
    else if (m.type === 'charger.boot') {
      c.boot = Object.assign({}, c.boot, { vendor: m.vendor, model: m.model, firmwareVersion: m.firmwareVersion, serialNumber: m.serialNumber });
      c.registrationStatus = m.registrationStatus;
    } else if (m.type === 'connector.status') {
      var evse = m.evseId === undefined ? null : m.evseId;
      var x = (c.connectors || []).filter(function (k) { return (k.evseId === undefined ? null : k.evseId) === evse && k.connectorId === m.connectorId; })[0];
      if (!x) { x = { evseId: evse, connectorId: m.connectorId }; c.connectors = (c.connectors || []).concat([x]); }
      x.status = m.status; x.errorCode = m.errorCode; x.reportedAt = m.timestamp || m.at;
    } else if (m.type === 'transaction.started') c.running = true;
    else if (m.type === 'transaction.ended') c.running = false;
    else return;
    c.lastSeen = m.at;
    c.state = derivedState(c, before);
    var counts = state.summary && state.summary.byState;
    if (counts && before && before !== c.state) { counts[before] = Math.max(0, (counts[before] || 0) - 1); counts[c.state] = (counts[c.state] || 0) + 1; }
    if (state.screen === 'fleet') { renderSummary(); renderChargers(); }
  }
`;
