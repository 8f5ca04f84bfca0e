// `npm run bench`: the same charger load against (a) this CSMS, (b) a bare Durable Object that
// answers a fixed CALLRESULT, (b′) the same writing each frame to its storage first, and (c) a
// Node.js ocpp-rpc server; then the command API's round trip and idle-charger scale. Everything
// runs on 127.0.0.1 and stops by itself.
//
//   npm run bench -- [--chargers 50] [--seconds 20] [--commands 300] [--idle 10000]
//                    [--idle-seconds 30] [--targets a,b,b',c] [--idle-targets a,b] [--csms-var NAME=VALUE] [--profile] [--write] [--json FILE]
//                    [--warmup 5]
//                    [--month-chargers 10] [--month-heartbeats 30] [--month-meters 60] [--cold 1000] [--baseline GIT-REF]
//                    [--cdrs 10000]
//                    [--parts load,month,idle,cdrs,console,alloc] [--console-chargers 100] [--console-seconds 60] [--console-step 60]
//                    [--alloc-sessions 20,200,2000] [--alloc-chargers 20,200]
//
// Then the charger-month profile (bench/lib/month.mjs) for each version (1.6, 2.0.1, 2.1) with its meter archive
// (D1 to R2), priced by bench/lib/cost.mjs, the cold start, and last the CDR CSV export's memory
// (bench/lib/cdr-export.mjs, --cdrs 0 to skip), then what an open operator console costs in D1
// (bench/lib/console.mjs; alone in a few minutes with --parts console), and what the site allocator costs
// (bench/lib/allocation.mjs, in Node, no server; alone with --parts alloc); with --baseline, target (a) and those phases run again
// on the CSMS of another commit (a temporary git worktree) for before/after figures.
//
// --write puts the report in bench/RESULTS.md; without it the report is only printed. With --parts
// console or --parts alloc alone, --write replaces only that section of bench/RESULTS.md.

import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { commandRoundTrips } from './lib/commands.mjs';
import { ARCHIVE_VARS, archiveSubPhase, chargerMonthProfile, coldStart, MONTH_PROTOCOLS } from './lib/month.mjs';
import { idleScale } from './lib/idle.mjs';
import { bootChargers, closedLoop } from './lib/load.mjs';
import { BENCH_ID_TAG } from './lib/mix.mjs';
import { cpuSeconds, peakRssMiB } from './lib/proc.mjs';
import { heavyFunctions, hotFunctions, InspectorProfiler } from './lib/profile.mjs';
import { monthCosts, renderReport, summarize } from './lib/report.mjs';
import { cdrExportMemory, renderCdrExport } from './lib/cdr-export.mjs';
import { consoleCost, renderConsole, replaceSection, SECTION_HEADING as CONSOLE_HEADING } from './lib/console.mjs';
import { allocationCost, renderAllocation, SECTION_HEADING as ALLOCATION_HEADING } from './lib/allocation.mjs';
import { baselineCheckout, startBare, startCsms, startDurableBare, startNodeServer } from './lib/targets.mjs';

const { values: args } = parseArgs({
  options: {
    chargers: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '20' },
    /** Seconds of the same load, unmeasured, before each target's loop (see measureLoad). */
    warmup: { type: 'string', default: '5' },
    commands: { type: 'string', default: '300' },
    idle: { type: 'string', default: '10000' },
    'idle-seconds': { type: 'string', default: '30' },
    /** a-log (LOG_MESSAGES=true, a log line per message) is not run unless asked for. */
    targets: { type: 'string', default: "a,b,b',c" },
    /** Servers the idle-scale part runs against: the CSMS, and the bare object for comparison. */
    'idle-targets': { type: 'string', default: 'a,b' },
    write: { type: 'boolean', default: false },
    /** Also write the figures as JSON to this file (the CI check reads it). */
    json: { type: 'string' },
    /** NAME=VALUE for this CSMS's configuration (repeatable), e.g. --csms-var LOG_MESSAGES=false. */
    'csms-var': { type: 'string', multiple: true, default: [] },
    /** Take a CPU profile of each wrangler target (the CSMS, the bare objects) during its loop and print the functions that used most. */
    profile: { type: 'boolean', default: false },
    /** Chargers per version in the charger-month profile (0: skip it), and what each sends in it. */
    'month-chargers': { type: 'string', default: '10' },
    'month-heartbeats': { type: 'string', default: '30' },
    'month-meters': { type: 'string', default: '60' },
    /** Chargers connecting and booting at once in the cold-start part (0: skip it). */
    cold: { type: 'string', default: '1000' },
    /** CDRs seeded for the CSV export's memory measurement (bench/lib/cdr-export.mjs; 0: skip it). */
    cdrs: { type: 'string', default: '10000' },
    /** A git ref whose CSMS also runs target (a), the profile and the cold start, for before/after. */
    baseline: { type: 'string' },
    /** Which parts run: the load targets (and --baseline), the charger-month and cold start, idle scale, the CDR export, the console. */
    parts: { type: 'string', default: 'load,month,idle,cdrs,console,alloc' },
    /** The console part (bench/lib/console.mjs): chargers connected, and seconds each view is measured. */
    'console-chargers': { type: 'string', default: '100' },
    'console-seconds': { type: 'string', default: '60' },
    /** Seconds between two messages of one charger under the console part's load (60: a meter value a minute, as deployed). */
    'console-step': { type: 'string', default: '60' },
    /** The site allocation part (bench/lib/allocation.mjs): sessions per site timed, and chargers per simulated site hour ('' skips either). */
    'alloc-sessions': { type: 'string', default: '20,200,2000' },
    'alloc-chargers': { type: 'string', default: '20,200' },
  },
});
const bounded = (name, max) => {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value < 0 || value > max) throw new Error(`--${name} must be an integer from 0 to ${max}`);
  return value;
};
const sizes = (name, max) =>
  args[name]
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean)
    .map((n) => {
      const value = Number(n);
      if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`--${name} takes integers from 1 to ${max}, comma-separated`);
      return value;
    });
