// Renders a bench run as Markdown: the machine, the exact command, the table and the ratios.

import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { archiveQuantities, billed, HOURS_PER_MONTH, idleQuantitiesPerHour, itemsTotal, keptStorage, lineItems, METER_VALUES_PER_MONTH, monthQuantities, PRICES, TRANSACTIONS_PER_MONTH } from './cost.mjs';
import { percentile } from './load.mjs';
import { ARCHIVE_RETENTION_SECONDS, DEPLOYED, MONTH } from './month.mjs';

const root = resolve(import.meta.dirname, '../..');
const versionOf = (pkg) => JSON.parse(readFileSync(resolve(root, 'node_modules', pkg, 'package.json'), 'utf8')).version;

const fixed = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const whole = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');

/** The figures of one target's run, as numbers. */
export function summarize(run) {
  return {
    target: run.name,
    messages: run.messages,
    errors: run.errors.length,
    serverErrors: run.serverErrors,
    messagesPerSecond: run.messages / run.elapsedS,
    p50Ms: percentile(run.latenciesMs, 50),
    p99Ms: percentile(run.latenciesMs, 99),
    cpuSecondsPer1000: (run.cpuSeconds / run.messages) * 1000,
    supervisorCpuSecondsPer1000: (run.supervisorCpuSeconds / run.messages) * 1000,
    peakRssMiB: run.peakRssMiB,
    d1StatementsPer1000: run.d1Statements === undefined ? undefined : (run.d1Statements / run.messages) * 1000,
    commandP50Ms: run.commandLatenciesMs ? percentile(run.commandLatenciesMs, 50) : undefined,
    commandP99Ms: run.commandLatenciesMs ? percentile(run.commandLatenciesMs, 99) : undefined,
    commands: run.commandLatenciesMs?.length,
  };
}

