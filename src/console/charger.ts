// The console's charger screen (#/chargers/{id}): live state and connectors (offline shown as offline),
// boot facts, transactions with their energy and cost, the meter chart, commands and the queued ones,
// charging profiles and the composite schedule, the tabs (configuration, reservations, jobs,
// certificates, reports), and the message journal. The layout is built once per charger and protocol, so
// forms keep what is typed in them while each poll refreshes the rest.

export const CHARGER = String.raw`
  /** Shows a charger (the router calls it for #/chargers/{id}). */
  function selectCharger(id) {
    if (state.selectedId === id) return;
    state.selectedId = id;
    state.charger = null; state.transactions = []; state.messages = []; state.queued = [];
    state.selectedTx = null; state.txDetail = null; state.formsFor = null; state.view = null;
    $('detail').replaceChildren(h('p', 'note', 'Loading ' + id + '…'));
  }
  function loadSelected() {
    var id = state.selectedId;
    var base = '/chargers/' + enc(id);
    var tx = state.selectedTx;
    var needTx = tx && (!state.txDetail || state.txDetail.status === 'active');
    return Promise.all([
      read(base).catch(function (error) {
        if (error.status === 404 && state.selectedId === id) { // gone, or a stale link: say so
          state.selectedId = null;
          $('detail').replaceChildren(add(h('p', 'note', 'No charger ' + id + '. '), link('Back to the fleet', '#/fleet')));
        }
        throw error;
      }),
      read('/transactions?chargerId=' + enc(id) + '&limit=20'),
      read(base + '/messages?limit=50'),
      needTx ? read(base + '/transactions/' + enc(tx)) : Promise.resolve(null),
      // Queued commands live in the charger's object; one that fails to read leaves the rest shown.
      read(base + '/commands?limit=20').catch(function () { return null; }),
    ]).then(function (r) {
      if (state.selectedId !== id) return; // the operator picked another charger meanwhile
      state.charger = r[0].charger;
      state.transactions = r[1].transactions;
      state.messages = r[2].messages;
      if (r[3] && state.selectedTx === tx) state.txDetail = r[3].transaction;
      if (r[4]) state.queued = r[4].commands;
      renderDetail();
      // Without the live feed (polling), an open job tab is read with each poll; with it, on job.status (live.ts).
      if (!liveOpen()) reloadView(['firmware', 'logs']);
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
    if (state.formsFor !== key) {
      state.formsFor = key;
      detail.replaceChildren(
        add(h('div', 'head'), h('h2', 'mono', c.id), h('span', null, ''), h('div', 'facts')),
        add(h('div', 'cols'),
          add(h('section'), h('h3', null, 'Transactions'), h('p', 'live-meter note hidden'), h('div', 'tx-box'), h('h3', null, 'Energy'), h('div', 'chart-box'),
            h('h3', null, 'Tariff and cost'), h('div', 'cost-box')),
          add(h('section', 'command-section'), h('h3', null, 'Commands'), commandForms(c),
            h('h3', null, 'Queued commands (newest first)'), h('div', 'queued-box'))),
        add(h('section', 'charging-section'), h('h3', null, 'Charging profiles and schedule'), c.protocol ? chargingPanel(c) : h('p', 'note', 'Known once the charger has connected.')),
        add(h('section', 'views'), h('h3', null, 'Configuration, reservations, firmware, logs, certificates and reports'), viewTabs(c), h('div', 'view-body')),
        h('section', 'local-list-box'),
        add(h('section'), h('h3', null, 'Message journal (last 50, newest first)'), h('div', 'journal')));
      state.view = null;
      renderView();
      localListPanel(detail.querySelector('.local-list-box'), c);
    }
    var head = detail.querySelector('.head');
    head.children[1].replaceWith(onlineDot(c));
    head.querySelector('.facts').replaceChildren(
      h('span', null, 'OCPP ' + version(c.protocol)),
      h('span', null, 'firmware ' + ((c.boot && c.boot.firmwareVersion) || '—')),
      h('span', null, [c.boot && c.boot.vendor, c.boot && c.boot.model].filter(Boolean).join(' ') || 'vendor —'),
      h('span', null, 'boot ' + (c.registrationStatus || '—') + ' at ' + time(c.lastBootAt)),
      h('span', null, 'last seen ' + time(c.lastSeen)),
      connectorChips(c));
    renderTransactions(detail.querySelector('.tx-box'));
    var shown = state.selectedTx ? state.txDetail : null;
    renderChart(detail.querySelector('.chart-box'), shown, state.selectedTx);
    renderCost(detail.querySelector('.cost-box'), shown);
    renderQueued(detail.querySelector('.queued-box'));
    renderJournal(detail.querySelector('.journal'));
  }
`;