const options = {
  chargers: bounded('chargers', 2_000),
  seconds: bounded('seconds', 600),
  warmup: bounded('warmup', 600),
  commands: bounded('commands', 10_000),
  idle: bounded('idle', 20_000),
  idleSeconds: bounded('idle-seconds', 3_600),
  monthChargers: bounded('month-chargers', 500),
  monthHeartbeats: bounded('month-heartbeats', 288),
  monthMeters: bounded('month-meters', 240),
  cold: bounded('cold', 5_000),
  cdrs: bounded('cdrs', 200_000),
  consoleChargers: bounded('console-chargers', 2_000),
  consoleSeconds: bounded('console-seconds', 3_600),
  consoleStep: Math.max(1, bounded('console-step', 3_600)),
  parts: new Set(args.parts.split(',').map((p) => p.trim()).filter(Boolean)),
  allocSessions: sizes('alloc-sessions', 10_000),
  allocChargers: sizes('alloc-chargers', 2_000),
  // Empty (--targets '') runs no load target: e.g. the cold start alone, with --month-chargers 0.
  targets: args.targets.split(',').map((t) => t.trim()).filter(Boolean),
  idleTargets: args['idle-targets'].split(',').map((t) => t.trim()).filter(Boolean),
  csmsVars: Object.fromEntries(
    args['csms-var'].map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) throw new Error(`--csms-var takes NAME=VALUE, not ${pair}`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  ),
};

/** Before the loop: time for the boots' own work to settle. */
const SETTLE_SECONDS = 3;
const STARTERS = {
  a: () => startCsms(options.csmsVars),
  // What a log line per message costs (LOG_MESSAGES is off by default): under wrangler dev every
  // log line goes through wrangler's Node process, which shares the cores.
  'a-log': async () => ({ ...(await startCsms({ ...options.csmsVars, LOG_MESSAGES: 'true' })), name: '(a) this CSMS, LOG_MESSAGES=true' }),
  b: startBare,
  "b'": startDurableBare,
  c: startNodeServer,
};

