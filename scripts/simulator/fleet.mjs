// A fleet of simulated chargers a program drives, for tests (issue 17's site e2e among them): N
// chargers against a CSMS, of mixed OCPP versions and per-charger settings, that do nothing on their
// own. The caller starts and stops their sessions, takes them off the network and back, reads what
// each draws, and stops them all; the chargers answer the CSMS's commands and obey its profiles as
// in a simulate.mjs run.

import { randomUUID } from 'node:crypto';
import { registerFleet } from './api.mjs';
import { VirtualCharger } from './charger.mjs';
import { Stats } from './stats.mjs';

const VERSIONS = { '1.6': 'ocpp1.6', '2.0.1': 'ocpp2.0.1', '2.1': 'ocpp2.1' };
const STOP_GRACE_MS = 15_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function subprotocol(version) {
  const protocol = VERSIONS[String(version).replace(/^ocpp/, '')];
  if (!protocol) throw new TypeError(`protocol must be 1.6, 2.0.1 or 2.1, not ${JSON.stringify(version)}`);
  return protocol;
}

/** One charger of the fleet, as its driver sees it. */
export class FleetCharger {
  constructor(fleet, charger) {
    this.fleet = fleet;
    this.charger = charger;
    this.id = charger.id;
    this.protocol = charger.protocol;
    this.run = charger.run();
  }

  get online() {
    return this.charger.online;
  }

  /** The running transaction's id (1.6: the CSMS's number; 2.0.1 / 2.1: the charger's UUID), or undefined. */
  get transactionId() {
    const session = this.charger.session;
    return session?.charging ? session.txId : undefined;
  }

  /** The profiles it has installed (profiles.mjs shape). */
  get profiles() {
    return [...this.charger.profiles.profiles];
  }

  /** Resolves once it is connected and booted (or back after reconnect()). */
  whenOnline() {
    return this.charger.whenOnline();
  }

  /**
   * A car plugs in, the driver's tag is authorized, the transaction starts; resolves with its id
   * once the CSMS answered the start. `carAmps`: the car's maximum per phase (default 32); `curve`:
   * ramp up and taper off rather than draw the maximum throughout. Fails when a session runs already
   * or the CSMS refuses the tag.
   */
  async startSession({ idTag = this.fleet.tag, carAmps = 32, curve = false } = {}) {
    await this.whenOnline();
    const session = this.charger.startSession({ idToken: { idToken: idTag, type: 'ISO14443' }, lengthMs: Infinity, carAmps, curve });
    if (!session) throw new Error(`${this.id}: a session runs already`);
    const transactionId = await session.started;
    if (transactionId === null) throw new Error(`${this.id}: the session did not start (tag ${idTag} refused, or stopped first)`);
    return transactionId;
  }

  /** The driver stops with the card: StopTransaction / TransactionEvent Ended; resolves once it ended. */
  async stopSession() {
    const run = this.charger.sessionRun;
    this.charger.session?.requestStop('driver');
    await run;
  }

  /** Off the network, as a fault would take it: the car keeps charging under the profiles it has; messages wait. */
  disconnect() {
    return this.charger.dropConnection();
  }

  /** Back on the network (no new boot); resolves once connected, the readings that waited then go out. */
  async reconnect() {
    if (!(await this.charger.reconnect())) throw new Error(`${this.id}: did not reconnect before the fleet stopped`);
  }

  /** What it draws now: { amps (per phase), phases, powerW, limitAmps (the profiles' limit, null: none) }. */
  draw() {
    return this.charger.draw();
  }
}

/** The fleet startFleet returns. */
export class Fleet {
  constructor({ tag, stats }) {
    this.tag = tag;
    this.stats = stats;
    this.chargers = [];
    this.stopping = null;
  }

  /** The charger with this id. */
  charger(id) {
    const found = this.chargers.find((c) => c.id === id);
    if (!found) throw new Error(`no charger ${id} in the fleet`);
    return found;
  }

  /** Every protocol or connection error so far ("kind: message" → count). */
  errors() {
    return Object.fromEntries(this.stats.errors);
  }

  /** Stops every session (StopTransaction / TransactionEvent Ended), closes every socket; false when that took too long. */
  stop() {
    this.stopping ??= (async () => {
      const shutdown = Promise.all(this.chargers.map((c) => c.charger.shutdown(c.run)));
      return Promise.race([shutdown.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
    })();
    return this.stopping;
  }
}

/**
 * Starts a fleet and resolves once every charger is online (booted), within `onlineTimeoutMs`.
 * - url: the CSMS's OCPP endpoint (ws://host/ocpp); chargers connect to <url>/<id>.
 * - chargers: how many, or one entry per charger: { id?, protocol?, rejectProfiles?, maxAmps?, phases? }.
 * - protocols: the versions taken in turn by chargers that name none (default ['2.0.1', '1.6']; '2.1' too).
 * - idPrefix: ids <prefix>-0001, … (default a fresh FLEET-xxxxxx); tag: the id tag sessions present (default <prefix>-TAG).
 * - maxAmps (rating per phase, default 32), rejectProfiles, phases (1 or 3; default every fourth 1):
 *   for every charger that does not say.
 * - meterInterval: seconds between readings while charging (default 5); password: HTTP Basic password.
 * - api, token: register the chargers and the tag (Accepted) through the CSMS's API first.
 */
export async function startFleet(options) {
  const specs = typeof options.chargers === 'number' ? Array.from({ length: options.chargers }, () => ({})) : options.chargers;
  if (!Array.isArray(specs) || specs.length === 0) throw new TypeError('chargers: a number or a list of chargers');
  const prefix = options.idPrefix ?? `FLEET-${randomUUID().slice(0, 6)}`;
  const protocols = options.protocols ?? ['2.0.1', '1.6'];
  const ids = specs.map((spec, i) => spec.id ?? `${prefix}-${String(i + 1).padStart(4, '0')}`);
  const tag = options.tag ?? `${prefix}-TAG`.slice(0, 20);
  const common = {
    url: String(options.url).replace(/\/+$/, ''),
    password: options.password,
    tag,
    duration: 3600, // how chargers shorten their heartbeat and boot retries; a driven fleet has no end of its own
    meterInterval: options.meterInterval ?? 5,
    manual: true,
  };
  if (options.api) await registerFleet({ api: options.api.replace(/\/+$/, ''), token: options.token, tag, ids, password: options.password });

  const stats = new Stats(specs.length);
  const fleet = new Fleet({ tag, stats });
  specs.forEach((spec, i) => {
    const charger = new VirtualCharger({
      id: ids[i],
      index: i,
      protocol: subprotocol(spec.protocol ?? protocols[i % protocols.length]),
      options: {
        ...common,
        maxAmps: spec.maxAmps ?? options.maxAmps ?? 32,
        rejectProfiles: spec.rejectProfiles ?? options.rejectProfiles ?? false,
        ...((spec.phases ?? options.phases) ? { phases: spec.phases ?? options.phases } : {}),
      },
      stats,
      deadline: Infinity,
    });
    stats.started++;
    fleet.chargers.push(new FleetCharger(fleet, charger));
  });

  const timeout = options.onlineTimeoutMs ?? 30_000;
  const online = Promise.all(fleet.chargers.map((c) => c.whenOnline()));
  online.catch(() => {}); // rejected only when the fleet stops first, which is handled below
  const inTime = await Promise.race([online.then(() => true), sleep(timeout).then(() => false)]);
  if (!inTime) {
    await fleet.stop();
    throw new Error(`not every charger was online within ${timeout / 1000} s: ${JSON.stringify(fleet.errors())}`);
  }
  return fleet;
}
