// The console's energy chart (a transaction's Energy.Active.Import.Register readings as inline SVG)
// and message journal (both directions, CALLERRORs highlighted, frames shown as text).

export const JOURNAL_CHART = String.raw`
  function energyPoints(meterValues) {
    var rows = meterValues.filter(function (m) { return m.measurand === ENERGY && m.value !== null && m.unit === 'Wh'; });
    var whole = rows.filter(function (m) { return !m.phase; });
    if (whole.length) rows = whole;
    var byTime = new Map();
    rows.forEach(function (m) { var t = Date.parse(m.timestamp); if (!isNaN(t)) byTime.set(t, m.value); });
    return Array.from(byTime.entries()).map(function (e) { return { t: e[0], v: e[1] }; })
      .sort(function (a, b) { return a.t - b.t; });
  }
  /** The energy chart of tx (a transaction with its meterValues); pending: the id of one chosen but not read yet. */
  function renderChart(box, tx, pending) {
    box.replaceChildren();
    if (!tx && !pending) { add(box, h('p', 'note', 'Select a transaction to chart its energy meter readings.')); return; }
    if (!tx) { add(box, h('p', 'note', 'Loading transaction ' + pending + '…')); return; }
    var pts = energyPoints(tx.meterValues || []);
    var caption = 'Transaction ' + tx.transactionId + ': ' + kwh(tx.energyWh) + (tx.status === 'active' ? ' so far' : '') + ', ' + pts.length + ' ' + ENERGY + ' readings';
    add(box, h('p', 'note', caption));
    if (pts.length < 2) return;
    var W = 640, H = 220, L = 84, R = 12, T = 12, B = 28; // L: room for the kWh label left of the axis
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

  var KINDS = { 2: 'CALL', 3: 'RESULT', 4: 'ERROR', 5: 'RESULT ERROR', 6: 'SEND' };
  function renderJournal(box) {
    box.replaceChildren();
    if (state.messages.length === 0) { add(box, h('p', 'note', 'No messages in the journal.')); return; }
    var t = table(['Time', 'Direction', 'Type', 'Action', 'Frame'], 'journal');
    state.messages.forEach(function (m) {
      var kind = KINDS[m.messageType] || 'not OCPP';
      add(t.tBodies[0], row([
        clock(m.at),
        m.direction === 'in' ? 'charger → CSMS' : 'CSMS → charger',
        m.errorCode ? kind + ' ' + m.errorCode : kind,
        m.action || '—',
        h('code', 'frame', m.text + (m.truncated ? ' …(cut)' : '')),
      ], m.messageType === 4 || m.messageType === 5 ? 'callerror' : null));
    });
    add(box, scroller(t));
  }
`;
