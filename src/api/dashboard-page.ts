// GET /dashboard — the operator dashboard: one self-contained HTML page (no external scripts, styles,
// fonts or CDNs) served without a token. The page asks for an API token, keeps it in sessionStorage
// and calls /api/v1 with it, so it sees and does exactly what that token may. Its script (in
// dashboard-script.ts) polls every 3 seconds and builds the page with DOM and text nodes only.
// It shows the fleet's chargers, its critical security alerts, a CDR CSV export, and (on demand)
// firmware and tariffs; for one charger its transactions with their cost, energy, journal, commands
// and read-only tabs of what it reported.
// A Content-Security-Policy allows exactly this page's inline script and style, and fetches to
// this origin; nothing else.

import { servePage } from './page-policy';
import { DASHBOARD_SCRIPT as SCRIPT } from './dashboard-script';

const STYLE = String.raw`
:root { --fg: #1d2127; --muted: #5b6470; --bg: #fff; --panel: #f5f7f9; --line: #dde2e7; --accent: #1f6feb;
  --ok: #1a7f37; --warn: #9a6700; --bad: #c9372c; --bad-bg: #fdecea; color-scheme: light dark; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e3e6ea; --muted: #9aa4af; --bg: #15181c; --panel: #1d2227; --line: #313840; --accent: #58a6ff;
    --ok: #3fb950; --warn: #d29922; --bad: #f85149; --bad-bg: #3a1d1d; }
}
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.92em; }
header { padding: 12px 20px; border-bottom: 1px solid var(--line); display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
header h1 { margin: 0; font-size: 1.3em; }
header form { display: flex; gap: 6px; align-items: center; }
input, select, button { font: inherit; color: var(--fg); background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 4px 8px; }
button { cursor: pointer; } button:hover { border-color: var(--accent); } button:disabled { opacity: 0.5; cursor: wait; }
#token { width: 280px; }
#status { margin-left: auto; }
.note { color: var(--muted); }
.banner { margin: 12px 20px 0; padding: 10px 14px; border-radius: 6px; background: var(--bad-bg); color: var(--bad); font-weight: 600; }
.layout { display: grid; grid-template-columns: minmax(320px, 2fr) 3fr; gap: 20px; padding: 12px 20px 40px; align-items: start; }
@media (max-width: 1000px) { .layout { grid-template-columns: 1fr; } }
h2 { margin: 4px 0 8px; font-size: 1.15em; } h3 { margin: 16px 0 6px; font-size: 1em; } h4 { margin: 0 0 6px; font-size: 0.95em; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 4px 6px; border-bottom: 1px solid var(--line); }
th { color: var(--muted); font-weight: 600; font-size: 0.9em; }
tr.pick { cursor: pointer; } tr.pick:hover { background: var(--panel); }
tr.selected { background: var(--panel); box-shadow: inset 3px 0 0 var(--accent); }
tr.active td:first-child { font-weight: 700; }
tr.callerror { background: var(--bad-bg); } tr.callerror td { color: var(--bad); }
.dot { white-space: nowrap; color: var(--muted); }
.dot::before { content: ""; display: inline-block; width: 9px; height: 9px; border-radius: 50%; margin-right: 5px; background: var(--muted); }
.dot.on { color: var(--ok); } .dot.on::before { background: var(--ok); }
.chips { display: inline-flex; flex-wrap: wrap; gap: 4px; }
.chip { border: 1px solid var(--line); border-radius: 10px; padding: 0 7px; font-size: 0.85em; white-space: nowrap; }
.s-available { color: var(--ok); } .s-charging, .s-occupied, .s-preparing, .s-finishing, .s-suspendedev, .s-suspendedevse { color: var(--accent); }
.s-faulted, .s-unavailable { color: var(--bad); } .s-reserved { color: var(--warn); }
.head { display: flex; flex-wrap: wrap; gap: 12px; align-items: baseline; }
.facts { display: flex; flex-wrap: wrap; gap: 6px 14px; color: var(--muted); width: 100%; }
.cols { display: grid; grid-template-columns: 3fr 2fr; gap: 20px; }
@media (max-width: 1400px) { .cols { grid-template-columns: 1fr; } }
.commands { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 10px; }
form.command { border: 1px solid var(--line); border-radius: 8px; padding: 8px 10px; display: flex; flex-direction: column; gap: 6px; }
form.command label { display: flex; justify-content: space-between; gap: 8px; align-items: center; font-size: 0.9em; }
form.command input, form.command select { width: 60%; }
.result { margin: 0; padding: 6px 8px; border-radius: 6px; background: var(--panel); white-space: pre-wrap; word-break: break-word; font-size: 0.85em; max-height: 220px; overflow: auto; }
.result.ok { color: var(--ok); } .result.bad { color: var(--bad); background: var(--bad-bg); } .result.wait { color: var(--muted); }
.hidden { display: none; }
code.frame { display: block; max-width: 60ch; max-height: 4.5em; overflow: auto; white-space: pre-wrap; word-break: break-all; }
.journal td:nth-child(-n+4) { white-space: nowrap; }
svg.chart { width: 100%; max-width: 640px; height: auto; background: var(--panel); border-radius: 6px; }
svg.chart .axis { stroke: var(--muted); stroke-width: 1; }
svg.chart .line { fill: none; stroke: var(--accent); stroke-width: 2; }
svg.chart .point { fill: var(--accent); }
svg.chart .label { fill: var(--muted); font-size: 11px; }
.fleet { display: flex; flex-direction: column; gap: 16px; min-width: 0; }
.badge { display: inline-block; min-width: 1.6em; text-align: center; border-radius: 10px; padding: 0 7px; font-size: 0.8em;
  font-weight: 600; background: var(--bad); color: var(--bg); vertical-align: middle; }
.badge.none { background: var(--panel); color: var(--muted); border: 1px solid var(--line); }
.alerts td:first-child, .alerts td:nth-child(2) { white-space: nowrap; }
.alerts td.type { color: var(--bad); font-weight: 600; }
.tech { word-break: break-word; white-space: pre-wrap; }
details > summary { cursor: pointer; font-weight: 600; font-size: 1.15em; margin: 4px 0 8px; }
.tabs { display: flex; flex-wrap: wrap; gap: 4px; margin-bottom: 8px; }
.tabs button[aria-selected="true"] { border-color: var(--accent); background: var(--bg); font-weight: 600; }
.pager { display: flex; gap: 8px; align-items: center; margin-top: 6px; }
.views td { word-break: break-word; }
.warn { color: var(--warn); }
form.cdr { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
.cost-head { margin: 0 0 6px; } .cost-total { font-size: 1.1em; }
table.periods { margin-bottom: 10px; } table.totals tr:last-child td { font-weight: 700; }
.tariffs td:nth-child(4) { min-width: 18ch; }
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>CSMS dashboard</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>CSMS dashboard</h1>
<form id="token-form" autocomplete="off">
<label for="token">API token</label>
<input id="token" type="password" spellcheck="false" placeholder="Bearer token">
<button type="submit">Use</button>
<button type="button" id="forget">Forget</button>
</form>
<span id="status" class="note"></span>
</header>
<div id="banner" class="banner hidden" role="alert"></div>
<div class="layout">
<div class="fleet">
<section id="alerts-section"><h2>Security alerts <span id="alert-count" class="badge none" title="Critical security events in the last 24 hours">–</span></h2>
<div id="alerts"><p class="note">Nothing loaded yet.</p></div></section>
<section><h2>Chargers</h2><div id="chargers"><p class="note">Nothing loaded yet.</p></div></section>
<details id="firmware-section"><summary>Firmware across the fleet</summary><div id="firmware"><p class="note">Loading…</p></div></details>
<section id="cdr-section"><h2>Charge detail records</h2>
<form id="cdr-form" class="cdr" autocomplete="off">
<label for="cdr-from">From</label> <input id="cdr-from" type="date" required>
<label for="cdr-to">to</label> <input id="cdr-to" type="date" required>
<button type="submit" id="cdr-download">Download CSV</button>
</form>
<p class="note">Completed sessions that ended in these days (your time zone), as the CSV of GET /api/v1/cdrs.</p>
<pre id="cdr-result" class="result hidden"></pre></section>
<details id="tariffs-section"><summary>Tariffs</summary><div id="tariffs"><p class="note">Loading…</p></div></details>
</div>
<main id="detail"><p class="note">Select a charger to see its transactions, energy, messages, commands, firmware, certificates, logs and reports.</p>
<noscript><p>This dashboard needs JavaScript.</p></noscript></main>
</div>
<script>${SCRIPT}</script>
</body>
</html>
`;

/** GET /dashboard: the page needs no token; every call it makes to the API does. */
export const serveDashboard = servePage({ html: PAGE, script: SCRIPT, style: STYLE, headers: { 'cache-control': 'no-cache' } });
