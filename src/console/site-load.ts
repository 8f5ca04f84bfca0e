// The site screen's live parts (site-detail.ts reads them): the allocation now — each session's
// measured draw, share, reason, the limit that binds it and what its charger holds or was sent; each
// charger as the allocator counts it (at its full rating when unreachable or refusing, and why) —
// the load over time as an inline SVG step chart (no chart library: per-minute samples of the limit,
// the allocated and the measured load on the busiest phase, GET …/load), and the log (GET …/log,
// newest first, keyset paged): sessions started and ended, profiles sent and the chargers' answers.

export const SITE_LOAD = String.raw`
  var SHARE_REASONS = {
    'fair-share': 'an equal part of what is left', 'charger-max': 'its charger\'s rating', 'car-draws-less': 'the car draws less: capped near its draw, the rest to others',
    priority: 'higher priorities served first', waiting: 'no room for the minimum: it waits its turn', minimum: 'the minimum share',
  };
  var COUNTED_BECAUSE = {
    unreachable: 'not connected: counted at its full rating', refused: 'refused a profile or did not answer: counted at its full rating until asked again',
    unmanaged: 'does not hold the site\'s fallback yet: counted at its full rating', fallback: 'idle with a fallback above 0: that much is kept for it',
  };
  /** Samples further apart than this are drawn apart: nothing ran on the site between them. */
  var SAMPLE_GAP_MS = 150000;
  function siteLoadQuery() { return sitePath('/load?from=' + enc(new Date(Date.now() - state.site.loadHours * 3600000).toISOString())); }
  function siteLogQuery() {
    var cursor = pageCursor(state.site.logPaging);
    return sitePath('/log?limit=50' + (cursor ? '&cursor=' + enc(cursor) : ''));
  }
  function siteLimitedBy(x) { return x === null || x === undefined ? 'its own cap' : x === 'site' ? 'the site\'s limit' : 'circuit ' + x; }
  /** What the charger holds of the session's share: accepted, or sent and not yet answered. */
  function siteHeld(x) {
    var parts = [];
    if (x.acceptedAmps !== null) parts.push('accepted ' + siteAmps(x.acceptedAmps));
    if (x.pendingAmps !== null) parts.push('pending ' + siteAmps(x.pendingAmps));
    return parts.length ? parts.join(', ') : 'nothing yet';
  }
  function renderSiteAllocation() {
    var s = state.site, a = s.allocation, box = siteBox('site-allocation');
    box.replaceChildren();
    if (!a) return;
    if (a.error) { add(box, h('pre', 'result bad', 'The allocation could not be read: ' + a.error.message)); return; }
    if (!a.configured) add(box, h('p', 'warn', 'The site\'s allocator has not been told of this site: send PUT /sites/' + s.id + ' (its values unchanged) to push it.'));
    if (!a.sessions.length) add(box, h('p', 'note', 'No session is running on the site.'));
    else {
      var t = table(['Charger', 'EVSE', 'Transaction', 'Started', 'Measured', 'Share', 'Reason', 'Limited by', 'Profile'], 'site-sessions cards');
      a.sessions.forEach(function (x) {
        var tr = row([link(x.chargerId, chargerHash(x.chargerId), 'mono'), String(x.evseId), link(x.transactionId, txHash(x.chargerId, x.transactionId), 'mono'),
          time(x.startedAt), siteAmps(x.measuredAmps), h('strong', 'site-share', siteAmps(x.shareAmps)),
          add(h('span', 'site-reason'), h('span', 'mono', orDash(x.reason)), x.drawCap !== null ? h('span', 'note', ' (draws up to ' + siteAmps(x.drawCap) + ')') : null),
          siteLimitedBy(x.limitedBy), siteHeld(x)]);
        if (SHARE_REASONS[x.reason]) tr.cells[6].title = SHARE_REASONS[x.reason];
        tr.setAttribute('data-transaction', x.transactionId);
        add(t.tBodies[0], tr);
      });
      add(box, scroller(labelCards(t)), h('p', 'note', 'Reasons: ' + Object.keys(SHARE_REASONS).map(function (k) { return k + ': ' + SHARE_REASONS[k]; }).join('; ') + '.'));
    }
    // Each charger on the site as counted: those the allocator has not heard from count at their full rating too.
    var site = s.config, known = {};
    a.chargers.forEach(function (c) { known[c.chargerId] = c; });
    var ids = (site ? site.chargers.map(function (c) { return c.chargerId; }) : []).concat(a.chargers.map(function (c) { return c.chargerId; }))
      .filter(function (id, i, all) { return all.indexOf(id) === i; });
    if (!ids.length) return;
    var counted = table(['Charger', 'Connection', 'Fallback held', 'Counted', 'Because'], 'site-counted cards');
    ids.forEach(function (id) {
      var c = known[id];
      var tr = !c
        ? row([link(id, chargerHash(id), 'mono'), 'not heard from', '—', 'its full rating', 'it has not connected since it was put on the site'])
        : row([link(id, chargerHash(id), 'mono'), c.connected ? 'connected' : 'not connected',
          c.fallbackPending !== null ? 'pending ' + siteAmps(c.fallbackPending) : c.fallbackAccepted === null ? 'none' : siteAmps(c.fallbackAccepted),
          c.countedAmps === null ? 'its sessions\' shares' : siteAmps(c.countedAmps),
          add(h('span'), h('span', 'mono', c.countedBecause || 'managed'), h('span', 'note', ' ' + (COUNTED_BECAUSE[c.countedBecause] || 'its sessions draw their shares') +
            (c.refusedWhy && c.refusedUntil > Date.now() ? ' (' + c.refusedWhy + '; asked again ' + clock(new Date(c.refusedUntil).toISOString()) + ')' : '')))],
          c.countedBecause === 'refused' || c.countedBecause === 'unreachable' ? 'refused' : null);
      tr.setAttribute('data-charger', id);
      add(counted.tBodies[0], tr);
    });
    add(box, h('h4', null, 'Chargers as counted'), scroller(labelCards(counted)));
  }

  /** One series as a step path: each sample holds for its minute (the limit until the next sample), apart across gaps. */
  function siteSteps(pts, key, x, y, t1, hold) {
    var d = '';
    pts.forEach(function (p, i) {
      var v = p[key], next = pts[i + 1];
      if (v === null || v === undefined) return;
      var end = next && (hold || next.t - p.t <= SAMPLE_GAP_MS) ? next.t : Math.min(t1, p.t + 60000);
      var joined = i > 0 && pts[i - 1][key] !== null && (hold || p.t - pts[i - 1].t <= SAMPLE_GAP_MS);
      d += (joined ? ' V' + y(v) : ' M' + x(p.t) + ' ' + y(v)) + ' H' + x(hold && !next ? t1 : end);
    });
    return d.trim();
  }
  function renderSiteLoad() {
    var s = state.site, load = s.load, box = siteBox('site-load');
    if (load.error) { s.loadShown = null; box.replaceChildren(h('pre', 'result bad', 'The load could not be read: ' + load.error.message)); return; }
    var text = JSON.stringify(load);
    if (s.loadShown === text) return;
    s.loadShown = text;
    box.replaceChildren();
    var pts = load.samples.map(function (p) { return { t: Date.parse(p.at), limit: p.limitAmps, allocated: p.allocatedAmps, measured: p.measuredAmps }; });
    var t0 = Date.parse(load.from), t1 = Math.max(Date.parse(load.to), t0 + 60000);
    var peak = function (key) { return pts.reduce(function (m, p) { return p[key] === null ? m : Math.max(m, p[key]); }, 0); };
    var caption = 'Load of site ' + s.id + ' from ' + time(load.from) + ' to ' + time(load.to) + ', busiest phase: ' + pts.length + ' minute sample(s)' +
      (pts.length ? '; highest allocated ' + siteAmps(peak('allocated')) + ', highest measured ' + siteAmps(peak('measured')) : '');
    add(box, h('p', 'note', caption));
    if (!pts.length) { add(box, h('p', 'note', 'No load recorded in this span: the site samples its load each minute while anything runs on it.')); return; }
    var W = 640, H = 240, L = 56, R = 12, T = 14, B = 44;
    var top = Math.max(peak('limit'), peak('allocated'), peak('measured'), 1) * 1.1;
    var x = function (t) { return (L + (t - t0) / (t1 - t0) * (W - L - R)).toFixed(1); };
    var y = function (v) { return (H - B - v / top * (H - T - B)).toFixed(1); };
    var long = t1 - t0 > DAY_MS;
    var at = function (t) { return long ? time(new Date(t).toISOString()) : clock(new Date(t).toISOString()); };
    var chart = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, class: 'chart site-load', role: 'img', 'aria-label': caption });
    add(chart, svg('title', {}, caption),
      svg('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, class: 'axis' }),
      svg('line', { x1: L, y1: T, x2: L, y2: H - B, class: 'axis' }),
      svg('text', { x: L - 6, y: Number(y(top / 1.1)) + 4, 'text-anchor': 'end', class: 'label' }, siteAmps(top / 1.1)),
      svg('text', { x: L - 6, y: H - B, 'text-anchor': 'end', class: 'label' }, '0 A'),
      svg('text', { x: L, y: H - B + 14, class: 'label' }, at(t0)),
      svg('text', { x: W - R, y: H - B + 14, 'text-anchor': 'end', class: 'label' }, at(t1)));
    [['limit', 'limit', true], ['allocated', 'line allocated', false], ['measured', 'line measured', false]].forEach(function (series) {
      var d = siteSteps(pts, series[0], x, y, t1, series[2]);
      if (d) add(chart, svg('path', { d: d, class: series[1] }));
      // Few samples: each also a dot, so that a minute or two in a day's span still shows.
      if (pts.length <= 120) pts.forEach(function (p) { if (p[series[0]] !== null) add(chart, svg('circle', { cx: x(p.t), cy: y(p[series[0]]), r: 2.5, class: 'point ' + series[0] })); });
    });
    // The legend, under the time axis.
    [['limit', 'limit'], ['allocated', 'allocated'], ['measured', 'measured']].forEach(function (k, i) {
      var lx = L + i * 120;
      add(chart, svg('line', { x1: lx, y1: H - 10, x2: lx + 18, y2: H - 10, class: k[0] === 'limit' ? 'limit' : 'line ' + k[0] }),
        svg('text', { x: lx + 24, y: H - 6, class: 'label' }, k[1]));
    });
    add(box, chart);
  }

  function renderSiteLog(part) {
    var s = state.site, box = siteBox('site-log');
    if (part.error) { s.logShown = null; box.replaceChildren(h('pre', 'result bad', 'The log could not be read: ' + part.error.message)); return; }
    var text = pageCursor(s.logPaging) + JSON.stringify(part.json);
    if (s.logShown === text) return;
    s.logShown = text;
    s.log = part.json.entries; s.logPaging.next = part.json.nextCursor || null;
    box.replaceChildren();
    if (!s.log.length) add(box, h('p', 'note', 'Nothing logged yet.'));
    else {
      var t = table(['Time', 'What', 'Charger', 'EVSE', 'Transaction', 'Amps', 'Detail'], 'site-log-rows cards');
      s.log.forEach(function (e) {
        var bad = /rejected|failed/.test(e.kind);
        var tr = row([time(e.at), h('span', 'mono log-kind', e.kind), e.chargerId ? link(e.chargerId, chargerHash(e.chargerId), 'mono') : '—',
          e.evseId === null ? '—' : String(e.evseId), orDash(e.transactionId), siteAmps(e.amps), orDash(e.detail)], bad ? 'callerror' : null);
        tr.setAttribute('data-kind', e.kind);
        add(t.tBodies[0], tr);
      });
      add(box, scroller(labelCards(t)));
    }
    renderPager(siteBox('site-log-pager'), s.logPaging, s.log.length || null, function () { s.logShown = null; refreshNow(); });
  }
`;