export function renderReport({ options, runs, idle, month, baseline, command, startedAt, finishedAt }) {
  const rows = runs.map(summarize);
  const by = Object.fromEntries(runs.map((r, i) => [r.letter, rows[i]]));
  const lines = [
    '# Benchmark results',
    '',
    `Measured ${startedAt.toISOString()} – ${finishedAt.toISOString()} with:`,
    '',
    '```sh',
    command,
    '```',
    '',
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${fixed(totalmem() / 2 ** 30, 0)} GiB, Linux ${release()}; ` +
      `Node ${process.version}, wrangler ${versionOf('wrangler')} (workerd ${versionOf('workerd')}), ocpp-rpc ${versionOf('ocpp-rpc')}. ` +
      'The load generator runs on the same machine and shares its cores with the server.',
    '',
    `Load: ${options.chargers} chargers (half 1.6, half 2.0.1) in a closed loop for ${options.seconds} s each, one CALL outstanding per charger` +
      (options.warmup > 0 ? `, after ${options.warmup} s of the same load unmeasured (and, for (a), its drain) to warm each fresh process up. ` : '. ') +
      'Each repeats a charging session: StatusNotification, StartTransaction or TransactionEvent Started, StatusNotification (1.6), ' +
      'ten MeterValues or TransactionEvent Updated with four sampled values each, Heartbeat, StopTransaction or TransactionEvent Ended, StatusNotification.',
    '',
    '| Target | Messages | Messages/s | p50 ms | p99 ms | Server CPU s / 1,000 msgs | Peak memory MiB | D1 statements / 1,000 msgs | Errors (client / server log) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.target} | ${whole(r.messages)} | ${whole(r.messagesPerSecond)} | ${fixed(r.p50Ms, 2)} | ${fixed(r.p99Ms, 2)} | ` +
        `${fixed(r.cpuSecondsPer1000, 3)} | ${fixed(r.peakRssMiB, 0)} | ${r.d1StatementsPer1000 === undefined ? 'n/a' : fixed(r.d1StatementsPer1000, 1)} | ${r.errors} / ${r.serverErrors} |`,
    ),
    '',
  ];
  if (by.a && by["b'"]) lines.push(`**With the default configuration** (LOG_MESSAGES as in wrangler.toml): (a)/(b′) throughput **${fixed(by.a.messagesPerSecond / by["b'"].messagesPerSecond, 2)}** (aim ≥ 0.9), CPU per message **${fixed(by.a.cpuSecondsPer1000 / by["b'"].cpuSecondsPer1000, 2)}×** (b′)'s (aim ≤ 1.3).`);
  if (by['a-log'] && by["b'"]) lines.push(`With a log line per message (LOG_MESSAGES=true): (a)/(b′) throughput ${fixed(by['a-log'].messagesPerSecond / by["b'"].messagesPerSecond, 2)}, CPU per message ${fixed(by['a-log'].cpuSecondsPer1000 / by["b'"].cpuSecondsPer1000, 2)}× (b′)'s.`);
  if (by.a && by.b) lines.push(`(a)/(b) throughput: **${fixed(by.a.messagesPerSecond / by.b.messagesPerSecond, 2)}** (aim ≥ 0.8); CPU per message ${fixed(by.a.cpuSecondsPer1000 / by.b.cpuSecondsPer1000, 1)}× the bare object's.`);
  if (by.a && by["b'"]) lines.push(`(a)/(b′) throughput: **${fixed(by.a.messagesPerSecond / by["b'"].messagesPerSecond, 2)}**: against a ceiling that also makes each message durable before answering, as the CSMS must.`);
  if (by.a && by.c) lines.push(`(a)/(c) throughput: **${fixed(by.a.messagesPerSecond / by.c.messagesPerSecond, 2)}**; CPU per message ${fixed(by.a.cpuSecondsPer1000 / by.c.cpuSecondsPer1000, 1)}× the Node.js server's.`);
  lines.push(
    '',
    "Server CPU and peak memory are read from /proc for the serving process: the Worker's workerd for (a) and (b), Node.js for (c). " +
      "The load goes straight to the Worker's workerd socket, not through wrangler dev's ProxyWorker (a live-reload hop that doubles every connection). " +
      "For (a), CPU counts from the start of the loop until its facts have reached D1 (FLUSH_DELAY_SECONDS + FLEET_FLUSH_SECONDS + 5 s after it: 37 s with the bench's settings), so deferred work is included. " +
      `wrangler's other processes (its Node.js processes, which also print the Worker's logs, and the idle ProxyWorker) used ${rows
        .filter((r) => r.supervisorCpuSecondsPer1000 > 0)
        .map((r) => `${fixed(r.supervisorCpuSecondsPer1000, 3)} s per 1,000 messages under ${r.target}`)
        .join(' and ') || 'no measurable CPU'} besides (not in the table). ` +
      'D1 statements are counted by the CSMS itself over the same span (GET /api/v1/isolate-stats; under wrangler dev one isolate runs everything).',
  );
  if (by.a?.commands) {
    lines.push(
      '',
      '## Command API round trip',
      '',
      `${by.a.commands} ClearCache commands, one at a time, POST /api/v1/chargers/{id}/commands/ClearCache to HTTP response, the charger answering at once: ` +
        `p50 **${fixed(by.a.commandP50Ms, 2)} ms**, p99 **${fixed(by.a.commandP99Ms, 2)} ms**.`,
    );
  }
  if (baseline?.run) lines.push('', ...renderBaseline(baseline, by));
  if (idle.length > 0) lines.push('', ...renderIdle(idle));
  if (month) lines.push('', ...renderMonth(month, baseline?.month, idle));
  return `${lines.join('\n')}\n`;
}

/** Target (a) from another commit against this one: throughput and CPU per message. */
function renderBaseline(baseline, by) {
  const base = summarize(baseline.run);
  const lines = [
    '## Before / after',
    '',
    `The same load on the CSMS at \`${baseline.ref}\` (${baseline.commit}, from a temporary git worktree) and on this one, same settings.`,
    '',
    '| Target | Messages/s | p50 ms | p99 ms | Server CPU s / 1,000 msgs | D1 statements / 1,000 msgs |',
    '|---|---:|---:|---:|---:|---:|',
    ...[base, by.a].filter(Boolean).map(
      (r) => `| ${r.target} | ${whole(r.messagesPerSecond)} | ${fixed(r.p50Ms, 2)} | ${fixed(r.p99Ms, 2)} | ${fixed(r.cpuSecondsPer1000, 3)} | ${r.d1StatementsPer1000 === undefined ? 'n/a' : fixed(r.d1StatementsPer1000, 1)} |`,
    ),
    '',
  ];
  if (by.a) lines.push(`After/before: throughput **${fixed(by.a.messagesPerSecond / base.messagesPerSecond, 2)}×**, CPU per message **${fixed(by.a.cpuSecondsPer1000 / base.cpuSecondsPer1000, 2)}×**.`);
  if (by["b'"]) lines.push(`Before, with defaults: (a)/(b′) throughput ${fixed(base.messagesPerSecond / by["b'"].messagesPerSecond, 2)}, CPU per message ${fixed(base.cpuSecondsPer1000 / by["b'"].cpuSecondsPer1000, 2)}× (b′)'s (this run's (b′)).`);
  return lines;
}

