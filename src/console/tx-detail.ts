// The console's transaction screen (#/transactions/{chargerId}/{transactionId}): one transaction that
// can be linked to — where and by whom, its energy and registers, its flags in words, the meter chart
// of its first page of readings, and its tariff and cost (so far, while it runs).

export const TX_DETAIL = String.raw`
  var TX_VALUES = 500; // meter values charted: the API's largest page
  /** Shows a transaction (the router calls it for #/transactions/{chargerId}/{transactionId}). */
  function selectTxView(chargerId, transactionId) {
    var v = state.txView;
    if (v && v.chargerId === chargerId && v.transactionId === transactionId) return;
    state.txView = { chargerId: chargerId, transactionId: transactionId, tx: null, more: false };
    $('tx-detail').replaceChildren(h('p', 'note', 'Loading transaction ' + transactionId + ' of ' + chargerId + '…'));
  }
  function loadTxView() {
    var v = state.txView;
    if (!v) return null;
    // A completed transaction never changes: read once. A running one is read again with each refresh.
    if (v.tx && v.tx.status === 'completed') return null;
    return read('/chargers/' + enc(v.chargerId) + '/transactions/' + enc(v.transactionId) + '?limit=' + TX_VALUES).then(function (json) {
      if (state.txView !== v) return;
      v.tx = json.transaction; v.more = json.nextCursor !== null;
      renderTxView();
      var priced = v.tx.tariff || (v.tx.runningCost && v.tx.runningCost.tariff);
      if (priced && state.tariffVersions[tariffRef(priced)] === undefined) {
        return loadTariffVersion(priced).then(function () { if (state.txView === v) renderTxView(); });
      }
    }, function (error) {
      if (state.txView !== v || error.status !== 404) throw error;
      $('tx-detail').replaceChildren(add(h('p', 'note', 'No transaction ' + v.transactionId + ' at charger ' + v.chargerId + '. '), link('Back to the transactions', '#/transactions')));
    });
  }
  function fact(name, value) { return add(h('div', 'fact'), h('dt', null, name), value instanceof Node ? add(h('dd'), value) : h('dd', null, value)); }
  function renderTxView() {
    var v = state.txView, tx = v.tx;
    var box = $('tx-detail');
    var chart = h('div', 'chart-box'), cost = h('div', 'cost-box');
    box.replaceChildren();
    add(box,
      add(h('div', 'head'), h('h2', 'mono', 'Transaction ' + tx.transactionId), h('span', 'note', txStatus(tx))),
      add(h('p'), link('← Transactions', '#/transactions'), h('span', null, ' · '), link('Charger ' + tx.chargerId, chargerHash(tx.chargerId), 'mono')),
      add(h('dl', 'tx-facts'),
        fact('Where', place(tx.protocol, tx.evseId, tx.connectorId) + ' · OCPP ' + version(tx.protocol)),
        fact('Id tag', (tx.idTag || '—') + (tx.idTagStatus ? ' (' + tx.idTagStatus + ')' : '') + (tx.stopIdTag && tx.stopIdTag !== tx.idTag ? ', stopped by ' + tx.stopIdTag : '')),
        fact('Started', time(tx.startedAt)),
        fact('Stopped', tx.stoppedAt ? time(tx.stoppedAt) + (tx.stopReason ? ' (' + tx.stopReason + ')' : '') : '—'),
        fact('Energy', kwh(tx.energyWh) + (tx.status === 'active' ? ' so far' : '')),
        // OCPP 2.1 bidirectional charging: only where the charger reports an export register, or the EV sent V2X needs.
        tx.energyExportWh !== null && tx.energyExportWh !== undefined ? fact('Energy exported', kwh(tx.energyExportWh) + (tx.status === 'active' ? ' so far' : '')) : null,
        tx.v2x && tx.v2x.chargingNeeds ? fact('EV energy transfer', String(tx.v2x.chargingNeeds.requestedEnergyTransfer) +
          (tx.v2x.allowedEnergyTransfer ? ' (allowed: ' + tx.v2x.allowedEnergyTransfer.join(', ') + ')' : '')) : null,
        fact('Meter', (tx.meterStartWh === null ? '—' : tx.meterStartWh + ' Wh') + ' → ' + (tx.meterStopWh === null ? '—' : tx.meterStopWh + ' Wh')),
        fact('Flags', flagCell(tx.flags))),
      h('h3', null, 'Energy'), chart,
      v.more ? h('p', 'note', 'The chart shows the first ' + TX_VALUES + ' meter values.') : null,
      h('h3', null, 'Tariff and cost'), cost);
    renderChart(chart, tx, null);
    renderCost(cost, tx);
    (tx.anomalies || []).forEach(function (a) {
      add(box, h('p', 'note', 'Recorded ' + time(a.receivedAt) + ' (' + a.kind + '): ' + (FLAG_WORDS[a.kind] || a.kind) + '.'));
    });
  }
`;