async function measureLoad(letter, start = STARTERS[letter]) {
  const target = await start();
  process.stderr.write(`${target.name}: booting ${options.chargers} chargers…\n`);
  try {
    if (target.api) await target.api('PUT', `/id-tags/${BENCH_ID_TAG}`, { status: 'Accepted' });
    const chargers = await bootChargers({ url: target.ocppUrl, count: options.chargers, prefix: `BENCH-${letter}` });
    const drains = target.isolateStats !== undefined;
    if (options.warmup > 0) {
      // Every target starts in a fresh process: its first seconds pay for compiling the hot code
      // and for the first rows of every table. The same load, unmeasured, first; for the CSMS,
      // then the drain, so the warm-up's deferred work (flushes, the FleetWriter's D1 batch) is
      // not counted in the window either.
      process.stderr.write(`${target.name}: ${options.warmup} s warm-up…\n`);
      const warm = await closedLoop(chargers, options.warmup);
      if (warm.errors.length > 0) throw new Error(`${target.name}: the warm-up failed: ${warm.errors[0]}`);
      if (drains) {
        await sleep(target.drainSeconds * 1000);
        // Idle through the drain, the objects may have hibernated: a Heartbeat each (which writes
        // and defers nothing) wakes them, so the window does not start with 50 wake-ups either.
        await Promise.all(chargers.map((charger) => charger.call('Heartbeat', {})));
      }
    } else if (drains) {
      // Let the boots' own deferred work finish, so the window measures the loop alone.
      await sleep(SETTLE_SECONDS * 1000);
    }
    const statsBefore = drains ? await target.isolateStats() : undefined;
    const d1Before = statsBefore?.d1Statements;
    const cpuBefore = cpuSeconds(target.pids);
    const supervisorCpuBefore = cpuSeconds(target.supervisorPids);
    process.stderr.write(`${target.name}: ${options.seconds} s closed loop…\n`);
    const profiler = args.profile && target.inspectorUrl ? new InspectorProfiler(target.inspectorUrl) : undefined;
    if (profiler) {
      await profiler.connect();
      await profiler.start();
    }
    const load = await closedLoop(chargers, options.seconds);
    // Throughput over the window, in fifths: a first fifth well below the others is a warm-up the figures pay for.
    const fifths = [0, 1, 2, 3, 4].map((i) => load.answeredAtS.filter((t) => t >= (i * options.seconds) / 5 && t < ((i + 1) * options.seconds) / 5).length);
    process.stderr.write(`${target.name}: messages/s in each fifth of the window: ${fifths.map((n) => Math.round((n * 5) / options.seconds)).join(', ')}\n`);
    if (profiler) {
      const profile = await profiler.stop();
      const percent = (share) => `${(share * 100).toFixed(1).padStart(6)} %`;
      process.stderr.write(`${target.name}: CPU profile, share of samples by function (self time; a native one's callers below it):\n`);
      for (const { name, share, callers } of hotFunctions(profile)) {
        process.stderr.write(`${percent(share)}  ${name}\n`);
        for (const caller of callers) process.stderr.write(`         ${percent(caller.share)}  ← ${caller.name}\n`);
      }
      process.stderr.write(`${target.name}: CPU profile, share of samples by function (total time: its own and its callees'):\n`);
      for (const { name, share } of heavyFunctions(profile)) process.stderr.write(`${percent(share)}  ${name}\n`);
    }
    for (const charger of chargers) charger.close();
    // CPU and D1 include the deferred work the window's messages caused (flushes after it).
    if (drains) await sleep(target.drainSeconds * 1000);
    const cpu = cpuSeconds(target.pids) - cpuBefore;
    const supervisorCpu = cpuSeconds(target.supervisorPids) - supervisorCpuBefore;
    let d1Statements;
    if (d1Before !== undefined) {
      d1Statements = (await target.isolateStats()).d1Statements - d1Before;
      await sleep(2_000);
      const later = (await target.isolateStats()).d1Statements - d1Before;
      if (later !== d1Statements) process.stderr.write(`warning: D1 statements still rising after the drain (${d1Statements} → ${later})\n`);
      // wrangler dev reloads the Worker when a source file changes; counters would start again.
      if ((await target.isolateStats()).startedAt !== statsBefore.startedAt) {
        throw new Error('the CSMS restarted during the run (did a source file change?): its figures would be wrong');
      }
    }
    let commandLatenciesMs;
    if (target.api && options.commands > 0) {
      process.stderr.write(`${target.name}: ${options.commands} command round trips…\n`);
      commandLatenciesMs = await commandRoundTrips(target, options.commands);
    }
    // A server that logged errors (a failed handover, a failed D1 batch) did not do all the work
    // the figures assume: such a run is reported, and fails.
    const serverErrors = target.logTail ? target.logTail(Number.MAX_SAFE_INTEGER).split('\n').filter((l) => l.includes('"level":"error"')) : [];
    if (serverErrors.length > 0) process.stderr.write(`${target.name}: the server logged ${serverErrors.length} errors, first: ${serverErrors[0]}\n`);
    return {
      letter,
      name: target.name,
      serverErrors: serverErrors.length,
      messages: load.latenciesMs.length,
      errors: load.errors,
      elapsedS: load.elapsedS,
      latenciesMs: load.latenciesMs,
      cpuSeconds: cpu,
      supervisorCpuSeconds: supervisorCpu,
      peakRssMiB: peakRssMiB(target.pids),
      d1Statements,
      commandLatenciesMs,
    };
  } finally {
    await target.stop();
  }
}

/**
 * The charger-month profile for each version (MONTH_PROTOCOLS) and the cold start, on one CSMS
 * started by `start(vars)`. The FleetWriter copies to D1 every FLEET_FLUSH_SECONDS (2 s here unless
 * given), so that each sub-phase's facts reach D1 soon after it; meter values are due for the
 * archive 1 s after their transaction's stop (ARCHIVE_VARS), and each version's archive sub-phase
 * runs after every profile. A version the CSMS does not speak (a baseline's) is listed in
 * `unavailable`, not measured.
 */