/** Line items per charger-month for each version of a month measurement, and the idle (time-driven) part. */
export function monthCosts(month, idle) {
  const versions = month.profiles.map((p) => {
    const quantities = monthQuantities(p);
    const doBytesDelta = [p.boot, ...p.phases].reduce((sum, phase) => sum + (phase.delta.doStorageBytes ?? 0), 0);
    const doBytes = doBytesDelta / p.chargers;
    const archive = archiveQuantities(p);
    const items = lineItems(quantities, doBytes, archive);
    return { protocol: p.protocol, quantities, archive, kept: keptStorage(quantities, archive), doBytes, items, total: itemsTotal(items) };
  });
  const idleA = idle.find((i) => i.windowDelta);
  // The Heartbeats idle chargers sent in a long window are priced with the messages: take them out here.
  const heartbeat = month.profiles.map((p) => p.phases.find((ph) => ph.kind === 'Heartbeat')).filter(Boolean);
  const perHeartbeat = heartbeat.length > 0 ? billed(Object.fromEntries(Object.keys(heartbeat[0].delta).map((k) => [k, heartbeat.reduce((sum, ph) => sum + (ph.delta[k] ?? 0) / ph.messages, 0) / heartbeat.length]))) : undefined;
  const perHour = idleQuantitiesPerHour(idleA, perHeartbeat);
  let time;
  if (perHour) {
    const monthly = Object.fromEntries(Object.entries(perHour).map(([k, v]) => [k, v * HOURS_PER_MONTH]));
    const items = lineItems(monthly, 0);
    time = { perHour, items, total: itemsTotal(items), windowSeconds: idleA.idleSeconds, chargers: idleA.chargers };
  }
  return { versions, time };
}

const usd = (n) => (n === null ? 'n/a' : Number.isFinite(n) ? `$${n < 0.001 && n > 0 ? n.toExponential(1) : n.toFixed(4)}` : '–');
const per = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

