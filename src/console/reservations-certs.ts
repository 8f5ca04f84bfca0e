// The charger screen's reservations and certificates tabs. Reservations: the charger's reservations
// (status, expiry, tag), a form to make one (ReserveNow) and Cancel on each active one
// (CancelReservation), the charger's answer shown. Certificates: what the charger reported installed
// (GetInstalledCertificateIds asked from here), and the CSMS's own trust roots (GET /trust-roots).

export const RESERVATIONS_CERTS = String.raw`
  var RESERVATION_MINUTES = 30;
  tabView({ key: 'reservations', title: 'Reservations', mount: function (body, chargerId) {
    var v16 = state.charger && state.charger.protocol === 'ocpp1.6';
    var where = v16 ? 'Connector' : 'EVSE';
    return jobTab(body, chargerId, {
      path: '/reservations', list: 'reservations', formTitle: 'Reserve (ReserveNow)', startLabel: 'Reserve',
      fields: function () {
        return [[v16 ? 'idTag' : 'idToken (ISO14443)', valueInput('tag')], [where + (v16 ? ' (0: any)' : ' (empty: any)'), valueInput('where', 'text', '1')],
          ['Minutes until it expires', valueInput('minutes', 'number', String(RESERVATION_MINUTES))]];
      },
      build: function (f) {
        var tag = required(f.tag, v16 ? 'idTag' : 'idToken');
        var expires = new Date(Date.now() + int(f.minutes, 'Minutes', 1) * 60000).toISOString();
        var id = Math.floor(Math.random() * 2147483646) + 1;
        if (v16) return { action: 'ReserveNow', payload: { connectorId: int(f.where, where, 0), expiryDate: expires, idTag: tag, reservationId: id } };
        var payload = { id: id, expiryDateTime: expires, idToken: { idToken: tag, type: 'ISO14443' } };
        if (f.where !== '') payload.evseId = int(f.where, where, 1);
        return { action: 'ReserveNow', payload: payload };
      },
      card: function (r, reload) {
        var at = r.protocol === 'ocpp1.6' ? (r.connectorId === 0 ? 'any connector' : 'connector ' + r.connectorId) : r.evseId !== null ? 'EVSE ' + r.evseId : 'any EVSE';
        var head = add(h('p', 'job-head'), h('strong', null, 'Reservation ' + r.reservationId), document.createTextNode(' · ' + at + ' · tag '),
          h('code', null, r.idTag), document.createTextNode(' · '), h('span', 'chip outcome', r.status),
          document.createTextNode(' · expires ' + time(r.expiresAt) + (r.transactionId ? ' · used by transaction ' + r.transactionId : '')));
        var card = add(h('div', 'job r-' + r.status), head);
        card.dataset.reservation = String(r.reservationId);
        if (r.status !== 'active') return card;
        var answer = h('span', 'note');
        answer.setAttribute('aria-live', 'polite');
        var cancel = button('Cancel reservation ' + r.reservationId, function () {
          cancel.disabled = true;
          answer.textContent = 'Sending CancelReservation…';
          commandCall(chargerId, 'CancelReservation', { reservationId: r.reservationId }).then(function (out) {
            cancel.disabled = false;
            answer.textContent = out.ok ? 'CancelReservation: ' + out.result.status : 'CancelReservation was not sent: ' + out.message;
            if (out.ok) reload();
          });
        });
        if (!mayCommand()) cancel.disabled = true;
        return add(card, add(h('p', 'pager'), cancel, answer));
      },
    });
  } }, 'firmware');

  // ---- Certificates: the charger's, and the CSMS's trust roots ------------------------------------
  var CERTIFICATE_TABLE = viewSpec('certificates');
  tabView({ key: 'certificates', title: 'Certificates', mount: function (body, chargerId) {
    var v16 = state.charger && state.charger.protocol === 'ocpp1.6';
    var line = h('p', 'note editor-status');
    line.setAttribute('aria-live', 'polite');
    var ask = button('Ask the charger (GetInstalledCertificateIds)', function () {
      ask.disabled = true;
      commandCall(chargerId, 'GetInstalledCertificateIds', v16 ? { certificateType: 'CentralSystemRootCertificate' } : {}).then(function (out) {
        ask.disabled = false;
        line.textContent = out.ok ? 'GetInstalledCertificateIds: ' + out.result.status + ' at ' + clock(new Date().toISOString()) + '.'
          : 'GetInstalledCertificateIds was not sent: ' + out.message + '.';
        load();
      });
    });
    if (!mayCommand()) ask.disabled = true;
    var mine = h('div', 'charger-certs'), roots = h('div', 'trust-roots');
    add(body, add(h('div', 'editor-bar'), ask, button('Reload', function () { load(); })), line,
      h('h4', null, 'Installed on the charger (as it reported them)'), mine,
      h('h4', null, 'This CSMS\'s trust roots (ISO 15118 V2G / mobility-operator roots, GET /trust-roots)'), roots);
    function load() {
      return Promise.all([
        read('/chargers/' + enc(chargerId) + '/certificates?limit=' + MAX_PAGE).then(function (json) {
          var t = table(CERTIFICATE_TABLE.head);
          json.certificates.forEach(function (c) { add(t.tBodies[0], row(CERTIFICATE_TABLE.cells(c))); });
          mine.replaceChildren(json.certificates.length ? scroller(t) : h('p', 'note', 'None reported: ask the charger.'));
        }),
        read('/trust-roots').then(function (json) {
          var t = table(['Id', 'Kind', 'Subject', 'SHA-256 fingerprint', 'Valid from', 'Valid until']);
          json.trustRoots.forEach(function (r) {
            add(t.tBodies[0], row([h('span', 'mono', r.id), r.kind, h('span', 'tech', r.subject), hash(r.fingerprint), time(r.notBefore), time(r.notAfter)]));
          });
          roots.replaceChildren(json.trustRoots.length ? scroller(t) : h('p', 'note', 'No trust root configured (PUT /trust-roots/{id}, admin).'));
        }),
      ]).catch(function (error) { line.textContent = 'Reading the certificates failed: ' + error.message; });
    }
    load();
    return { reload: load };
  } }, 'certificates');
`;
