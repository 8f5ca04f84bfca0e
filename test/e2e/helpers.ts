// Helpers for the end-to-end tests: strict ocpp-rpc chargers and an API client, both against `wrangler dev`.

import { randomUUID } from 'node:crypto';
import { RPCClient } from 'ocpp-rpc';
import { inject, onTestFinished } from 'vitest';
import { E2E_API_TOKEN } from './global-setup.ts';
import { ocpp21Validator } from './ocpp21-validator.ts';
import { openSocket, type RawSocket } from './raw-socket.ts';

export type Protocol = 'ocpp1.6' | 'ocpp2.0.1' | 'ocpp2.1';
export type Charger = InstanceType<typeof RPCClient>;

export const baseUrl = (): string => inject('baseUrl');

/** A charger id no other test (or run) uses. */
export function uniqueChargerId(prefix = 'E2E'): string {
  return `${prefix}-${randomUUID().slice(0, 13)}`;
}

/**
 * The options of a strict-mode test charger: every frame it sends or accepts is checked against the
 * official schemas, ocpp-rpc's own copy for 1.6 and 2.0.1 and typed-ocpp's for 2.1.
 */
export function chargerOptions(protocol: Protocol, id: string, password?: string): ConstructorParameters<typeof RPCClient>[0] {
  const options = {
    identity: id,
    ...(password === undefined ? {} : { password }),
    endpoint: `${baseUrl().replace(/^http/, 'ws')}/ocpp`,
    protocols: [protocol],
    strictMode: true,
    strictModeValidators: [ocpp21Validator],
    reconnect: false,
    pingIntervalMs: 0,
    callTimeoutMs: 10_000,
  };
  return options as ConstructorParameters<typeof RPCClient>[0];
}

/** Connects a strict-mode charger (see chargerOptions); it is closed when the test ends. */
export async function connectCharger(protocol: Protocol, id = uniqueChargerId(), password?: string): Promise<Charger> {
  const client = new RPCClient(chargerOptions(protocol, id, password));
  onTestFinished(async () => {
    // close() on a client already closing waits for that close; bound it, then cut the socket.
    await Promise.race([client.close({ force: true }).catch(() => undefined), sleep(2_000)]);
    (client as unknown as { _ws?: { terminate(): void } })._ws?.terminate();
  });
  await client.connect();
  if (client.protocol !== protocol) throw new Error(`negotiated ${client.protocol}, wanted ${protocol}`);
  return client;
}

/** A schema-valid BootNotification for each version, and what it says about the charger. */
export const BOOT = {
  'ocpp1.6': {
    action: 'BootNotification',
    params: { chargePointVendor: 'E2E Vendor', chargePointModel: 'E2E Model 16', firmwareVersion: '1.2.3' },
    vendor: 'E2E Vendor',
    model: 'E2E Model 16',
  },
  'ocpp2.0.1': {
    action: 'BootNotification',
    params: {
      reason: 'PowerUp',
      chargingStation: { vendorName: 'E2E Vendor', model: 'E2E Model 201', firmwareVersion: '2.0.1' },
    },
    vendor: 'E2E Vendor',
    model: 'E2E Model 201',
  },
  'ocpp2.1': {
    action: 'BootNotification',
    params: {
      reason: 'PowerUp',
      chargingStation: { vendorName: 'E2E Vendor', model: 'E2E Model 21', firmwareVersion: '2.1' },
    },
    vendor: 'E2E Vendor',
    model: 'E2E Model 21',
  },
} as const satisfies Record<Protocol, { action: string; params: object; vendor: string; model: string }>;

export interface BootResponse {
  status: string;
  currentTime: string;
  interval: number;
}

/** Connects and boots a charger; fails unless the boot is Accepted. */
export async function bootedCharger(protocol: Protocol, id?: string): Promise<Charger> {
  const client = await connectCharger(protocol, id);
  const boot = (await client.call(BOOT[protocol].action, BOOT[protocol].params)) as BootResponse;
  if (boot.status !== 'Accepted') throw new Error(`boot answered ${JSON.stringify(boot)}`);
  return client;
}

/** An OCPP frame as JSON: [2, id, action, payload], [3, id, payload], [4|5, id, code, text, details], [6, id, action, payload]. */
export type Frame = [number, string, ...unknown[]];

/**
 * A charger's connection without ocpp-rpc, for frames a strict client cannot send (2.1 SEND
 * `[6, id, action, payload]`, CALLRESULTERROR `[5, id, code, description, details]`) and for reading
 * exactly what the CSMS answers. Fails unless the server chose `protocol`; closed when the test ends.
 */
export async function openRawSocket(protocol: Protocol, id = uniqueChargerId()): Promise<RawSocket<Frame>> {
  const socket = await openSocket<Frame>(`${baseUrl().replace(/^http/, 'ws')}/ocpp/${encodeURIComponent(id)}`, {
    protocols: [protocol],
  });
  if (socket.protocol !== protocol) throw new Error(`negotiated ${JSON.stringify(socket.protocol)}, wanted ${protocol}`);
  return socket;
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
}

/** Calls the operator API with the bearer token (or `token`, or none when `token` is null). */
export async function api<T = any>(
  method: string,
  path: string,
  body?: unknown,
  token: string | null = E2E_API_TOKEN,
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl()}/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(25_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON; the tests will say so.
  }
  return { status: res.status, body: parsed as T };
}

/** POST /api/v1/chargers/:id/commands/:action */
export function command<T = any>(
  chargerId: string,
  action: string,
  payload: unknown,
  timeoutSeconds?: number,
): Promise<ApiResponse<T>> {
  const query = timeoutSeconds === undefined ? '' : `?timeoutSeconds=${timeoutSeconds}`;
  return api<T>('POST', `/chargers/${encodeURIComponent(chargerId)}/commands/${action}${query}`, payload);
}

/** Every frame the CSMS sent to this charger, parsed, as it arrives. */
export function recordInbound(client: Charger): unknown[][] {
  const frames: unknown[][] = [];
  client.on('message', ({ message, outbound }: { message: string | Buffer; outbound: boolean }) => {
    if (outbound) return;
    try {
      frames.push(JSON.parse(message.toString()) as unknown[]);
    } catch {
      frames.push(['unparsable', message.toString()]);
    }
  });
  return frames;
}

/** Polls `probe` until it returns something other than undefined; throws after `ms`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
