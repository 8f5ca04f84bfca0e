// Helpers for the end-to-end catalogue: a strict ocpp-rpc charger that lives for a whole describe
// block (helpers.ts's connectCharger closes its client when one test ends), and what it sent.

import { RPCClient } from 'ocpp-rpc';
import { api, BOOT, chargerOptions, sleep, type BootResponse, type Charger, type Protocol } from './helpers.ts';

/**
 * A charger kept across tests: close it with `closeCharger` in afterAll. It is registered first
 * (PUT /chargers/{id}), so it connects and boots whatever the unknown-charger policy.
 */
export async function openBootedCharger(protocol: Protocol, id: string): Promise<Charger> {
  const registered = await api('PUT', `/chargers/${encodeURIComponent(id)}`);
  if (registered.status !== 201) throw new Error(`registering ${id}: ${registered.status} ${JSON.stringify(registered.body)}`);
  const client = new RPCClient(chargerOptions(protocol, id));
  try {
    await client.connect();
    if (client.protocol !== protocol) throw new Error(`negotiated ${client.protocol}, wanted ${protocol}`);
    const boot = (await client.call(BOOT[protocol].action, BOOT[protocol].params)) as BootResponse;
    if (boot.status !== 'Accepted') throw new Error(`boot answered ${JSON.stringify(boot)}`);
  } catch (error) {
    await closeCharger(client);
    throw error;
  }
  return client;
}

/** Closes the client; bounded, then the socket is cut (as helpers.ts does after each test). */
export async function closeCharger(client: Charger | undefined): Promise<void> {
  if (!client) return;
  await Promise.race([client.close({ force: true }).catch(() => undefined), sleep(2_000)]);
  (client as unknown as { _ws?: { terminate(): void } })._ws?.terminate();
}

/** The message id of each CALL the charger sent, by action (the latest one). */
export function recordCallIds(client: Charger): Map<string, string> {
  const ids = new Map<string, string>();
  client.on('message', ({ message, outbound }: { message: string | Buffer; outbound: boolean }) => {
    if (!outbound) return;
    try {
      const frame = JSON.parse(message.toString()) as unknown[];
      if (frame[0] === 2 && typeof frame[1] === 'string' && typeof frame[2] === 'string') ids.set(frame[2], frame[1]);
    } catch {
      // Not a frame of ours to record.
    }
  });
  return ids;
}

/** One CSMS-initiated call as the charger's handler saw it. */
export interface Received {
  action: string;
  params: unknown;
}