async function measureMonth(start) {
  const vars = { FLEET_FLUSH_SECONDS: '2', ...ARCHIVE_VARS, ...options.csmsVars };
  const target = await start(vars);
  try {
    await target.api('PUT', `/id-tags/${BENCH_ID_TAG}`, { status: 'Accepted' });
    let cold;
    if (options.cold > 0) {
      process.stderr.write(`${target.name}: cold start, ${options.cold} chargers…\n`);
      cold = await coldStart(target, options.cold, args.profile && target.inspectorUrl ? coldProfiler(target) : undefined);
    }
    const profiles = [];
    const unavailable = [];
    for (const protocol of options.monthChargers > 0 ? MONTH_PROTOCOLS : []) {
      process.stderr.write(`${target.name}: charger-month profile, ${protocol}, ${options.monthChargers} chargers…\n`);
      const profile = await chargerMonthProfile(target, {
        protocol,
        chargers: options.monthChargers,
        heartbeats: options.monthHeartbeats,
        meters: options.monthMeters,
        flushDelaySeconds: Number(target.vars.FLUSH_DELAY_SECONDS),
      });
      if (profile.unavailable) process.stderr.write(`${target.name}: no ${protocol} profile: ${profile.unavailable}\n`);
      (profile.unavailable ? unavailable : profiles).push(profile);
    }
    for (const profile of profiles) {
      process.stderr.write(`${target.name}: the meter archive, ${profile.protocol}'s ${profile.transactions} transactions…\n`);
      profile.archive = await archiveSubPhase(target, profile);
      if (profile.archive.unavailable) process.stderr.write(`${target.name}: no archive figures: ${profile.archive.unavailable}\n`);
    }
    const serverErrors = target.logTail(Number.MAX_SAFE_INTEGER).split('\n').filter((l) => l.includes('"level":"error"')).length;
    return { target: target.name, vars: target.vars, drainSeconds: target.drainSeconds, cold, profiles, unavailable, serverErrors };
  } finally {
    await target.stop();
  }
}

/**
 * The same cold start on (b′), the bare object that writes each frame before answering: how much
 * of a first construction and a reconnect the runtime itself costs beside a steady message, the
 * floor under the CSMS's ratios.
 */
async function measureColdFloor() {
  const target = await startDurableBare();
  try {
    process.stderr.write(`${target.name}: cold start, ${options.cold} chargers…\n`);
    return await coldStart(target, options.cold);
  } finally {
    await target.stop();
  }
}

/**
 * --profile in the cold start: a CPU profile of each of its two parts (cold, then steady),
 * printed like the loop's, so where a first construction's CPU goes shows beside a warm one's.
 */
function coldProfiler(target) {
  const percent = (share) => `${(share * 100).toFixed(1).padStart(6)} %`;
  return async (label, run) => {
    const profiler = new InspectorProfiler(target.inspectorUrl);
    await profiler.connect();
    await profiler.start();
    try {
      return await run();
    } finally {
      const profile = await profiler.stop();
      process.stderr.write(`${target.name}: cold start, ${label}: CPU profile, self time:\n`);
      for (const { name, share, callers } of hotFunctions(profile)) {
        process.stderr.write(`${percent(share)}  ${name}\n`);
        for (const caller of callers) process.stderr.write(`         ${percent(caller.share)}  ← ${caller.name}\n`);
      }
      process.stderr.write(`${target.name}: cold start, ${label}: CPU profile, total time:\n`);
      for (const { name, share } of heavyFunctions(profile)) process.stderr.write(`${percent(share)}  ${name}\n`);
    }
  };
}

