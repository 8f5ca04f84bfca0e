// The console's start: the token form (kept in sessionStorage, this tab only), the banner, and the
// read loop, which reads only what the screen shown needs, one refresh at a time: once per screen and
// per feed (re)connection while the live feed is open (live.ts: an idle console reads nothing), and
// every POLL_MS while it is not, paused while the tab is hidden.

export const MAIN = String.raw`
  var timer = null, busy = false, again = false;
  function refreshNow() { clearTimeout(timer); tick(); }
  /** What the screen shown reads each poll (the alerts badge is read on every screen). */
  function screenLoads() {
    switch (state.screen) {
      case 'fleet': return [loadChargers()];
      case 'charger': return [state.selectedId ? loadSelected() : null];
      case 'transactions': return [loadFleetTransactions()];
      case 'transaction': return [loadTxView()];
      case 'tariffs': return [loadTariffs()];
      case 'firmware': return [loadFleetFirmware()];
      case 'sites': return [loadSites()];
      case 'site': return [loadSite()];
      case 'id-tags': return [loadIdTags()];
      case 'register': return [loadRegister()];
      case 'tokens': return [loadTokens()];
      case 'audit': return [loadAudit()];
      default: return [];
    }
  }
  function tick() {
    if (busy) { again = true; return; }
    if (!state.token || state.authError || document.hidden) { schedule(); return; }
    busy = true;
    Promise.all(screenLoads().concat([loadAlerts()]))
      .then(function () { $('status').textContent = 'Updated ' + new Date().toLocaleTimeString() + (liveOpen() ? ' · live' : ' · every ' + POLL_MS / 1000 + ' s'); })
      .catch(function (error) { $('status').textContent = 'Update failed: ' + error.message; })
      .finally(function () { busy = false; if (again) { again = false; tick(); } else if (!liveOpen()) schedule(); });
  }
  function schedule() { clearTimeout(timer); timer = setTimeout(tick, POLL_MS); }
  document.addEventListener('visibilitychange', function () { if (!document.hidden) refreshNow(); });

  function showBanner() {
    var banner = $('banner');
    var text = !state.token ? 'Enter an API token (read scope to watch, command scope to send commands).' : state.authError;
    banner.textContent = text || '';
    banner.classList.toggle('hidden', !text);
  }
  $('token').value = state.token;
  $('token-form').addEventListener('submit', function (e) {
    e.preventDefault();
    state.token = $('token').value.trim();
    state.authError = null;
    if (state.token) sessionStorage.setItem(TOKEN_KEY, state.token); else sessionStorage.removeItem(TOKEN_KEY);
    showBanner();
    liveStop();
    if (state.token) { loadWhoami(); liveStart(); }
    route(); // the screen the URL names, its charger selected again after "Forget"
  });
  $('forget').addEventListener('click', function () {
    state.token = ''; $('token').value = ''; sessionStorage.removeItem(TOKEN_KEY);
    liveStop();
    state.selectedId = null; state.formsFor = null; state.view = null; state.whoami = null; state.commandPanel = null; state.charging = null;
    state.alerts = []; state.alerts24h = null; state.fleetFirmware = []; state.chargers = [];
    state.tariffs = []; state.assignments = []; state.tariffVersions = {}; state.txView = null;
    forgetAdmin();
    forgetSites();
    ['tariffs', 'chargers', 'fleet-summary', 'fleet-pager', 'detail', 'alerts', 'firmware', 'transactions', 'tx-pager', 'tx-detail'].forEach(function (id) { $(id).replaceChildren(); });
    ['cdr-result', 'tx-csv-result', 'tariff-actions', 'ta-result', 'tf-result'].forEach(function (id) { $(id).className = 'result hidden'; });
    editTariff(null); $('status').textContent = ''; $('alert-count').textContent = '–';
    renderWhoami();
    showBanner();
  });
  $('refresh').addEventListener('click', refreshNow);
  setupCdrExport();
  setupTxFilter();
  setupTariffEditor();
  setupTariffAssign();
  showBanner();
  if (state.token) { loadWhoami(); liveStart(); }
  route();
`;
