// Command API round trip: POST a command, the CSMS forwards it to the charger's object and on to
// the charger, which answers at once; timed from the POST to the HTTP response.

import { BenchCharger } from './load.mjs';
import { bootNotification } from './mix.mjs';

export async function commandRoundTrips(target, count) {
  const charger = new BenchCharger(target.ocppUrl, 'BENCH-COMMANDS', 'ocpp1.6', () => ({ status: 'Accepted' }));
  await charger.connect();
  await charger.call('BootNotification', bootNotification('ocpp1.6'));
  const latenciesMs = [];
  try {
    for (let i = 0; i < count; i++) {
      const sent = performance.now();
      const result = await target.api('POST', '/chargers/BENCH-COMMANDS/commands/ClearCache', {});
      latenciesMs.push(performance.now() - sent);
      if (result?.result?.status !== 'Accepted') throw new Error(`ClearCache answered ${JSON.stringify(result)}`);
    }
  } finally {
    charger.close();
  }
  return latenciesMs;
}
