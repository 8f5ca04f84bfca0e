// The console's fleet-wide alerts and firmware screens: the latest critical security events (A04),
// counted for the last 24 hours in the navigation's badge (read again when the live feed brings one),
// and which charger runs which firmware with its latest firmware job (L01–L04).

export const ALERTS_FIRMWARE = String.raw`
  var ALERT_PAGE = 10, ALERT_COUNT_MAX = 100;
  var FIRMWARE_PAGE = 50;

  // ---- Security alerts: newest first. Each poll re-reads as many as are shown, so a page added by
  // "More" stays in place as new ones come. Other screens read only the badge's count.
  function loadAlerts() {
    var shown = state.alertsShown, full = state.screen === 'alerts';
    var since = new Date(Date.now() - DAY_MS).toISOString();
    return Promise.all([
      full ? read('/security-events?critical=true&limit=' + Math.min(shown, MAX_PAGE)) : null,
      read('/security-events?critical=true&limit=' + ALERT_COUNT_MAX + '&from=' + enc(since)),
    ]).then(function (r) {
      state.alerts24h = r[1].securityEvents.length + (r[1].nextCursor !== null ? '+' : '');
      if (full && shown === state.alertsShown) { // unless "More" changed the page meanwhile
        state.alerts = r[0].securityEvents;
        state.alertsNext = r[0].nextCursor;
      }
      renderAlerts();
    });
  }
  /** A critical security event came on the live feed: within a second, read that charger's alerts
   *  (a read naming the charger copies its waiting facts to D1 first), then the badge and list again. */
  var alertsFrom = [], alertsTimer = null;
  function alertArrived(chargerId) {
    if (alertsFrom.indexOf(chargerId) < 0) alertsFrom.push(chargerId);
    if (alertsTimer) return;
    alertsTimer = setTimeout(function () {
      var ids = alertsFrom;
      alertsTimer = null; alertsFrom = [];
      Promise.all(ids.map(function (id) { return read('/security-events?critical=true&limit=1&chargerId=' + enc(id)); }))
        .then(loadAlerts)
        .catch(function (error) { $('status').textContent = 'Reading alerts failed: ' + error.message; });
    }, 1000);
  }
  // ---- "More" for a list kept in state[o.list] (with state[o.shown] and state[o.next]): reads the
  // next page of o.path (its items under o.key), adds it and draws the screen again with o.render.
  function morePage(b, o) {
    b.disabled = true;
    read(o.path + '&cursor=' + enc(state[o.next])).then(function (json) {
      state[o.list] = state[o.list].concat(json[o.key]);
      state[o.shown] = state[o.list].length;
      state[o.next] = json.nextCursor;
      o.render();
    }).catch(function (error) { b.disabled = false; $('status').textContent = 'Loading more ' + o.what + ' failed: ' + error.message; });
  }
  /** The line under such a list: what is shown, and "More" while there is more (up to MAX_PAGE). */
  function morePager(box, items, next, text, more) {
    var pager = add(h('div', 'pager'), h('span', 'note', text));
    if (next !== null && items.length < MAX_PAGE) add(pager, button('More', more));
    add(box, pager);
  }
  function moreAlerts(b) {
    morePage(b, { path: '/security-events?critical=true&limit=' + ALERT_PAGE, key: 'securityEvents', list: 'alerts',
      shown: 'alertsShown', next: 'alertsNext', render: renderAlerts, what: 'alerts' });
  }
  function renderAlerts() {
    var badge = $('alert-count');
    badge.textContent = state.alerts24h === null ? '–' : state.alerts24h;
    badge.className = state.alerts24h === null || state.alerts24h === '0' ? 'badge none' : 'badge';
    badge.title = 'Critical security events in the last 24 hours: ' + badge.textContent;
    var box = $('alerts');
    box.replaceChildren();
    if (state.alerts.length === 0) { add(box, h('p', 'note', 'No critical security event reported.')); return; }
    var t = table(['Time', 'Charger', 'Event', 'Tech info'], 'alerts');
    state.alerts.forEach(function (a) {
      var tr = row([time(a.timestamp || a.receivedAt), link(a.chargerId, chargerHash(a.chargerId), 'mono'), h('span', null, a.type), h('span', 'tech', orDash(a.techInfo))]);
      tr.children[2].className = 'type';
      tr.title = 'Received ' + time(a.receivedAt);
      add(t.tBodies[0], tr);
    });
    add(box, scroller(t));
    morePager(box, state.alerts, state.alertsNext, state.alerts.length + ' shown, newest first', moreAlerts);
  }

  // ---- Fleet firmware ---------------------------------------------------------------------------
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
    morePage(b, { path: '/firmware?limit=' + FIRMWARE_PAGE, key: 'chargers', list: 'fleetFirmware',
      shown: 'firmwareShown', next: 'firmwareNext', render: renderFleetFirmware, what: 'firmware' });
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
      add(t.tBodies[0], row([link(c.chargerId, chargerHash(c.chargerId), 'mono'), [c.vendor, c.model].filter(Boolean).join(' ') || '—',
        orDash(c.firmwareVersion), time(c.lastBootAt), jobText(c.latestJob)]));
    });
    add(box, chips, scroller(t));
    morePager(box, state.fleetFirmware, state.firmwareNext, state.fleetFirmware.length + ' chargers shown', moreFirmware);
  }
`;
