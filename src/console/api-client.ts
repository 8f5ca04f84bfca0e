// The console's API client: the shared state, the token kept in sessionStorage, and JSON calls to
// /api/v1 with it as a Bearer header (never in a URL). Also asks who the token is (GET /whoami),
// when the deployment answers it, to show the operator and their scopes.

export const API_CLIENT = String.raw`
  // ---- Constants and state --------------------------------------------------------------
  var API = '/api/v1';
  var POLL_MS = 3000;
  var TOKEN_KEY = 'csms-dashboard-token';
  var MAX_PAGE = 500; // the API's largest page
  var state = {
    token: sessionStorage.getItem(TOKEN_KEY) || '',
    authError: null,
    /** GET /whoami's answer ({ actor, scopes }) when the deployment has it; null otherwise. */
    whoami: null,
    /** The screen the router shows: fleet, charger, transactions, tariffs, alerts, firmware. */
    screen: 'fleet',
    chargers: [],
    moreChargers: false,
    selectedId: null,
    charger: null,
    transactions: [],
    queued: [],
    selectedTx: null,
    txDetail: null,
    messages: [],
    formsFor: null,
    /** The charger's command panel (commands.ts): { chargerId, pick(action, value) }. */
    commandPanel: null,
    /** The charger's charging profiles and schedule view (charging.ts). */
    charging: null,
    alerts: [],
    alertsNext: null,
    alertsShown: 10,
    alerts24h: null,
    fleetFirmware: [],
    firmwareNext: null,
    firmwareShown: 50,
    fleetTransactions: [],
    view: null,
    tariffs: [],
    moreTariffs: false,
    assignments: [],
    moreAssignments: false,
    tariffVersions: {},
    /** The transactions screen: its filters as applied, the page's cursor (null: the newest), the cursors of the pages before, the next one. */
    txFilter: {},
    txCursor: null,
    txBefore: [],
    txNext: null,
    txAsked: null,
    /** The transaction screen: { chargerId, transactionId, tx, more }. */
    txView: null,
    /** The tariff whose Delete was clicked once (the second click deletes). */
    tariffConfirm: null,
  };

  // ---- API access: Bearer token, JSON in and out ---------------------------------------------
  /** A call with a JSON body, or with a text body of the media type given (a CSV import). */
  function call(method, path, body, textType) {
    var headers = { authorization: 'Bearer ' + state.token, accept: 'application/json' };
    var init = { method: method, headers: headers, cache: 'no-store' };
    if (body !== undefined) { headers['content-type'] = textType || 'application/json'; init.body = textType ? body : JSON.stringify(body); }
    return fetch(API + path, init).then(function (res) {
      return res.text().then(function (text) {
        var json = null;
        try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
        return { status: res.status, ok: res.ok, json: json, text: text };
      });
    });
  }
  /** An answer's error in words: the API's { error: { code, message } }, else its text. */
  function errorText(res) {
    return res.json && res.json.error ? res.json.error.code + ': ' + res.json.error.message : res.text;
  }
  /** A read: its JSON, or an Error; a 401/403 stops polling until a new token is given. */
  function read(path) {
    return call('GET', path).then(function (res) {
      if (res.ok) return res.json;
      var message = errorText(res);
      if (res.status === 401 || res.status === 403) {
        state.authError = res.status === 401
          ? 'The API token was refused (401). Enter a valid token above.'
          : 'This token may not read the API (403 ' + message + '). Use a token with the read scope.';
        showBanner();
      }
      var error = new Error(res.status + ' ' + message);
      error.status = res.status;
      throw error;
    });
  }
  function enc(x) { return encodeURIComponent(x); }

  /** Who the token is, if the deployment answers GET /whoami (a 404 means it does not: nothing shown). */
  function loadWhoami() {
    var token = state.token;
    return call('GET', '/whoami').then(function (res) {
      if (token !== state.token) return;
      state.whoami = res.ok && res.json && res.json.actor ? res.json : null;
      renderWhoami();
    }, function () { state.whoami = null; renderWhoami(); });
  }
  function renderWhoami() {
    var box = $('who');
    var w = state.whoami;
    if (!w) { box.textContent = ''; box.classList.add('hidden'); return; }
    var a = w.actor;
    box.textContent = (a.name || a.email || a.id) + ' (' + a.kind + ')' + (w.scopes && w.scopes.length ? ' · ' + w.scopes.join(', ') : '');
    box.classList.remove('hidden');
    // The command forms follow the scopes: built again, their Send buttons disabled without the command scope.
    if (state.charger && state.screen === 'charger') { state.formsFor = null; renderDetail(); }
    applyScopes(); // the admin screens' controls follow the scopes too
  }
  /** Whether the token may send commands, as far as the console knows (without /whoami: assume so; the API decides). */
  function mayCommand() {
    return !state.whoami || !state.whoami.scopes || state.whoami.scopes.indexOf('command') >= 0 || state.whoami.scopes.indexOf('admin') >= 0;
  }
`;
