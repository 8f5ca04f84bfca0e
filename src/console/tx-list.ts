// The console's transactions screen (#/transactions): the fleet's transactions filtered by charger, id
// tag, state, start date and flags (GET /transactions does the filtering), paged newest first by
// the API's keyset cursor, each linking to its own screen, and the filtered list saved as CSV in one
// click (the same query with format=csv, streamed by the API however long the list).

export const TX_LIST = String.raw`
  var TX_PAGE = 50;
  /** The filters as the API's query, only those set (no cursor, no limit). */
  function txQuery() {
    var f = state.txFilter, q = [];
    if (f.chargerId) q.push('chargerId=' + enc(f.chargerId));
    if (f.idTag) q.push('idTag=' + enc(f.idTag));
    if (f.status) q.push('status=' + enc(f.status));
    if (f.flagged) q.push('flagged=true');
    if (f.from) q.push('from=' + enc(f.from));
    if (f.to) q.push('to=' + enc(f.to));
    return q.join('&');
  }
  /** Takes the form's filters and starts again from the newest page. */
  function applyTxFilter() {
    var from = fromDateInput($('tx-from').value, false), to = fromDateInput($('tx-to').value, true);
    state.txFilter = {
      chargerId: $('tx-charger').value.trim(), idTag: $('tx-idtag').value.trim(), status: $('tx-state').value,
      flagged: $('tx-flagged').checked, from: from ? from.toISOString() : '', to: to ? to.toISOString() : '',
    };
    state.txCursor = null; state.txBefore = [];
    refreshNow();
  }
  function txPath() {
    var q = txQuery();
    return '/transactions?limit=' + TX_PAGE + (q ? '&' + q : '') + (state.txCursor ? '&cursor=' + enc(state.txCursor) : '');
  }
  function txHash(chargerId, transactionId) { return '#/transactions/' + enc(chargerId) + '/' + enc(transactionId); }
  function flagCell(flags) {
    if (!flags || flags.length === 0) return '—';
    var s = h('span', 'warn', flags.join(', '));
    s.title = flags.map(function (f) { return FLAG_WORDS[f] || f; }).join('\n');
    return s;
  }
  /** The page the filters and cursor name; a filter the API refuses (400) is said in the list, not as a failed update. */
  function loadFleetTransactions() {
    var path = txPath();
    state.txAsked = path;
    return read(path).then(function (json) {
      if (state.txAsked !== path) return; // the filters changed meanwhile
      state.txNext = json.nextCursor;
      renderFleetTransactions(json.transactions);
    }, function (error) {
      if (state.txAsked !== path) return;
      if (error.status !== 400) throw error;
      state.txNext = null;
      $('transactions').replaceChildren(h('p', 'result bad', 'Filter refused: ' + error.message.replace(/^400 /, '')));
      renderTxPager(0);
    });
  }
  function renderFleetTransactions(list) {
    var box = $('transactions');
    box.replaceChildren();
    var filtered = txQuery() !== '';
    if (list.length === 0) {
      add(box, h('p', 'note', filtered ? 'No transaction matches these filters.' : 'No transactions yet.'));
    } else {
      var t = table(['Charger', 'Transaction', 'Where', 'Id tag', 'Status', 'Started', 'Stopped', 'Energy', 'Cost', 'Flags'], 'transactions fleet-tx');
      list.forEach(function (x) {
        add(t.tBodies[0], row([link(x.chargerId, chargerHash(x.chargerId), 'mono'), link(x.transactionId, txHash(x.chargerId, x.transactionId), 'mono'),
          place(x.protocol, x.evseId, x.connectorId), x.idTag || '—', txStatus(x), time(x.startedAt), time(x.stoppedAt), energyCell(x), listCost(x),
          flagCell(x.flags)], x.status === 'active' ? 'active' : null));
      });
      add(box, scroller(t));
    }
    renderTxPager(list.length);
  }
  function renderTxPager(count) {
    var pager = $('tx-pager');
    pager.replaceChildren();
    var page = state.txBefore.length + 1;
    var newer = button('Newer', function () { state.txCursor = state.txBefore.pop() || null; refreshNow(); });
    newer.disabled = page === 1;
    var older = button('Older', function () { state.txBefore.push(state.txCursor); state.txCursor = state.txNext; refreshNow(); });
    older.disabled = !state.txNext;
    add(pager, newer, h('span', 'note', 'Page ' + page + (count ? ' · ' + count + ' shown, newest first' : '')), older);
  }
  function setupTxFilter() {
    $('tx-filter').addEventListener('submit', function (e) { e.preventDefault(); applyTxFilter(); });
    ['tx-state', 'tx-flagged', 'tx-from', 'tx-to'].forEach(function (id) { $(id).addEventListener('change', applyTxFilter); });
    $('tx-csv').addEventListener('click', function () {
      applyTxFilter();
      var q = txQuery();
      downloadCsv('/transactions?format=csv' + (q ? '&' + q : ''), $('tx-csv-result'), $('tx-csv'), 'transactions.csv');
    });
  }
`;