/** The charger-month profile: rows per message type, the cost per charger-month, bytes, cold start. */
function renderMonth(month, baseMonth, idle) {
  // The cold start alone (--month-chargers 0): no profile to price.
  if (month.profiles.length === 0) return month.cold ? renderCold(month.cold, baseMonth?.cold, month.coldFloor) : [];
  const costs = monthCosts(month, idle);
  // A baseline from before the counters existed reports none: its columns would read $0.
  const baseCounted = baseMonth?.profiles[0]?.boot.delta.doSqlRowsWritten !== undefined;
  const baseCosts = baseMonth && baseCounted ? monthCosts(baseMonth, []) : undefined;
  const v = month.vars;
  const p0 = month.profiles[0];
  const lines = [
    '## Charger-month profile',
    '',
    `An active charger-month (issue 12): a Heartbeat every ${DEPLOYED.heartbeatSeconds} s (${MONTH.heartbeatsPerDay} a day), MeterValues with 6 samples every ${DEPLOYED.meterSeconds} s for 4 h a day ` +
      `(${MONTH.meterValuesPerDay}), ${MONTH.sessionsPerDay} sessions a day with their status notifications, start and stop (1.6) or TransactionEvents (2.0.1, and 2.1, which keeps 2.0.1's messages: its chargers send the same ones under their own subprotocol), ${MONTH.days} days: ` +
      `${whole(MONTH.days * (MONTH.heartbeatsPerDay + MONTH.meterValuesPerDay))} messages plus the sessions' (≈ 16,200). ` +
      `Time is compressed: per version, ${p0.chargers} chargers boot, then each kind of message runs in its own sub-phase (${month.profiles[0].phases.map((ph) => `${ph.kind}: ${per(ph.messages / p0.chargers, 0)} per charger`).join('; ')}), ` +
      'and after each the bench waits until the counters (GET /api/v1/isolate-stats) stand still, so every delta belongs to one kind of message, deferred work included. Each delta per message is scaled to the month. ' +
      `Then, after every version's profile, the meter archive (POST /api/v1/archive/run until the version's transactions have moved; METER_RETENTION_DAYS=${v.METER_RETENTION_DAYS ?? '–'}, ${ARCHIVE_RETENTION_SECONDS} s, so they are due at once; the archive runs only when asked, so the sub-phases before are unchanged) ` +
      `moves each version's transactions from D1 to R2, measured the same way with R2's operations and bytes. Its operations (R2's, D1 statements) are scaled per transaction moved to the month's ${TRANSACTIONS_PER_MONTH} transactions, ` +
      `its rows and bytes per meter value moved to the month's ${whole(METER_VALUES_PER_MONTH)} (a month's transaction holds ${METER_VALUES_PER_MONTH / TRANSACTIONS_PER_MONTH}, the profile's ${whole((p0.phases.find((ph) => ph.kind.startsWith('MeterValues'))?.messages ?? 0) / p0.chargers)}). ` +
      'The profile sends no readings outside transactions, so no charger-day of them is moved.',
    '',
    `Settings: FLUSH_DELAY_SECONDS=${v.FLUSH_DELAY_SECONDS}, FLEET_FLUSH_SECONDS=${v.FLEET_FLUSH_SECONDS} (deployed: 300 and 30). ` +
      `**Flush frequency changes alarm and row counts** (each flush of a charger's outbox is an alarm, a setAlarm row, an RPC to the FleetWriter, its outbox rows and a last-seen update in D1). ` +
      `So meter values are paced ${whole(p0.meterPaceMs)} ms apart per charger: ${DEPLOYED.flushDelaySeconds / DEPLOYED.meterSeconds} of them per flush, as deployed (a flush every 300 s, a meter value every 60 s). ` +
      'Heartbeats are sent back to back: they leave no fact to flush. Session starts and ends are flushed within a second, as deployed. ' +
      `The FleetWriter's own alarms and D1 batches are shared by the fleet: here they are divided among ${p0.chargers} chargers copying every ${v.FLEET_FLUSH_SECONDS} s, which overstates them per charger against a large fleet copying every 30 s.`,
    '',
    '### Rows per message type',
    '',
    '| Version | Message type | Messages | DO requests | DO rows written (SQL / KV / alarms) | DO rows read | Alarms run | D1 statements | D1 rows written | D1 rows read | D1 bytes | CPU ms |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const p of month.profiles) {
    for (const ph of [{ kind: 'BootNotification', ...p.boot }, ...p.phases]) {
      const q = billed(ph.delta, ph.messages);
      lines.push(
        `| ${p.protocol} | ${ph.kind} | ${whole(ph.messages)} | ${per(q.webSocketMessages / PRICES.webSocketMessagesPerRequest + q.alarms + q.rpcCalls + q.hubRequests, 3)} | ` +
          `${per(q.doSqlRowsWritten + q.doKvRowsWritten + q.doAlarmRows)} (${per(q.doSqlRowsWritten)} / ${per(q.doKvRowsWritten)} / ${per(q.doAlarmRows)}) | ${per(q.doRowsRead)} | ${per(q.alarms, 3)} | ` +
          `${per(q.d1Statements, 3)} | ${per(q.d1RowsWritten)} | ${per(q.d1RowsRead)} | ${whole(q.d1Bytes)} | ${per((ph.cpuSeconds / ph.messages) * 1000, 2)} |`,
      );
    }
  }
  const archived = month.profiles.filter((p) => p.archive);
  for (const p of archived) lines.push(archiveRow(p));
  lines.push(
    '',
    'Per message, deferred work included; the archive row per transaction moved (from D1 to R2, with all its readings). DO requests: WebSocket messages at 20:1, alarms, RPC and fetch calls, the live feed’s publishes to the ConsoleHub. D1 bytes: growth of the database file (meta.size_after), in whole pages.',
  );
  const archiveNotes = [
    ...archived.map((p) => archiveNote(p.protocol, p.archive)),
    ...(baseMonth?.profiles ?? []).filter((p) => p.archive).map((p) => archiveNote(`before, ${p.protocol}`, p.archive)),
    // A version the CSMS refused (a baseline from before it spoke 2.1): said, not priced.
    ...[...(month.unavailable ?? []), ...(baseMonth?.unavailable ?? []).map((p) => ({ ...p, protocol: `before, ${p.protocol}` }))].map((p) => `- ${p.protocol}: not measured (${p.unavailable}).`),
  ];
  if (archiveNotes.length > 0) lines.push('', ...archiveNotes);
  lines.push(
    '',
    '### Cost per active charger-month',
    '',
  );
  const columns = [
    ...costs.versions.map((c) => ({ title: c.protocol, items: c.items, total: c.total })),
    ...(costs.time ? [{ title: 'time-driven (idle)', items: costs.time.items, total: costs.time.total }] : []),
    ...(baseCosts ? baseCosts.versions.map((c) => ({ title: `before: ${c.protocol}`, items: c.items, total: c.total })) : []),
  ];
  lines.push(`| Line item | ${columns.map((c) => c.title).join(' | ')} |`, `|---|${columns.map(() => '---:').join('|')}|`);
  costs.versions[0].items.forEach(([label], i) => lines.push(`| ${label} | ${columns.map((c) => usd(c.items[i][1])).join(' | ')} |`));
  lines.push(`| **total** | ${columns.map((c) => `**${usd(c.total)}**`).join(' | ')} |`);
  if (baseMonth && !baseCounted) lines.push('', `The baseline's CSMS predates the counters (GET /api/v1/isolate-stats has no row counts), so it has no cost column: use a baseline with the counters for before/after costs.`);
  const withTime = (c) => c.total + (costs.time?.total ?? 0);
  lines.push(
    '',
    `Per active charger-month, messages and time together: ${costs.versions.map((c) => `**${usd(withTime(c))}** (${c.protocol})`).join(', ')}` +
      (baseCosts ? `; before: ${baseCosts.versions.map((c) => `${usd(c.total + (costs.time?.total ?? 0))} (${c.protocol})`).join(', ')} (with this run's time-driven part)` : '') +
      '. Aim: ≤ $0.01.',
    '',
    `Prices: DO requests $0.15/M (WebSocket messages 20:1), DO rows written $1.00/M (setAlarm, deleteAlarm and deletes included), DO rows read $0.001/M, DO storage $0.20/GB-month, D1 rows written $1.00/M (each row and index entry deleted included), D1 rows read $0.001/M, D1 storage $0.75/GB-month, ` +
      'R2 Class A operations (put, list) $4.50/M, Class B (get, head) $0.36/M, deletes free, R2 storage $0.015/GB-month ' +
      '([Durable Objects pricing](https://developers.cloudflare.com/durable-objects/platform/pricing/), [D1 pricing](https://developers.cloudflare.com/d1/platform/pricing/), [R2 pricing](https://developers.cloudflare.com/r2/pricing/)); the model is in README (Cost model) and bench/lib/cost.mjs. ' +
      'The storage lines price one month of keeping the month’s data: in D1 as written (the month it spends there before METER_RETENTION_DAYS, 30 as deployed) and in R2 as archived; each further month costs what D1 keeps after the archive and R2 (see Bytes). ' +
      'n/a: that CSMS has no meter archive; –: it does not count R2 operations. ' +
      'Compute duration is left out: a hibernating object is not billed for it (nor is the Worker CPU of the archive runs, at $0.02 per million CPU-ms).',
    '',
    '### Bytes',
    '',
    ...costs.versions.map(
      (c) =>
        `- ${c.protocol}: **D1 ${fixed(c.quantities.d1Bytes / 2 ** 20, 2)} MiB written per charger-month** (a 10 GB database holds ${whole(10e9 / Math.max(1, c.quantities.d1Bytes))} charger-months as written); ` +
        (c.kept
          ? keptText(c.kept) + `, ${Number.isFinite(c.kept.r2Bytes) ? `${fixed(c.kept.r2Bytes / 2 ** 20, 3)} MiB in R2` : 'R2 bytes not counted'}: ` +
            `each further month kept costs ${usd(c.kept.usdPerMonth)}; `
          : 'no archive figures; ') +
        `the charger's Durable Object grew by ${whole(c.doBytes)} bytes over the profile.`,
    ),
    '- D1 written: growth of the database (meta.size_after). D1 kept: its pages in use (page_count − freelist_count, read by the bench from the local database file) after the archive. ' +
      'A delete frees pages that later writes reuse (the SQLite file itself does not shrink); D1’s meta.size_after falls with the pages in use (the archive rows’ D1 bytes above). ' +
      'A database that keeps archiving grows by the kept bytes per charger-month beyond the retention window.',
    ...(baseCosts
      ? baseCosts.versions.map((c) => `- before, ${c.protocol}: D1 ${fixed(c.quantities.d1Bytes / 2 ** 20, 2)} MiB written per charger-month${c.kept ? `, ${fixed(c.kept.d1Bytes / 2 ** 20, 2)} MiB kept after the archive` : ''}.`)
      : []),
  );
  if (costs.time) {
    const t = costs.time;
    lines.push(
      '',
      '### Idle chargers: wake-ups',
      '',
      `Over the idle phase's window (${whole(t.chargers)} connected, silent chargers for ${t.windowSeconds} s after their boots' work had settled = ${fixed((t.chargers * t.windowSeconds) / 3600, 1)} charger-hours): ` +
        `**${per(t.perHour.alarms, 2)} alarms and ${per(t.perHour.constructions, 2)} object constructions per idle charger-hour**; ` +
        `${per(t.perHour.d1RowsWritten, 2)} D1 rows written, ${per(t.perHour.doSqlRowsWritten + t.perHour.doKvRowsWritten + t.perHour.doAlarmRows, 2)} DO rows written per idle charger-hour. ` +
        (idle.find((i) => i.windowDelta)?.heartbeatsSent > 0
          ? `The chargers sent a Heartbeat every 300 s (${whole(idle.find((i) => i.windowDelta).heartbeatsSent)} in all), as connected chargers do; what those cost (the profile's Heartbeat figures) is taken out of the rows above, but the constructions include the objects they woke. `
          : '') +
        'The time-driven column above is this rate times 720 hours. ' +
        (t.windowSeconds < 3600
          ? '**The window is shorter than the hourly liveness check, which it sees only when one fell due in it: an idle charger\'s object wakes once an hour for it (one alarm, one row and one setAlarm written), so these figures are a lower bound;** run with --idle-seconds 3600 for an hour\'s figure (in a window of 300 s or more the chargers heartbeat every 300 s, so none is closed as silent).'
          : ''),
    );
  }
  if (month.cold) lines.push('', ...renderCold(month.cold, baseMonth?.cold, month.coldFloor));
  return lines;
}

