// The operator console's style sheet, inline in its page and allowed there by its hash. Narrow
// screens (a phone at 390 px) never scroll sideways: the fleet's rows become cards, other tables
// scroll inside their own box, grids fall to one column.

export const CONSOLE_STYLE = String.raw`
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
header form { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; min-width: 0; }
nav.screens { display: flex; flex-wrap: wrap; gap: 4px 14px; padding: 8px 20px; border-bottom: 1px solid var(--line); }
nav.screens a { color: var(--fg); text-decoration: none; padding: 2px 0; border-bottom: 2px solid transparent; }
nav.screens a[aria-current="page"] { border-bottom-color: var(--accent); font-weight: 600; }
a { color: var(--accent); }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
input, select, button { font: inherit; color: var(--fg); background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 4px 8px; }
button { cursor: pointer; } button:hover { border-color: var(--accent); } button:disabled { opacity: 0.5; cursor: wait; }
#token { width: min(280px, 60vw); }
#who { font-size: 0.9em; }
#status { margin-left: auto; }
main.screens { padding: 12px 20px 40px; }
main.screens > section { min-width: 0; }
.scroll { overflow-x: auto; max-width: 100%; }
.note { color: var(--muted); }
.banner { margin: 12px 20px 0; padding: 10px 14px; border-radius: 6px; background: var(--bad-bg); color: var(--bad); font-weight: 600; }
h2 { margin: 4px 0 8px; font-size: 1.15em; overflow-wrap: anywhere; } h3 { margin: 16px 0 6px; font-size: 1em; } h4 { margin: 0 0 6px; font-size: 0.95em; }
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
.s-offline { color: var(--muted); border-style: dashed; }
.head { display: flex; flex-wrap: wrap; gap: 12px; align-items: baseline; }
.facts { display: flex; flex-wrap: wrap; gap: 6px 14px; color: var(--muted); width: 100%; }
.cols { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 20px; }
.cols > section, #detail > section { min-width: 0; }
@media (max-width: 1400px) { .cols { grid-template-columns: 1fr; } }
.commands { display: grid; grid-template-columns: minmax(0, 1fr); gap: 10px; }
form.command { border: 1px solid var(--line); border-radius: 8px; padding: 8px 10px; display: flex; flex-direction: column; gap: 6px; }
form.command label { display: flex; justify-content: space-between; gap: 8px; align-items: center; font-size: 0.9em; }
form.command input, form.command select { width: 60%; min-width: 0; }
.answers { display: flex; flex-direction: column; gap: 4px; }
.queue-offer { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin-top: 4px; font-size: 0.9em; }
button.linkish { background: none; border: 0; padding: 0; color: var(--accent); text-decoration: underline; }
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
.badge { display: inline-block; min-width: 1.6em; text-align: center; border-radius: 10px; padding: 0 7px; font-size: 0.8em;
  font-weight: 600; background: var(--bad); color: var(--bg); vertical-align: middle; }
.badge.none { background: var(--panel); color: var(--muted); border: 1px solid var(--line); }
.alerts td:first-child, .alerts td:nth-child(2) { white-space: nowrap; }
.alerts td.type { color: var(--bad); font-weight: 600; }
.tech { word-break: break-word; white-space: pre-wrap; }
.tabs { display: flex; flex-wrap: wrap; gap: 4px; margin-bottom: 8px; }
.tabs button[aria-selected="true"] { border-color: var(--accent); background: var(--bg); font-weight: 600; }
.pager { display: flex; gap: 8px; align-items: center; margin-top: 6px; }
.summary { display: flex; flex-wrap: wrap; gap: 6px; margin-bottom: 8px; }
.summary button[aria-pressed="true"] { border-color: var(--accent); font-weight: 600; }
form.filters { display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center; margin-bottom: 8px; }
#fleet-q { width: min(340px, 100%); }
.st-faulted, .dot.st-faulted { color: var(--bad); } .dot.st-faulted::before { background: var(--bad); }
.st-unavailable, .dot.st-unavailable { color: var(--warn); } .dot.st-unavailable::before { background: var(--warn); }
.st-charging, .dot.st-charging { color: var(--accent); } .dot.st-charging::before { background: var(--accent); }
.views td { word-break: break-word; }
.warn { color: var(--warn); }
form.cdr { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
.cost-head { margin: 0 0 6px; } .cost-total { font-size: 1.1em; }
table.periods { margin-bottom: 10px; } table.totals tr:last-child td { font-weight: 700; }
.tariffs td:nth-child(4) { min-width: 18ch; }
/* The charger screen's editor and job tabs (config-editor.ts, device-model.ts, charger-jobs.ts, reservations-certs.ts). */
.editor-bar { display: flex; flex-wrap: wrap; gap: 6px 10px; align-items: center; margin-bottom: 6px; }
form.value-edit { display: flex; gap: 4px; min-width: 14ch; } form.value-edit input { flex: 1; min-width: 0; width: 16ch; }
.answer-chip { border-radius: 10px; padding: 0 7px; font-size: 0.85em; white-space: nowrap; border: 1px solid currentColor; }
.answer-chip.ok { color: var(--ok); } .answer-chip.wait { color: var(--warn); } .answer-chip.bad { color: var(--bad); background: var(--bad-bg); }
form.job-form { max-width: 520px; margin-bottom: 8px; }
.job { border: 1px solid var(--line); border-radius: 8px; padding: 6px 10px; margin-bottom: 8px; }
.job p { margin: 2px 0; overflow-wrap: anywhere; } .job.o-failed, .job .failed { border-color: var(--bad); }
ol.steps { display: flex; flex-wrap: wrap; gap: 4px; list-style: none; margin: 6px 0; padding: 0; }
ol.steps li { border: 1px solid var(--line); border-radius: 12px; padding: 1px 9px; font-size: 0.88em; color: var(--muted); }
ol.steps li.done { color: var(--ok); border-color: var(--ok); } ol.steps li.current { color: var(--accent); border-color: var(--accent); font-weight: 600; }
ol.steps li.failed { color: var(--bad); border-color: var(--bad); background: var(--bad-bg); font-weight: 600; }
dl.tx-facts, dl.payment-facts, dl.site-facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 6px 16px; margin: 8px 0; }
dl.tx-facts dt, dl.payment-facts dt, dl.site-facts dt { color: var(--muted); font-size: 0.85em; }
dl.tx-facts dd, dl.payment-facts dd, dl.site-facts dd { margin: 0; overflow-wrap: anywhere; }
.row-actions { display: inline-flex; gap: 4px; }
form.tariff-form { border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; margin-top: 16px; max-width: 760px; }
form.tariff-form .fields { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 8px 14px; }
form.tariff-form .field { display: flex; flex-direction: column; gap: 2px; min-width: 0; }
form.tariff-form .field input, form.tariff-form .field textarea { width: 100%; min-width: 0; }
#tf-json-row { margin-top: 8px; } #tf-json { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; }
textarea { font: inherit; color: var(--fg); background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 4px 8px; }
.field-error { color: var(--bad); font-size: 0.85em; min-height: 0; }
[aria-invalid="true"] { border-color: var(--bad); }
.actions { display: flex; flex-wrap: wrap; gap: 6px; margin: 6px 0; }
form.tariff-form [hidden] { display: none; }
#tx-filter input[type="date"] { max-width: 100%; }
/* Command forms generated from the schemas (schema-form.ts) and the schedule chart (charging.ts). */
.command-head { display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: center; }
form.command label.pick select { width: auto; max-width: 100%; }
form.command label.check { justify-content: flex-start; white-space: nowrap; }
form.command input[type=checkbox] { width: auto; }
.schema-form, .schema-form .fields { display: flex; flex-direction: column; gap: 6px; min-width: 0; }
.schema-form fieldset { border: 1px solid var(--line); border-radius: 6px; padding: 4px 8px 8px; margin: 0; min-width: 0; display: flex; flex-direction: column; gap: 6px; }
.schema-form legend { font-size: 0.9em; font-weight: 600; padding: 0 4px; overflow-wrap: anywhere; }
.schema-form .field { display: flex; flex-wrap: wrap; gap: 2px 8px; align-items: center; }
.schema-form .field label { flex: 1 1 12ch; display: flex; flex-direction: column; align-items: flex-start; font-size: 0.9em; overflow-wrap: anywhere; }
.schema-form .field input:not([type=checkbox]), .schema-form .field select, .schema-form .field textarea { flex: 1 1 14ch; width: auto; min-width: 0; max-width: 100%; }
.schema-form .hint { color: var(--muted); font-size: 0.85em; }
.schema-form ol.items { margin: 0; padding-left: 1.4em; display: flex; flex-direction: column; gap: 6px; }
.schema-form .optional-row { display: flex; flex-wrap: wrap; gap: 4px; align-items: center; font-size: 0.85em; }
.schema-form .optional { display: contents; }
.schema-form button.add { font-size: 0.85em; padding: 1px 6px; }
.issue { margin: 2px 0; color: var(--bad); font-size: 0.85em; font-weight: 600; flex-basis: 100%; }
[aria-invalid="true"] { border-color: var(--bad); }
textarea { font: 0.9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: var(--fg); background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 4px 8px; width: 100%; min-width: 0; }
form.schedule-form { display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center; margin-bottom: 8px; }
form.schedule-form input { width: 6em; }
svg.chart .nolimit { fill: var(--line); opacity: 0.5; }
svg.chart.schedule .line { stroke-linejoin: miter; }
/* Admin screens (id tags, registration, tokens, audit, local list): forms of labelled fields, secrets shown once. */
[hidden] { display: none !important; }
form.edit, form.import { display: flex; flex-wrap: wrap; gap: 8px 14px; align-items: flex-end; max-width: 960px; }
label.field { display: flex; flex-direction: column; gap: 2px; font-size: 0.9em; min-width: 0; max-width: 100%; }
label.field input[type="checkbox"] { align-self: flex-start; }
form.edit p.note, form.import p.note { flex-basis: 100%; margin: 0; }
textarea.csv { width: min(560px, 85vw); font: inherit; color: var(--fg); background: var(--panel); border: 1px solid var(--line); border-radius: 6px; }
fieldset.scopes { border: 1px solid var(--line); border-radius: 6px; display: flex; flex-wrap: wrap; gap: 4px 12px; }
.row-actions { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
.import-report, .answers { flex-basis: 100%; }
.secret-once { margin: 8px 0; padding: 8px 10px; border: 2px solid var(--warn); border-radius: 8px; max-width: 640px; }
.secret-once p { margin: 0 0 6px; font-weight: 600; }
code.secret { display: block; padding: 6px; background: var(--panel); border-radius: 6px; word-break: break-all; user-select: all; }
.confirm-box { display: inline-flex; flex-wrap: wrap; gap: 6px; align-items: center; padding: 4px 6px; border: 1px solid var(--bad); border-radius: 6px; }
button.danger { color: var(--bad); border-color: var(--bad); }
tr.refused td, tr.revoked td { color: var(--muted); } tr.refused td:last-child { color: var(--bad); }
.ok-text { color: var(--ok); }
.s-accepted { color: var(--ok); } .s-blocked, .s-invalid, .s-expired { color: var(--bad); }
section.admin-box { margin-top: 14px; }
.local-list-box .row-actions, form.local-list-diff { margin: 6px 0; }
/* Sites (sites.ts, site-detail.ts, site-load.ts): the circuit tree and the load chart's three series. */
ul.circuits { margin: 4px 0; padding-left: 1.4em; } ul.circuits.root { padding-left: 0; list-style: none; } ul.circuits li { margin: 3px 0; }
svg.chart .limit { fill: none; stroke: var(--bad); stroke-width: 2; stroke-dasharray: 6 4; }
svg.chart .line.measured { stroke: var(--ok); } svg.chart .point.measured { fill: var(--ok); } svg.chart .point.limit { fill: var(--bad); }
form.site-external-form { margin-bottom: 8px; }
/* A phone: the fleet's rows and the journal's frames become cards (a frame under its time, direction,
   type and action, never scrolled out of sight); other tables scroll inside their own box. */
@media (max-width: 640px) {
  header, nav.screens, main.screens { padding-left: 10px; padding-right: 10px; }
  table.cards thead, table.journal thead { display: none; }
  table.cards tr, table.journal tr { display: block; padding: 6px 0; border-bottom: 1px solid var(--line); }
  table.cards td, table.journal td { display: inline-block; border: 0; padding: 2px 6px; }
  table.journal td:last-child { display: block; }
  table.cards td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); font-size: 0.85em; }
  .commands { grid-template-columns: 1fr; }
  code.frame { max-width: none; }
}
`;