for (const part of options.parts) {
  if (!['load', 'month', 'idle', 'cdrs', 'console', 'alloc'].includes(part)) throw new Error(`unknown part ${part}: use load, month, idle, cdrs, console, alloc`);
}
const startedAt = new Date();
const runs = [];
for (const letter of options.parts.has('load') ? options.targets : []) {
  if (!STARTERS[letter]) throw new Error(`unknown target ${letter}: use ${Object.keys(STARTERS).join(', ')}`);
  runs.push(await measureLoad(letter));
}
// With --month-chargers 0 the cold start still runs (alone) unless --cold 0 too.
const monthWanted = options.parts.has('month') && (options.monthChargers > 0 || options.cold > 0);
const month = monthWanted ? await measureMonth((vars) => startCsms(vars)) : undefined;
if (month && options.cold > 0) month.coldFloor = await measureColdFloor();
let baseline;
if (args.baseline) {
  const checkout = baselineCheckout(args.baseline);
  try {
    const name = `(a) baseline ${args.baseline} (${checkout.commit})`;
    const start = (vars) => startCsms(vars, { config: checkout.config, name });
    process.stderr.write(`${name}: the same load and profile…\n`);
    const run = options.parts.has('load') && options.targets.length > 0 ? await measureLoad('a', () => start(options.csmsVars)) : undefined;
    baseline = { ref: args.baseline, commit: checkout.commit, run, month: monthWanted ? await measureMonth(start) : undefined };
  } finally {
    checkout.remove();
  }
}
const idle = [];
if (options.parts.has('idle') && options.idle > 0) {
  for (const letter of options.idleTargets) {
    if (!STARTERS[letter]) throw new Error(`unknown idle target ${letter}: use ${Object.keys(STARTERS).join(', ')}`);
    process.stderr.write(`idle scale (${letter}): up to ${options.idle} chargers, ${options.idleSeconds} s idle…\n`);
    idle.push(await idleScale({ start: STARTERS[letter], count: options.idle, idleSeconds: options.idleSeconds }));
  }
}
// The CDR CSV export (issue 14): a Worker's memory while it streams a large export.
let cdrs;
if (options.parts.has('cdrs') && options.cdrs > 0) {
  process.stderr.write(`CDR CSV export: ${options.cdrs} CDRs seeded, the export read while the Worker's RSS is sampled…\n`);
  const csms = await startCsms({}, { name: '(a) this CSMS' });
  try {
    cdrs = await cdrExportMemory(csms, { count: options.cdrs });
  } finally {
    await csms.stop();
  }
}
// What an open operator console costs in D1 (issue 15), idle and under load, live and polling.
let consoleResult;
if (options.parts.has('console') && options.consoleChargers > 0) {
  process.stderr.write(`console: ${options.consoleChargers} chargers, each view ${options.consoleSeconds} s…\n`);
  consoleResult = await consoleCost({ chargers: options.consoleChargers, seconds: options.consoleSeconds, stepSeconds: options.consoleStep, csmsVars: options.csmsVars });
}
// What the site allocator costs (issue 17): CPU per recomputation, messages per session-hour (in Node, no server).
const allocation = options.parts.has('alloc') ? allocationCost({ sizes: options.allocSessions, simulate: options.allocChargers }) : undefined;
const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim();
const consoleSection = consoleResult ? renderConsole(consoleResult, command) : '';
const allocationSection = allocation ? renderAllocation(allocation, command) : '';
// One part alone: its section only, and --write replaces only that section.
const only = options.parts.size === 1 ? { console: [consoleSection, CONSOLE_HEADING], alloc: [allocationSection, ALLOCATION_HEADING] }[[...options.parts][0]] : undefined;
const report = only
  ? only[0]
  : renderReport({ options, runs, idle, month, baseline, command, startedAt, finishedAt: new Date() }) + (cdrs ? renderCdrExport(cdrs) : '') + consoleSection + (allocationSection ? `\n${allocationSection}` : '');
process.stdout.write(report);
const resultsPath = resolve(import.meta.dirname, 'RESULTS.md');
if (args.write) writeFileSync(resultsPath, only ? replaceSection(readFileSync(resultsPath, 'utf8'), only[0], only[1]) : report);
if (args.json) {
  const monthJson = (m) => m && { ...m, costs: monthCosts(m, idle) };
  writeFileSync(
    args.json,
    JSON.stringify(
      { options: { ...options, parts: [...options.parts] }, runs: runs.map(summarize), idle, month: monthJson(month), cdrs, console: consoleResult, allocation, baseline: baseline && { ...baseline, run: baseline.run && summarize(baseline.run), month: monthJson(baseline.month) } },
      null,
      2,
    ),
  );
}
const monthFailed = (m) =>
  m && (m.serverErrors > 0 || m.profiles.some((p) => p.errors.length > 0 || (p.archive?.errors.length ?? 0) > 0) || (m.cold?.errors.length ?? 0) > 0);
const failed =
  runs.some((r) => r.errors.length > 0 || r.serverErrors > 0) ||
  idle.some((i) => i.chargers === 0 || i.stillOpen < i.chargers) ||
  monthFailed(month) ||
  (consoleResult && (consoleResult.errors.length > 0 || consoleResult.serverErrors > 0)) ||
  (baseline && ((baseline.run?.errors.length ?? 0) > 0 || monthFailed(baseline.month)));
process.exit(failed ? 1 : 0);
