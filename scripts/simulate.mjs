// The charger simulator: `npm run simulate -- --chargers 50 --protocol 2.0.1 --url ws://…/ocpp`
// runs N virtual OCPP chargers against a CSMS for a bounded time, then stops them cleanly and
// prints a summary. The chargers themselves live in scripts/simulator/.

import { registerFleet, RegistrationError } from './simulator/api.mjs';
import { VirtualCharger } from './simulator/charger.mjs';
import { OptionError, parseOptions, protocolOf, USAGE } from './simulator/options.mjs';
import { startProgress, Stats } from './simulator/stats.mjs';

const SHUTDOWN_GRACE_MS = 15_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function fail(message, code = 2) {
  process.stderr.write(`simulate: ${message}\n`);
  process.exit(code);
}

async function main() {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (error instanceof OptionError) fail(`${error.message}\n\n${USAGE}`);
    throw error;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  const protocols = options.ids.map((_, i) => protocolOf(options, i));
  process.stderr.write(
    `simulate: ${options.chargers} charger(s) (${options.protocol}) → ${options.url} for ${options.duration} s, tag ${options.tag}\n`,
  );

  if (options.api) {
    process.stderr.write(`simulate: registering ${options.chargers} charger(s) and tag ${options.tag} at ${options.api}\n`);
    try {
      await registerFleet(options);
    } catch (error) {
      fail(`registration failed: ${error instanceof RegistrationError ? error.message : error}`);
    }
  }

  const stats = new Stats(options.chargers);
  const deadline = Date.now() + options.duration * 1000;
  const chargers = [];
  const runs = [];
  let stopping = false;
  let resolveStopped;
  const stopped = new Promise((resolve) => (resolveStopped = resolve));
  const stopAll = () => {
    stopping = true;
    resolveStopped();
  };
  let signals = 0;
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      if (++signals > 1) {
        process.stderr.write(`\nsimulate: ${signal} again, exiting without a clean stop\n`);
        process.exit(130);
      }
      process.stderr.write(`\nsimulate: ${signal}, stopping every session…\n`);
      stopAll();
    });
  }

  // A bug in a charger's flow is counted, never fatal: the others keep running and stop cleanly.
  process.on('unhandledRejection', (error) => stats.error('simulator', error?.stack ?? error));

  const stopProgress = startProgress(stats);

  // Ramp: `--ramp` chargers a second, so neither this machine nor the CSMS is flooded.
  const ramp = (async () => {
    for (let i = 0; i < options.ids.length && !stopping; i += options.ramp) {
      for (const [j, id] of options.ids.slice(i, i + options.ramp).entries()) {
        const charger = new VirtualCharger({ id, index: i + j, protocol: protocols[i + j], options, stats, deadline });
        chargers.push(charger);
        runs.push(charger.run());
        stats.started++;
      }
      if (i + options.ramp < options.ids.length) await Promise.race([sleep(1_000), stopped]);
    }
  })();

  await Promise.race([sleep(Math.max(0, deadline - Date.now())), stopped]);
  stopAll();
  await ramp;

  // Stop every session (StopTransaction / TransactionEvent Ended), then close every socket.
  const shutdown = Promise.all(chargers.map((charger, i) => charger.shutdown(runs[i])));
  const clean = await Promise.race([shutdown.then(() => true), sleep(SHUTDOWN_GRACE_MS).then(() => false)]);
  if (!clean) {
    stats.error('shutdown', `not every charger stopped within ${SHUTDOWN_GRACE_MS / 1000} s`);
  }
  stopProgress();
  process.stdout.write(`${stats.summary(protocols)}\n`);
  return stats.errorCount > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`simulate: ${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
