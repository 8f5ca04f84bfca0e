// The console's tabs of one charger: the read-only views (connections, status history and security
// events; the 2.0.1 monitors, display messages, events and customer information; 2.1 event streams; the certificates' table), each loaded when its tab is opened,
// a page at a time. These reads copy the charger's waiting facts to D1 first (a call to its object),
// so they are not polled: "Reload" reads again. A tab whose spec has `mount(body, chargerId)` (the
// editors and job tabs: config-editor.ts, device-model.ts, charger-jobs.ts, reservations-certs.ts)
// builds its own content once and returns { reload }; a list tab's `empty` says what an empty list means, its
// `note` what the list is. Also the log file download they use.

export const CHARGER_VIEWS = String.raw`
  function named(x) {
    if (!x) return '—';
    var text = String(x.name || '?') + (x.instance ? ' / ' + x.instance : '');
    if (x.evse && typeof x.evse === 'object') text += ' (EVSE ' + x.evse.id + (x.evse.connectorId !== undefined ? ' / ' + x.evse.connectorId : '') + ')';
    return text;
  }
  function hash(x) { return x ? h('code', 'frame', x) : '—'; }
  var VIEW_PAGE = 20;
  var VIEWS = [
    { key: 'certificates', title: 'Certificates', path: '/certificates', list: 'certificates',
      head: ['Type', 'Source', 'Serial number', 'Issuer name hash', 'Issuer key hash', 'Algorithm', 'Sub-CAs', 'Updated'],
      cells: function (c) {
        var d = c.certificateHashData;
        return [c.certificateType, c.source, d ? hash(d.serialNumber) : 'not reported yet', d ? hash(d.issuerNameHash) : '—',
          d ? hash(d.issuerKeyHash) : '—', d ? d.hashAlgorithm : '—', String((c.childCertificateHashData || []).length), time(c.updatedAt)];
      } },
    { key: 'monitors', title: 'Monitors', path: '/monitors', list: 'monitors', v201: true,
      head: ['Id', 'Component', 'Variable', 'Type', 'Value', 'Severity', 'Known from'],
      cells: function (m) {
        return [String(m.id), named(m.component), named(m.variable), m.type + (m.transaction ? ' (transaction)' : ''),
          String(m.value), m.severity === null ? '—' : String(m.severity), m.source + ' at ' + time(m.reportedAt)];
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
    // 2.1: the periodic event streams it opened (values: GET /chargers/{id}/event-streams/{streamId}/values).
    { key: 'streams', title: 'Event streams', path: '/event-streams', list: 'eventStreams', only: ['ocpp2.1'],
      head: ['Stream', 'State', 'Monitor', 'Watches', 'Interval / values', 'Opened', 'Closed'],
      cells: function (x) {
        var watches = x.monitor ? named(x.monitor.component) + ' · ' + named(x.monitor.variable) : '—';
        var rate = (x.params.interval !== undefined ? x.params.interval + ' s' : '—') + ' / ' + (x.params.values !== undefined ? String(x.params.values) : '—');
        return [String(x.streamId), x.state + (x.announced ? '' : ' (values before any open)'), x.variableMonitoringId === null ? '—' : String(x.variableMonitoringId),
          watches, rate, time(x.openedAt || x.firstUnannouncedAt), x.closedAt ? time(x.closedAt) + ' (' + x.closedBy + ')' : '—'];
      } },
    // Any version: when it connected and dropped, what its connectors reported, its security events.
    { key: 'connections', title: 'Connections', path: '/connections', list: 'connections',
      head: ['Time', 'Event', 'Reason'],
      cells: function (x) { return [time(x.at), x.event, orDash(x.reason)]; } },
    { key: 'statuses', title: 'Status history', path: '/status-history', list: 'statuses',
      head: ['Reported', 'Where', 'Status', 'Error code', 'Info'],
      cells: function (x) { return [time(x.reportedAt), x.evseId + ' / ' + x.connectorId, x.status, orDash(x.errorCode), h('span', 'tech', orDash(x.info))]; } },
    { key: 'security', title: 'Security events', url: function (id) { return '/security-events?chargerId=' + enc(id) + '&'; }, list: 'securityEvents',
      head: ['Time', 'Event', 'Critical', 'Tech info'],
      cells: function (x) { return [time(x.timestamp || x.receivedAt), h('span', null, x.type), x.critical ? 'yes' : 'no', h('span', 'tech', orDash(x.techInfo))]; } },
  ];
  function viewTabs(charger) {
    var tabs = h('div', 'tabs');
    tabs.setAttribute('role', 'tablist');
    VIEWS.forEach(function (spec) {
      if (spec.v201 && charger.protocol === 'ocpp1.6') return; // 2.0.1 reports: a 1.6 charger has none
      if (spec.only && spec.only.indexOf(charger.protocol) < 0) return; // an editor of some versions' messages
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
    state.view = { key: key, items: [], next: null, loading: false, error: null, mounted: null };
    if (viewSpec(key).mount) renderView(); else loadView(null);
  }
  /** The open tab, when its key is one of keys, reads again (the live feed said its subject changed). */
  function reloadView(keys) {
    var view = state.view;
    if (!view || keys.indexOf(view.key) < 0) return;
    if (view.mounted) view.mounted.reload(); else if (!view.loading) loadView(null);
  }
  function loadView(cursor) {
    var id = state.selectedId, view = state.view, spec = viewSpec(view.key);
    view.loading = true;
    renderView();
    read((spec.url ? spec.url(id) : '/chargers/' + enc(id) + spec.path + '?') + 'limit=' + VIEW_PAGE + (cursor ? '&cursor=' + enc(cursor) : ''))
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
    if (view && view.mounted) return; // a mounted tab renders itself
    body.replaceChildren();
    if (!view) { add(body, h('p', 'note', 'Open one of these to load it.')); return; }
    var spec = viewSpec(view.key);
    if (spec.mount) { view.mounted = spec.mount(body, state.selectedId); return; }
    if (spec.note) add(body, h('p', 'note', spec.note));
    if (view.error) add(body, h('p', 'result bad', spec.title + ': ' + view.error));
    if (view.items.length === 0) {
      // A read that failed says so above: "nothing recorded" would claim what it could not read.
      if (view.loading || !view.error) add(body, h('p', 'note', view.loading ? 'Loading ' + spec.title.toLowerCase() + '…' : spec.empty || 'Nothing recorded.'));
    } else {
      var t = table(spec.head);
      view.items.forEach(function (item) { add(t.tBodies[0], row(spec.cells(item))); });
      add(body, scroller(t));
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
        .then(function (blob) { saveBlob(blob, log.file.name, 'application/octet-stream'); })
        .catch(function (error) { $('status').textContent = 'Download failed: ' + error.message; })
        .finally(function () { b.disabled = false; });
    });
  }

`;
