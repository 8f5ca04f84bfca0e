// Renders a bench run as Markdown: the machine, the exact command, the table and the ratios.

import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { percentile } from './load.mjs';

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

export function renderReport({ options, runs, idle, command, startedAt, finishedAt }) {
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
    `Load: ${options.chargers} chargers (half 1.6, half 2.0.1) in a closed loop for ${options.seconds} s each, one CALL outstanding per charger. ` +
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
  if (by['a-nolog'] && by.b) lines.push(`(a, LOG_MESSAGES=false)/(b) throughput: **${fixed(by['a-nolog'].messagesPerSecond / by.b.messagesPerSecond, 2)}**; /(b′): **${by["b'"] ? fixed(by['a-nolog'].messagesPerSecond / by["b'"].messagesPerSecond, 2) : '–'}**.`);
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
  if (idle.length > 0) lines.push('', ...renderIdle(idle));
  return `${lines.join('\n')}\n`;
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
    row('objects constructed anew by the Heartbeats', (i) => (i.woke === undefined ? 'n/a' : `${whole(i.woke)} of ${whole(i.wakeSample)}`)),
    '',
    'Proof of sleep: an object still in memory handles a frame without being constructed; one that hibernated is constructed to handle it. ' +
      'The CSMS counts its constructions (GET /api/v1/isolate-stats), so a Heartbeat that constructs its object shows the object had slept.',
  ];
  return lines;
}
