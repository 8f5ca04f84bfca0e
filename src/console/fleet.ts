// The console's fleet screen: every charger with whether it is online, its OCPP version, firmware and
// connectors. A charger that is offline shows its connectors as offline (grey), never with the status
// it last reported, which may be a green "Available" from before it went away.

export const FLEET = String.raw`
  function onlineDot(c) { return h('span', c.connected ? 'dot on' : 'dot', c.connected ? 'online' : 'offline'); }
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
  function loadChargers() {
    return read('/chargers?limit=' + MAX_PAGE).then(function (json) {
      state.chargers = json.chargers;
      state.moreChargers = json.nextCursor !== null;
      renderChargers();
    });
  }
  function renderChargers() {
    var box = $('chargers');
    box.replaceChildren();
    if (state.chargers.length === 0) { add(box, h('p', 'note', 'No charger has connected or been registered yet.')); return; }
    var t = table(['', 'Charger', 'OCPP', 'Firmware', 'Connectors'], 'fleet cards');
    state.chargers.forEach(function (c) {
      var tr = row([
        onlineDot(c),
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
    if (state.moreChargers) add(box, h('p', 'note', 'Showing the first ' + MAX_PAGE + ' chargers.'));
  }
`;