/** D1 kept per charger-month after the archive, within what one page of the profile scales to. */
function keptText(kept) {
  const mib = (n) => fixed(n / 2 ** 20, 2);
  const pages = `pages in use: ${mib(kept.d1WrittenBytes)} MiB taken by the profile, ${mib(kept.d1FreedBytes)} MiB freed by the archive`;
  // Below one page of the profile, scaled: the figure says only that it is small (more chargers or meter values make it finer).
  if (Number.isFinite(kept.d1ResolutionBytes) && kept.d1Bytes < kept.d1ResolutionBytes) {
    return `**under ${mib(kept.d1ResolutionBytes)} MiB kept after the archive** (${pages}: less than one 4 KiB page of the profile, which scales to ${mib(kept.d1ResolutionBytes)} MiB; a 10 GB database holds more than ${whole(10e9 / kept.d1ResolutionBytes)} archived charger-months)`;
  }
  return `**${mib(kept.d1Bytes)} MiB kept after the archive** (${pages}, ± ${mib(kept.d1ResolutionBytes)} MiB for a page of the profile; a 10 GB database holds ${whole(10e9 / Math.max(1, kept.d1Bytes))} archived charger-months)`;
}

/** The archive sub-phase's row in "Rows per message type": per transaction moved. */
function archiveRow(p) {
  const a = p.archive;
  if (a.unavailable) return `| ${p.protocol} | archive (per transaction moved) | n/a: ${a.unavailable} | | | | | | | | | |`;
  const q = billed(a.delta, a.transactions);
  return (
    `| ${p.protocol} | archive (per transaction moved) | ${whole(a.transactions)} | ${per(q.webSocketMessages / PRICES.webSocketMessagesPerRequest + q.alarms + q.rpcCalls + q.hubRequests, 3)} | ` +
    `${per(q.doSqlRowsWritten + q.doKvRowsWritten + q.doAlarmRows)} (${per(q.doSqlRowsWritten)} / ${per(q.doKvRowsWritten)} / ${per(q.doAlarmRows)}) | ${per(q.doRowsRead)} | ${per(q.alarms, 3)} | ` +
    `${per(q.d1Statements, 3)} | ${per(q.d1RowsWritten)} | ${per(q.d1RowsRead)} | ${whole(q.d1Bytes)} | ${per((a.cpuSeconds / a.transactions) * 1000, 2)} |`
  );
}

