// The console's router: one screen per URL hash (#/fleet, #/chargers/{id}, #/transactions,
// #/transactions/{chargerId}/{transactionId}, #/tariffs, #/alerts, #/firmware, #/sites,
// #/sites/{id}; admin: #/id-tags,
// #/register, #/tokens, #/audit), so every view can be linked to and the browser's back button works.
// Each screen is a <section data-screen> of the page; the router shows one and polls only what it needs.

export const ROUTER = String.raw`
  var SCREENS = ['fleet', 'charger', 'transactions', 'transaction', 'tariffs', 'alerts', 'firmware', 'sites', 'site', 'id-tags', 'register', 'tokens', 'audit'];
  /** The screen (and charger) a hash names. "#CP-1", the dashboard's older links, is a charger. */
  function parseHash(hash) {
    if (!hash || hash === '#' || hash === '#/') return { screen: 'fleet' };
    if (hash.indexOf('#/') !== 0) return { screen: 'charger', id: decodeURIComponent(hash.slice(1)) };
    var path = hash.slice(2);
    if (path.indexOf('chargers/') === 0 && path.length > 9) return { screen: 'charger', id: decodeURIComponent(path.slice(9)) };
    var tx = /^transactions\/([^/]+)\/([^/]+)$/.exec(path);
    if (tx) return { screen: 'transaction', id: decodeURIComponent(tx[1]), tx: decodeURIComponent(tx[2]) };
    var site = /^sites\/([^/]+)$/.exec(path);
    if (site) return { screen: 'site', id: decodeURIComponent(site[1]) };
    if (SCREENS.indexOf(path) >= 0 && path !== 'charger' && path !== 'transaction' && path !== 'site') return { screen: path };
    return { screen: 'fleet', unknown: path };
  }
  function chargerHash(id) { return '#/chargers/' + enc(id); }
  /** Shows the screen the URL names: a new history entry each time the operator follows a link. */
  function route() {
    var r = parseHash(location.hash);
    var changed = state.screen !== r.screen;
    state.screen = r.screen;
    if (changed) hideSecrets(); // a password or token shown once goes with the screen it was shown on
    document.querySelectorAll('[data-screen]').forEach(function (s) { s.hidden = s.getAttribute('data-screen') !== r.screen; });
    document.querySelectorAll('nav.screens a').forEach(function (a) {
      var nav = r.screen === 'charger' ? 'fleet' : r.screen === 'transaction' ? 'transactions' : r.screen === 'site' ? 'sites' : r.screen;
      if (a.getAttribute('href') === '#/' + nav) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    });
    if (r.unknown) $('status').textContent = 'No screen "' + r.unknown + '": showing the fleet.';
    if (r.screen === 'charger') selectCharger(r.id);
    else if (r.screen === 'transaction') selectTxView(r.id, r.tx);
    else if (r.screen === 'site') selectSite(r.id);
    else if (changed) { var heading = document.querySelector('[data-screen="' + r.screen + '"] h2'); if (heading) { heading.tabIndex = -1; heading.focus({ preventScroll: true }); } }
    liveFollow(); // the feed watches the charger shown, and only it
    refreshNow();
  }
  window.addEventListener('hashchange', route);
`;
