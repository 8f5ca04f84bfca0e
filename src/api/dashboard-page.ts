// GET /dashboard — the operator console: one self-contained HTML page (no external scripts, styles,
// fonts or CDNs) served without a token. The page asks for an API token, keeps it in sessionStorage
// and calls /api/v1 with it, so it sees and does exactly what that token may. Its script, assembled
// from one module per screen or concern in src/console/ (see src/console/index.ts for why it is one
// inline script), follows the live feed (a WebSocket to this origin, README "Live console feed"), or
// polls what the screen shown needs every 3 seconds when the feed cannot open, and builds the page
// with DOM and text nodes only. Screens are chosen by the URL's hash (#/fleet, #/chargers/{id}, #/transactions,
// #/transactions/{chargerId}/{transactionId}, #/tariffs, #/alerts, #/firmware, #/sites, #/sites/{id}, and #/id-tags, #/register,
// #/tokens, #/audit for admin chores), so each can be linked to and the back button works.
// A Content-Security-Policy allows exactly this page's inline script and style, and fetches to
// this origin; nothing else.

import { servePage } from './page-policy';
import { CONSOLE_SCRIPT as SCRIPT } from '../console/index';
import { CONSOLE_STYLE as STYLE } from '../console/style';

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>CSMS console</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>CSMS console</h1>
<form id="token-form" autocomplete="off">
<label for="token">API token</label>
<input id="token" type="password" spellcheck="false" placeholder="Bearer token">
<button type="submit">Use</button>
<button type="button" id="forget">Forget</button>
</form>
<span id="who" class="note hidden"></span>
<span id="status" class="note" role="status"></span>
<button type="button" id="refresh" title="Read the screen shown again (the live feed brings chargers' changes by itself)">Refresh</button>
</header>
<nav class="screens" aria-label="Screens">
<a href="#/fleet">Chargers</a>
<a href="#/transactions">Transactions</a>
<a href="#/tariffs">Tariffs</a>
<a href="#/alerts">Security alerts <span id="alert-count" class="badge none" title="Critical security events in the last 24 hours">–</span></a>
<a href="#/firmware">Firmware</a>
<a href="#/sites">Sites</a>
<a href="#/id-tags">Id tags</a>
<a href="#/register" data-needs="admin">Register chargers</a>
<a href="#/tokens" data-needs="admin">API tokens</a>
<a href="#/audit" data-needs="admin">Audit log</a>
</nav>
<div id="banner" class="banner hidden" role="alert"></div>
<main class="screens">
<section data-screen="fleet" id="fleet-section"><h2>Chargers</h2>
<div id="fleet-summary" class="summary" role="group" aria-label="Chargers by state (each filters the list)"></div>
<form id="fleet-filter" class="filters" role="search" autocomplete="off">
<input id="fleet-q" type="search" spellcheck="false" aria-label="Search chargers" placeholder="Id, vendor, model, serial or firmware starting with…">
<label>State <select id="fleet-state"><option value="">any</option><option>online</option><option>charging</option><option>faulted</option><option>unavailable</option><option>offline</option></select></label>
<label>OCPP <select id="fleet-protocol"><option value="">any</option><option value="ocpp1.6">1.6</option><option value="ocpp2.0.1">2.0.1</option><option value="ocpp2.1">2.1</option><option value="none">never connected</option></select></label>
<label>Sort <select id="fleet-sort"><option value="id">id</option><option value="lastSeen">last seen</option><option value="vendor">vendor</option><option value="model">model</option><option value="firmware">firmware</option></select></label>
<select id="fleet-order" aria-label="Order"><option value="asc">ascending</option><option value="desc">descending</option></select>
</form>
<div id="chargers"><p class="note">Nothing loaded yet.</p></div>
<div id="fleet-pager" class="pager"></div></section>
<section data-screen="charger" id="detail" hidden><p class="note">Select a charger to see its transactions, energy, messages, commands, firmware, certificates, logs and reports.</p></section>
<section data-screen="transactions" id="transactions-section" hidden><h2>Transactions</h2>
<form id="tx-filter" class="filters" role="search" autocomplete="off">
<label>Charger <input id="tx-charger" spellcheck="false" size="14"></label>
<label>Id tag <input id="tx-idtag" spellcheck="false" size="12"></label>
<label>State <select id="tx-state"><option value="">any</option><option value="active">active</option><option value="completed">completed</option></select></label>
<label>Started from <input id="tx-from" type="date"></label>
<label>to <input id="tx-to" type="date"></label>
<label><input id="tx-flagged" type="checkbox"> Flagged only</label>
<button type="submit">Filter</button>
<button type="button" id="tx-csv" title="Every transaction these filters match, as CSV">Export CSV</button>
</form>
<pre id="tx-csv-result" class="result hidden" role="status"></pre>
<div id="transactions"><p class="note">Loading…</p></div>
<div id="tx-pager" class="pager"></div>
<h3>Charge detail records</h3>
<form id="cdr-form" class="cdr" autocomplete="off">
<label for="cdr-from">From</label> <input id="cdr-from" type="date" required>
<label for="cdr-to">to</label> <input id="cdr-to" type="date" required>
<label for="cdr-charger">charger</label> <input id="cdr-charger" spellcheck="false" size="14" placeholder="all">
<button type="submit" id="cdr-download">Download CSV</button>
</form>
<p class="note">Completed sessions that ended in these days (your time zone), of one charger or all, as the CSV of GET /api/v1/cdrs.</p>
<pre id="cdr-result" class="result hidden"></pre></section>
<section data-screen="transaction" id="tx-detail" hidden><p class="note">Loading…</p></section>
<section data-screen="tariffs" id="tariffs-section" hidden><h2>Tariffs</h2><pre id="tariff-actions" class="result hidden" role="status"></pre><div id="tariffs"><p class="note">Loading…</p></div>
<h3>Assign a tariff</h3>
<form id="ta-form" class="filters" autocomplete="off">
<label>Tariff <select id="ta-tariff"></select></label>
<label>to <select id="ta-scope"><option value="default">every charger (default)</option><option value="charger">a charger</option><option value="id_tag_group">an id tag group</option></select></label>
<label id="ta-key-row">charger or group <input id="ta-key" spellcheck="false" size="16"></label>
<button type="submit">Assign</button>
</form>
<pre id="ta-result" class="result hidden" role="status"></pre>
<div id="tariff-editor"></div></section>
<section data-screen="alerts" id="alerts-section" hidden><h2>Security alerts</h2><div id="alerts"><p class="note">Nothing loaded yet.</p></div></section>
<section data-screen="firmware" id="firmware-section" hidden><h2>Firmware across the fleet</h2><div id="firmware"><p class="note">Loading…</p></div></section>
<section data-screen="sites" id="sites-section" hidden><h2>Sites</h2><div id="sites"><p class="note">Loading…</p></div></section>
<section data-screen="site" id="site-detail" hidden><p class="note">Loading…</p></section>
<section data-screen="id-tags" id="id-tags-section" hidden><h2>Id tags</h2><div id="id-tags"><p class="note">Loading…</p></div></section>
<section data-screen="register" id="register-section" hidden><h2>Register chargers</h2><div id="register"></div></section>
<section data-screen="tokens" id="tokens-section" hidden><h2>API tokens</h2><div id="tokens"><p class="note">Loading…</p></div></section>
<section data-screen="audit" id="audit-section" hidden><h2>Audit log</h2><div id="audit"><p class="note">Loading…</p></div></section>
<noscript><p>This console needs JavaScript.</p></noscript>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;

/** GET /dashboard: the page needs no token; every call it makes to the API does. */
export const serveDashboard = servePage({ html: PAGE, script: SCRIPT, style: STYLE, headers: { 'cache-control': 'no-cache' } });