/** What the archive did per transaction moved, in words: R2's side and what D1 gave back. */
function archiveNote(label, a) {
  if (a.unavailable) return `- archive, ${label}: not measured (${a.unavailable}).`;
  const q = billed(a.delta, a.transactions);
  const r2 = a.r2Counted
    ? `${per(q.r2ClassA)} R2 Class A and ${per(q.r2ClassB)} Class B operations, ${whole(q.r2BytesPut)} bytes put (${per(q.r2BytesPut / Math.max(1, a.meterValues / a.transactions), 1)} per sampled value)`
    : 'R2 operations not counted by this CSMS';
  return (
    `- archive, ${label}: ${whole(a.transactions)} transactions moved (${whole(a.meterValues)} sampled values) in ${whole(a.delta.d1Statements === undefined ? NaN : a.delta.d1Statements)} D1 statements; per transaction: ${r2}; ` +
    `D1 pages in use ${q.d1UsedBytes <= 0 ? 'freed' : 'grew by'} ${whole(Math.abs(q.d1UsedBytes))} bytes` +
    (a.days > 0 ? `; it also moved ${a.days} charger-days of readings outside transactions, counted in the same delta` : '') +
    '.'
  );
}

function renderCold(cold, baseCold, floor) {
  const row = (label, m) => {
    // The bare object (b′) counts nothing: its CPU alone.
    if (m.delta.d1Statements === undefined) return `| ${label} | ${whole(m.messages)} | ${per((m.cpuSeconds / m.messages) * 1000, 2)} | n/a | n/a | n/a | 1.00 | n/a |`;
    const q = billed(m.delta, m.messages);
    // A CSMS from before the row counters reports none: '–', not 0.
    const rows = (n) => (m.delta.d1RowsWritten === undefined ? '–' : per(n, 2));
    return `| ${label} | ${whole(m.messages)} | ${per((m.cpuSeconds / m.messages) * 1000, 2)} | ${per(q.d1Statements, 3)} | ${rows(q.d1RowsWritten)} | ${rows(q.d1RowsRead)} | ${rows(q.doSqlRowsWritten + q.doKvRowsWritten + q.doAlarmRows)} | ${whole(m.delta.chargerObjectsConstructed ?? 0)} |`;
  };
  const lines = [
    '### Cold start',
    '',
    `${whole(cold.chargers)} of ${whole(cold.requested)} chargers never seen before connect together (${cold.concurrency} at a time) and send BootNotification, StatusNotification and Heartbeat (cold: each object constructed for the first time); ` +
      'then the same chargers, their objects woken by a Heartbeat just before (not measured), send the same three (steady); ' +
      'last, every socket closed and the objects evicted (20 s), the same chargers connect again together and send the same three (reconnect: as after a deploy or an outage, each object constructed again over its stored schema). CPU and counts include the deferred work.',
    '',
    '| | Messages | CPU ms / msg | D1 statements / msg | D1 rows written / msg | D1 rows read / msg | DO rows written / msg | Objects constructed |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    row('cold', cold.cold),
    row('steady', cold.steady),
    ...(cold.reconnect ? [row('reconnect', cold.reconnect)] : []),
  ];
  if (baseCold) lines.push(row('before: cold', baseCold.cold), row('before: steady', baseCold.steady));
  if (baseCold?.reconnect) lines.push(row('before: reconnect', baseCold.reconnect));
  if (floor) lines.push(row('(b′) cold', floor.cold), row('(b′) steady', floor.steady), row('(b′) reconnect', floor.reconnect));
  for (const [who, c] of [['', cold], ['(b′): ', floor]]) {
    if (c && c.errors.length > 0) lines.push('', `${who}${c.errors.length} chargers failed, first: ${c.errors[0]}`);
  }
  const perMessage = (m) => m.cpuSeconds / m.messages;
  const ratio = (c, part) => fixed(perMessage(c[part]) / perMessage(c.steady), 2);
  const floorSays = (part) => (floor ? `; (b′), the same three on the bare object that writes each frame before answering: ${ratio(floor, part)}×` : '');
  lines.push('', `Cold / steady CPU per message: **${ratio(cold, 'cold')}×** (aim ≤ 1.5)${floorSays('cold')}.`);
  if (cold.reconnect) lines.push('', `Reconnect / steady CPU per message: **${ratio(cold, 'reconnect')}×** (aim ≤ 1.5)${floorSays('reconnect')}.`);
  if (floor) {
    lines.push(
      '',
      '(b′) rows: the runtime alone, a WebSocket accepted and one SQLite row written per frame, its object constructed as the charger connects; ' +
        'it counts nothing but CPU. Its cold and reconnect parts are the share of a first construction and a reconnect that no CSMS code can remove.',
    );
  }
  return lines;
}

