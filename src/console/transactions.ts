// The console's transactions and their cost: a charger's transactions (a running one with its energy
// so far), one transaction's tariff, charging periods and totals per dimension, and the CSV exports
// (the CDRs of a period, optionally of one charger, in one click; tx-list.ts's filtered list).

export const TRANSACTIONS = String.raw`
  function txStatus(x) { return x.status + (x.chargingState ? ' (' + x.chargingState + ')' : ''); }
  /** The list's cost cell: a completed transaction's total; a running one is priced when it ends. */
  function listCost(x) {
    if (x.cost) return totalText(x.cost);
    if (x.status === 'active') return h('span', 'note', 'priced on end');
    if ((x.flags || []).indexOf('unpriced') >= 0) return h('span', 'warn', 'unpriced');
    return '—';
  }
  /** A charger's transactions; picking one charts it, shows its cost and fills in Remote stop if it runs. */
  function renderTransactions(box) {
    box.replaceChildren();
    if (state.transactions.length === 0) { add(box, h('p', 'note', 'No transactions yet.')); return; }
    var t = table(['Transaction', 'Where', 'Id tag', 'Status', 'Started', 'Stopped', 'Energy', 'Cost', 'Tariff', ''], 'transactions');
    state.transactions.forEach(function (x) {
      var cls = 'pick' + (x.status === 'active' ? ' active' : '') + (x.transactionId === state.selectedTx ? ' selected' : '');
      var pick = function () {
        state.selectedTx = x.transactionId; state.txDetail = null;
        if (x.status === 'active') fillStop(x.transactionId);
        renderTransactions(box);
        refreshNow();
      };
      var id = button(x.transactionId, pick);
      id.className = 'linkish mono';
      id.title = 'Show this transaction\'s meter values and cost' + (x.status === 'active' ? ' and fill in Remote stop' : '');
      var tr = row([id, place(x.protocol, x.evseId, x.connectorId), x.idTag || '—', txStatus(x), time(x.startedAt), time(x.stoppedAt),
        energyCell(x), listCost(x), tariffRef(x.tariff), link('Open', txHash(x.chargerId, x.transactionId))], cls);
      tr.addEventListener('click', function (e) { if (e.target !== id && e.target.tagName !== 'A') pick(); });
      add(t.tBodies[0], tr);
    });
    add(box, scroller(t));
  }

  // ---- A transaction's tariff and cost --------------------------------------------------------
  /** The tariff version a transaction was priced under, read once (versions never change) to say it in words. */
  function loadTariffVersion(tariff) {
    var key = tariffRef(tariff);
    if (!tariff || state.tariffVersions[key] !== undefined) return Promise.resolve(null);
    state.tariffVersions[key] = null; // asked for: once
    return read('/tariffs/' + enc(tariff.id) + '/versions/' + enc(tariff.version))
      .then(function (json) { state.tariffVersions[key] = json.tariff; }, function () { delete state.tariffVersions[key]; });
  }
  /** A transaction's tariff and cost (tx: GET …/transactions/{id}'s transaction; null until one is chosen and read). */
  function renderCost(box, tx) {
    box.replaceChildren();
    if (!tx) { add(box, h('p', 'note', 'Select a transaction to see its tariff and cost.')); return; }
    var cost = tx.cost, tariff = tx.tariff, running = false;
    if (!cost && tx.runningCost) { cost = tx.runningCost.cost; tariff = tx.runningCost.tariff; running = true; }
    var flags = tx.flags || [];
    if (!cost) {
      var why = tx.status === 'active' ? 'Running: priced when it ends (no tariff applies so far, or its price is not known yet).'
        : flags.indexOf('unpriced') >= 0 ? 'Not priced: it ended before its tariff could be resolved.'
        : 'Not priced: no tariff applied when it started.';
      add(box, h('p', 'note', why));
    } else {
      var words = state.tariffVersions[tariffRef(tariff)];
      add(box, add(h('p', 'cost-head'),
        h('strong', 'cost-total', (running ? 'So far ' : 'Total ') + totalText(cost)),
        h('span', 'note', ' · tariff ' + tariffRef(tariff) + (running ? ' (as if it ended now)' : ''))));
      if (words) add(box, h('p', 'note tariff-words', tariffText(words)));
      var periods = table(['Period from', 'Energy', 'Charging', 'Parking'], 'periods');
      cost.charging_periods.forEach(function (p) {
        var vol = {};
        p.dimensions.forEach(function (d) { vol[d.type] = d.volume; });
        add(periods.tBodies[0], row([time(p.start_date_time) + (p.mixed ? ' (merged)' : ''), kwhOf(vol.ENERGY || 0), hours(vol.TIME || 0), hours(vol.PARKING_TIME || 0)]));
      });
      add(box, scroller(periods));
      var totals = table(['', 'Volume', 'Excl. VAT', 'Incl. VAT'], 'totals');
      var c = cost.currency;
      var line = function (name, volume, price) { add(totals.tBodies[0], row([name, volume, money(price.excl_vat, c), money(price.incl_vat, c)])); };
      line(DIMENSION_WORDS.ENERGY, kwhOf(cost.total_energy), cost.total_energy_cost);
      line(DIMENSION_WORDS.TIME, hours(cost.total_charging_time), cost.total_time_cost);
      line(DIMENSION_WORDS.PARKING_TIME, hours(cost.total_parking_time), cost.total_parking_cost);
      line('Session fee', '', cost.total_fixed_cost);
      line('Total', hours(cost.total_time), cost.total_cost);
      add(box, scroller(totals));
      if (cost.total_cost.incl_vat === undefined) add(box, h('p', 'note', 'No total incl. VAT: a price component has no VAT, so the driver pays the total excl. VAT.'));
      (cost.anomalies || []).forEach(function (a) {
        add(box, h('p', 'warn', 'Pricing note: ' + (COST_ANOMALY_WORDS[a.kind] || a.kind) + ' (' + a.count + '×, first at ' + a.first_at + ').'));
      });
    }
    flags.forEach(function (f) { add(box, h('p', 'warn flag', 'Needs a look (' + f + '): ' + (FLAG_WORDS[f] || f) + '.')); });
    renderPayment21(box, tx); // v21.ts: the charger's own cost, priority charging, settlements
  }

  // ---- Charge detail records: the CSV of a period, in one click ----------------------------------
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
      var chargerId = $('cdr-charger').value.trim();
      downloadCsv('/cdrs?format=csv&from=' + enc(from.toISOString()) + '&to=' + enc(to.toISOString()) + (chargerId ? '&chargerId=' + enc(chargerId) : ''),
        out, $('cdr-download'), 'cdrs.csv');
    });
  }
  /** Fetches a CSV export with the token in its header and saves it; says how it went in out. */
  function downloadCsv(path, out, b, fallbackName) {
    b.disabled = true;
    show(out, 'wait', 'Exporting…');
    fetch(API + path, { headers: { authorization: 'Bearer ' + state.token, accept: 'text/csv' }, cache: 'no-store' })
      .then(function (res) {
        if (!res.ok) {
          return res.text().then(function (text) {
            var json = null;
            try { json = JSON.parse(text); } catch (err) { json = null; }
            throw new Error('HTTP ' + res.status + (json && json.error ? ' ' + json.error.code + ': ' + json.error.message : ''));
          });
        }
        var named = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') || '');
        return res.blob().then(function (blob) { return { blob: blob, name: named ? named[1] : fallbackName }; });
      })
      .then(function (file) {
        saveBlob(file.blob, file.name, 'text/csv');
        show(out, 'ok', 'Saved ' + file.name + ' (' + bytes(file.blob.size) + ').');
      })
      .catch(function (error) { show(out, 'bad', 'Export failed: ' + error.message); })
      .finally(function () { b.disabled = false; });
  }
`;
