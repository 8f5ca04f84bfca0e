// The console's live feed (README "Live console feed"): a ticket from POST /live/tickets (the token
// stays in a header; a browser cannot put one on a WebSocket), then a WebSocket to this origin. While
// it is open the console does not poll: fleet messages change the rows and counts in place, and the
// charger shown is watched for its journal frames and meter readings. It reconnects with a new ticket
// when the socket closes (its life limit, 4001, or the network), reads the screen again once when
// it is back, and polls while it cannot open. A critical security event re-reads the alerts badge.

export const LIVE = String.raw`
  var live = { socket: null, open: false, starting: false, failures: 0, retry: null, ping: null, renew: null, watched: null, detail: null, screen: null };
  /** Whether the feed is open: the polling loop then stops after each read. */
  function liveOpen() { return live.open; }
  function liveStart() {
    if (!state.token || live.socket || live.starting) return;
    live.starting = true;
    var token = state.token;
    call('POST', '/live/tickets').then(function (res) {
      live.starting = false;
      if (token !== state.token) return;
      if (!res.ok || !res.json || !res.json.url) throw new Error('no ticket: ' + res.status);
      var ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + res.json.url);
      live.socket = ws;
      ws.addEventListener('message', function (e) { if (live.socket === ws) liveMessage(e.data); });
      ws.addEventListener('close', function (e) { if (live.socket === ws) liveClosed(e.code); });
    }).catch(function () { live.starting = false; liveClosed(0); });
  }
  /** The feed ended (or never opened): try again, at once if it was open (its hello rereads what is
   *  shown, once); poll meanwhile when it never opened or could not reopen. */
  function liveClosed(code) {
    var wasOpen = live.open;
    live.socket = null; live.open = false; live.watched = null;
    clearInterval(live.ping); clearInterval(live.renew);
    if (!state.token) return;
    live.failures = wasOpen ? 0 : live.failures + 1;
    var wait = code === 4001 || wasOpen ? 200 : Math.min(30000, 1000 * Math.pow(2, live.failures));
    clearTimeout(live.retry);
    live.retry = setTimeout(liveStart, wait);
    if (!wasOpen) refreshNow(); // polling until the feed is back
  }
  /** The operator forgot the token or gave another: close the feed (liveStart opens one for the new token). */
  function liveStop() {
    clearTimeout(live.retry); clearInterval(live.ping); clearInterval(live.renew);
    var ws = live.socket;
    live.socket = null; live.open = false; live.watched = null; live.failures = 0;
    if (ws) ws.close(1000);
  }
  function liveSend(message) { if (live.socket && live.open) live.socket.send(JSON.stringify(message)); }
  function liveMessage(data) {
    var m;
    try { m = JSON.parse(data); } catch (e) { return; }
    if (m.type === 'hello') {
      live.open = true; live.failures = 0;
      live.ping = setInterval(function () { liveSend({ type: 'ping' }); }, 30000);
      liveFollow();
      refreshNow(); // one read of what is shown; the feed brings what changes after it
      reloadView(['firmware', 'logs']); // a job may have moved while the feed was closed
      return;
    }
    if (m.type === 'security.alert' && m.chargerId) { alertArrived(m.chargerId); return; }
    if (/^(charger|connector|transaction)\./.test(m.type)) {
      applyFleetMessage(m);
      if (state.screen !== 'fleet' && state.screen !== 'charger') screenSoon();
      if (m.chargerId === state.selectedId) detailSoon();
    } else if (m.chargerId === state.selectedId && m.chargerId) {
      if (m.type === 'journal' && m.entry) { state.messages = [m.entry].concat(state.messages).slice(0, 50); journalNow(); }
      else if (m.type === 'meter') { showMeter(m); detailSoon(); }
      else if (m.type === 'job.status') reloadView([m.job === 'firmware' ? 'firmware' : 'logs']);
      else if (m.type === 'command' || m.type === 'feed.gap') detailSoon();
    }
  }
  /** Watches the charger shown (renewed every 30 s, as the hub asks); unwatches the one left. */
  function liveFollow() {
    var id = state.screen === 'charger' ? state.selectedId : null;
    if (!live.open || live.watched === id) return;
    clearInterval(live.renew);
    if (live.watched) liveSend({ type: 'unwatch', chargerId: live.watched });
    live.watched = id;
    if (!id) return;
    liveSend({ type: 'watch', chargerId: id });
    live.renew = setInterval(function () { liveSend({ type: 'watch', chargerId: id }); }, 30000);
  }
  /** What the charger's screen shows changed: read it again once, within a second (not a poll). */
  function detailSoon() {
    if (live.detail || state.screen !== 'charger') return;
    live.detail = setTimeout(function () { live.detail = null; if (state.screen === 'charger' && state.selectedId) loadSelected().catch(function () {}); }, 1000);
  }
  /** A screen the feed does not describe (transactions, tariffs, alerts, firmware): read it again once
   *  something happened in the fleet, within a second; otherwise when the operator presses Refresh. */
  function screenSoon() {
    if (live.screen) return;
    live.screen = setTimeout(function () { live.screen = null; refreshNow(); }, 1000);
  }
  function journalNow() { var box = document.querySelector('#detail .journal'); if (box && state.charger) renderJournal(box); }
  /** The latest meter reading the feed brought, above the transactions. */
  function showMeter(m) {
    var box = document.querySelector('#detail .live-meter');
    if (!box) return;
    box.textContent = 'Meter ' + (m.registerWh / 1000).toFixed(2) + ' kWh (register) · transaction ' + m.transactionId +
      (m.chargingState ? ' · ' + m.chargingState : '') + ' · ' + time(m.at);
    box.classList.remove('hidden');
  }
`;