/** The idle-scale part: one column per server. */
function renderIdle(idle) {
  const row = (label, f) => `| ${label} | ${idle.map(f).join(' | ')} |`;
  const lines = [
    '## Idle chargers',
    '',
    `Chargers connect (and boot) until ${whole(idle[0].requested)} are connected or the server nears this machine's limit of 20,000 open files ` +
      'per process (workerd keeps two per connection, and an object in memory holds its storage files open as well; connecting pauses while quiet objects hibernate). ' +
      `Then nothing is sent for ${idle[0].idleSeconds} s, and a Heartbeat goes from ${whole(idle[0].wakeSample)} of them.`,
    '',
    `| | ${idle.map((i) => i.target).join(' | ')} |`,
    `|---|${idle.map(() => '---:').join('|')}|`,
    row('chargers connected', (i) => whole(i.chargers)),
    row('stopped because', (i) => (i.rampError ? `a charger failed: ${i.rampError}` : i.stoppedAtFileLimit ? 'open-file limit' : 'all connected')),
    row('still connected after the idle wait', (i) => whole(i.stillOpen)),
    row('connect + boot time, s', (i) => `${fixed(i.bootSeconds, 0)} (${fixed(i.bootWaitSeconds, 0)} waiting for hibernation)`),
    row('workerd memory before, MiB', (i) => fixed(i.baseMiB, 0)),
    row('workerd memory, all connected, MiB', (i) => fixed(i.connectedMiB, 0)),
    row(`workerd memory after ${idle[0].idleSeconds} s idle, MiB`, (i) => fixed(i.idleMiB, 0)),
    row('memory per idle charger, KiB', (i) => fixed(i.perIdleChargerKiB, 1)),
    row('open files, all connected / after idle', (i) => `${whole(i.connectedOpenFiles)} / ${whole(i.idleOpenFiles)}`),
    row('server CPU during the idle wait, s', (i) => fixed(i.idleCpuSeconds, 2)),
    row('objects woken while idle (alarms)', (i) => (i.wokeWhileIdle === undefined ? 'n/a' : whole(i.wokeWhileIdle))),
    row('alarms / constructions per idle charger-hour', (i) => (i.alarmsPerChargerHour === undefined ? 'n/a' : `${fixed(i.alarmsPerChargerHour, 2)} / ${fixed(i.constructionsPerChargerHour, 2)}`)),
    row('objects constructed anew by the Heartbeats', (i) => (i.woke === undefined ? 'n/a' : `${whole(i.woke)} of ${whole(i.wakeSample)}`)),
    '',
    'Proof of sleep: an object still in memory handles a frame without being constructed; one that hibernated is constructed to handle it. ' +
      'The CSMS counts its constructions (GET /api/v1/isolate-stats), so a Heartbeat that constructs its object shows the object had slept.',
  ];
  return lines;
}
