// One virtual charger: its connection (connect, boot, status, heartbeats, reconnect after a reset
// or a dropped socket), what it does on its own (idle, charge, idle, maybe charge again) or, driven
// by a test (fleet.mjs), nothing but what it is told, its charging profiles, and its clean stop at
// the end of the run.

import rpc from 'ocpp-rpc';
import { registerCommandHandlers } from './commands.mjs';
import { deviceConfig } from './device-config.mjs';
import { chargerPhases, Meter, modelName } from './meter.mjs';
import { limitAt, ProfileStore } from './profiles.mjs';
import { strictValidators } from './schemas.mjs';
import { Session } from './sessions.mjs';

const { RPCClient } = rpc;

/** Thrown to unwind a flow when the charger went offline for good (the end of the run). */
export class Offline extends Error {}

const between = (lo, hi) => lo + Math.random() * (hi - lo);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class VirtualCharger {
  constructor({ id, index, protocol, options, stats, deadline }) {
    this.id = id;
    this.index = index;
    this.protocol = protocol;
    this.v16 = protocol === 'ocpp1.6';
    this.options = options;
    this.stats = stats;
    this.deadline = deadline;
    this.durationMs = options.duration * 1000;
    this.maxAmps = options.maxAmps ?? 32; // the charger's rating, per phase
    const phases = options.phases ?? chargerPhases(index);
    this.kind = { phases, model: modelName(phases, this.maxAmps) };
    this.rejectProfiles = Boolean(options.rejectProfiles);
    this.profiles = new ProfileStore();
    this.manual = Boolean(options.manual); // no sessions of its own: a test starts and stops them
    this.meter = new Meter(Math.round(between(100_000, 5_000_000)), this.kind.phases);
    this.password = options.password;
    this.heartbeatS = 300;
    this.meterIntervalS = options.meterInterval;
    this.config = deviceConfig(this);
    this.available = true;
    this.pendingAvailability = undefined; // 'Operative' | 'Inoperative' once the session ends
    this.localListVersion = 0;
    this.session = null;
    this.sessionRun = null;
    this.client = null;
    this.closingClient = null; // a client this charger is closing itself
    this.online = false; // connected with an Accepted boot
    this.stopping = false;
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
    this.dropped = false; // off the network on purpose (dropConnection), the session going on
    this.sleepers = new Set();
    this.onlineWaiters = [];
    this.heartbeatTimer = null;
    this.tasks = new Set(); // command follow-ups under way
    this.pendingReset = undefined; // a 2.0.1 OnIdle reset waiting for the session to end
  }

  // ---- time ----

  /** Wakes every pause, so flows re-check their conditions. */
  wake() {
    for (const done of [...this.sleepers]) done();
  }

  pause(ms) {
    if (this.stopping || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  /** Waits until `time`, or until `until()` holds or the run ends. */
  async pauseUntil(time, until = () => false) {
    while (!this.stopping && !until() && Date.now() < time) await this.pause(time - Date.now());
  }

  // ---- the connection ----

  newClient() {
    const client = new RPCClient({
      identity: this.id,
      endpoint: this.options.url,
      protocols: [this.protocol],
      strictMode: true,
      strictModeValidators: strictValidators(),
      reconnect: false,
      pingIntervalMs: 0,
      callTimeoutMs: 30_000,
      ...(this.password === undefined ? {} : { password: this.password }),
    });
    client.on('message', ({ outbound }) => (outbound ? this.stats.sent++ : this.stats.received++));
    client.on('strictValidationFailure', ({ method, outbound, isCall, error }) => {
      if (isCall && !outbound) this.stats.error('invalid call from the CSMS', `${method}: ${error.message}`);
      if (!isCall && outbound) this.stats.error('invalid answer by the simulator', `${method}: ${error.message}`);
    });
    client.on('badMessage', ({ error }) => this.stats.error('bad frame from the CSMS', error?.message ?? error));
    client.on('disconnect', ({ code, reason }) => this.onDisconnect(client, code, reason));
    registerCommandHandlers(this, client);
    return client;
  }

  /**
   * Connects and boots, retrying until it works or the run ends; false when the run ended first.
   * Without `boot` (back after a network fault, not a restart) it reports its status only.
   */
  async establish(bootReason, { boot = true } = {}) {
    let backoff = 1_000;
    const retry = async () => {
      await this.pause(backoff);
      backoff = Math.min(backoff * 2, 30_000);
    };
    while (!this.stopping) {
      const client = this.newClient();
      try {
        await client.connect();
      } catch (error) {
        this.stats.error('connect', error.code ? `HTTP ${error.code} ${error.message}` : error.message);
        await retry();
        continue;
      }
      this.client = client;
      this.stats.connected++;
      try {
        if (!boot || (await this.boot(client, bootReason))) {
          await this.reportStatus(client);
          this.goOnline();
          return true;
        }
      } catch {
        // Counted where it failed; start over on a new connection.
      }
      if (this.client === client) await this.disconnect();
      await retry();
    }
    for (const waiter of this.onlineWaiters.splice(0)) waiter.reject(new Offline());
    return false;
  }

  bootParams(reason) {
    const station = { model: this.kind.model, serialNumber: `SN-${this.id}`.slice(0, 25), firmwareVersion: '1.0.0-sim' };
    return this.v16
      ? {
          chargePointVendor: 'OCPP Simulator',
          chargePointModel: station.model,
          chargePointSerialNumber: station.serialNumber,
          firmwareVersion: station.firmwareVersion,
        }
      : { reason, chargingStation: { vendorName: 'OCPP Simulator', ...station } };
  }

  /** BootNotification until Accepted (Pending and Rejected are retried after their interval). */
  async boot(client, reason) {
    const params = this.bootParams(reason);
    while (!this.stopping && this.client === client) {
      const answer = await this.send(client, 'BootNotification', params);
      this.heartbeatS = answer.interval;
      if (answer.status === 'Accepted') {
        this.stats.booted.add(this.id);
        return true;
      }
      // Not yet: try again after the interval it gave (within reason for a short run).
      await this.pause(Math.min(Math.max(answer.interval, 1), 10, Math.max(1, this.options.duration / 5)) * 1000);
    }
    return false;
  }

  /** What the connectors show after a boot: 1.6 the charge point (0) and connector 1, 2.0.1 and 2.1 EVSE 1 connector 1. */
  async reportStatus(client) {
    if (this.v16) await this.send(client, 'StatusNotification', this.statusParams(this.available ? 'Available' : 'Unavailable', 0));
    const status = this.session ? (this.v16 ? (this.session.charging ? 'Charging' : 'Preparing') : 'Occupied') : this.idleStatus();
    await this.send(client, 'StatusNotification', this.statusParams(status));
  }

  idleStatus() {
    return this.available ? 'Available' : 'Unavailable';
  }

  statusParams(status, connectorId = 1) {
    const timestamp = new Date().toISOString();
    return this.v16
      ? { connectorId, errorCode: 'NoError', status, timestamp }
      : { timestamp, connectorStatus: status, evseId: 1, connectorId };
  }

  statusNotification(status) {
    return this.call('StatusNotification', this.statusParams(status));
  }

  goOnline() {
    this.online = true;
    for (const waiter of this.onlineWaiters.splice(0)) waiter.resolve();
    this.scheduleHeartbeat();
  }

  setOffline() {
    this.online = false;
    clearTimeout(this.heartbeatTimer);
  }

  onDisconnect(client, code, reason) {
    if (client !== this.client) return;
    const wasOnline = this.online;
    this.client = null;
    this.stats.connected--;
    this.setOffline();
    if (client === this.closingClient || this.stopping) {
      // A network drop keeps the calls waiting for the reconnection.
      if (!this.dropped || this.stopping) for (const waiter of this.onlineWaiters.splice(0)) waiter.reject(new Offline());
      return;
    }
    this.stats.error('disconnected', `closed by the CSMS with ${code}${reason ? ` ${reason}` : ''}`);
    // A real charger reconnects; this one boots again too. During a boot, establish() retries itself.
    if (wasOnline) this.establish(this.v16 ? 'PowerUp' : 'Unknown').catch(() => {});
  }

  /** Closes the socket on purpose (reset, end of run). */
  async disconnect() {
    const client = this.client;
    if (!client) return;
    this.closingClient = client;
    this.setOffline();
    const reason = this.stopping ? 'Simulation ended' : this.dropped ? 'Network drop' : 'Reset';
    const closed = client.close({ code: 1000, reason }).catch(() => {});
    await Promise.race([closed, sleep(3_000)]);
    if (this.client === client) {
      await client.close({ force: true }).catch(() => {});
      this.onDisconnect(client, 1006, 'forced');
    }
  }

  /** The heartbeat interval the boot gave (or the CSMS set), shortened so a short run still sends some. */
  scheduleHeartbeat() {
    clearTimeout(this.heartbeatTimer);
    const seconds = Math.min(this.heartbeatS > 0 ? this.heartbeatS : 300, Math.max(1, this.options.duration / 3));
    this.heartbeatTimer = setTimeout(async () => {
      if (!this.online) return;
      try {
        await this.send(this.client, 'Heartbeat', {});
      } catch {
        // counted
      }
      if (this.online) this.scheduleHeartbeat();
    }, seconds * 1000);
  }

  setHeartbeatInterval(seconds) {
    this.heartbeatS = seconds;
    if (this.online) this.scheduleHeartbeat();
    return true;
  }

  setMeterInterval(seconds) {
    this.meterIntervalS = seconds;
    return true;
  }

  // ---- calls ----

  /** One call on `client`; a failure is counted unless the connection went away under it. */
  async send(client, action, params) {
    try {
      return await client.call(action, params);
    } catch (error) {
      if (client !== this.client || client.state !== RPCClient.OPEN) throw new Offline(`${action}: offline`);
      const code = error.rpcErrorCode ? `${error.rpcErrorCode} ` : '';
      this.stats.error(`${action} failed`, `${code}${error.message}`);
      error.counted = true;
      throw error;
    }
  }

  /** A call once online; if the connection drops under it, sent again after the reconnection. */
  async call(action, params) {
    for (;;) {
      await this.whenOnline();
      try {
        return await this.send(this.client, action, params);
      } catch (error) {
        if (!(error instanceof Offline) || this.stopping) throw error;
      }
    }
  }

  whenOnline() {
    if (this.online) return Promise.resolve();
    if (this.stopping) return Promise.reject(new Offline());
    return new Promise((resolve, reject) => this.onlineWaiters.push({ resolve, reject }));
  }

  /** Off the network as a fault would take it: the session and its car go on, its calls wait for reconnect(). */
  async dropConnection() {
    this.dropped = true;
    await this.disconnect();
  }

  /** Back on the network: connects again without a boot (it did not restart), reports its status, sends what waited. */
  async reconnect() {
    this.dropped = false;
    if (this.client) return true;
    return this.establish(this.v16 ? 'PowerUp' : 'Unknown', { boot: false });
  }

  // ---- charging ----

  /** The limit in force on its EVSE at `at` (profiles.mjs limitAt), for the session running there. */
  limitAt(at = Date.now()) {
    return limitAt(this.profiles.profiles, { at, evseId: 1, transaction: this.session?.transaction ?? null });
  }

  /** What it draws now: amps per phase on `phases` phases, the power, and the limit in force (A, null: none). */
  draw() {
    return { amps: this.meter.amps, phases: this.meter.phasesInUse, powerW: this.meter.powerW, limitAmps: this.limitAt().amps };
  }

  // ---- behaviour ----

  /** The charger's life: connect and boot, then idle and charge until the run ends (driven by a test: wait for the end). */
  async run() {
    try {
      if (!(await this.establish('PowerUp'))) return;
      if (this.manual) {
        await this.stopped;
        if (this.sessionRun) await this.sessionRun;
        return;
      }
      await this.pauseUntil(Date.now() + this.idleMs() / 2, () => this.sessionRun !== null);
      while (!this.stopping) {
        if (this.sessionRun) {
          await this.sessionRun;
          await this.pauseUntil(Date.now() + this.idleMs(), () => this.sessionRun !== null);
          continue;
        }
        const room = this.deadline - Date.now() - this.endMarginMs();
        if (!this.online || !this.available || room < 1_500) {
          await this.pauseUntil(Date.now() + 1_000, () => this.sessionRun !== null);
          continue;
        }
        this.startSession({ idToken: { idToken: this.options.tag, type: 'ISO14443' }, lengthMs: this.sessionLengthMs() });
      }
      if (this.sessionRun) await this.sessionRun;
    } catch (error) {
      this.unexpected(error);
    }
  }

  /** Counts an error no call counted already (a bug in the simulator, most likely). */
  unexpected(error) {
    if (!(error instanceof Offline) && !error?.counted) this.stats.error('simulator', `${this.id}: ${error?.stack ?? error}`);
  }

  /** Runs a command's follow-up; the end of the run waits for it. */
  track(promise) {
    const task = promise.catch((error) => this.unexpected(error)).finally(() => this.tasks.delete(task));
    this.tasks.add(task);
  }

  /** A session takes a quarter to a half of the run (1.5 s to 90 min) and ends before the run does if it can. */
  sessionLengthMs() {
    const room = this.deadline - Date.now() - this.endMarginMs();
    const length = Math.min(90 * 60_000, Math.max(1_500, this.durationMs * between(0.25, 0.5)));
    return room >= 1_500 ? Math.min(length, room) : length;
  }

  idleMs() {
    return Math.min(10 * 60_000, this.durationMs * between(0.05, 0.15));
  }

  endMarginMs() {
    return Math.max(500, Math.min(5_000, this.durationMs * 0.05));
  }

  /** Starts a session (after `gate`, e.g. the answer to a remote start) unless one runs; returns it, or null. */
  startSession(plan, gate = Promise.resolve()) {
    if (this.session) {
      gate.catch(() => {});
      return null;
    }
    const session = new Session(this, plan);
    this.session = session;
    this.sessionRun = (async () => {
      try {
        await gate;
        await session.run();
      } catch (error) {
        // A failed call was counted where it failed; Offline means the run is over.
        this.unexpected(error);
      } finally {
        session.resolveStarted(null);
        if (session.charging) {
          session.charging = false;
          this.stats.charging--;
        }
        this.session = null;
      }
      await this.afterSession().catch(() => {});
      this.sessionRun = null;
      this.wake();
    })();
    this.wake();
    return session;
  }

  /** The connector is free again: apply a change of availability that waited for the session, report it. */
  async afterSession() {
    if (this.pendingAvailability !== undefined) {
      this.available = this.pendingAvailability === 'Operative';
      this.pendingAvailability = undefined;
    }
    if (this.online) await this.statusNotification(this.idleStatus());
    if (this.pendingReset !== undefined && !this.stopping) {
      const kind = this.pendingReset;
      this.pendingReset = undefined;
      this.track(this.reset(kind));
    }
  }

  /** Reset: end the session, close, reconnect after a moment and boot again. */
  async reset(kind) {
    if (this.session) {
      this.session.requestStop(kind === 'Hard' ? 'hardReset' : 'softReset');
      await this.sessionRun;
    }
    await this.disconnect();
    await this.pause(1_000);
    if (!this.stopping) await this.establish(this.v16 ? 'PowerUp' : 'RemoteReset');
  }

  /** The end of the run: stop the session with StopTransaction / TransactionEvent Ended, then close. */
  async shutdown(run) {
    this.stopping = true;
    this.resolveStopped();
    this.session?.requestStop('shutdown');
    this.wake();
    if (!this.online) for (const waiter of this.onlineWaiters.splice(0)) waiter.reject(new Offline());
    await run;
    await Promise.all([...this.tasks]);
    await this.disconnect();
  }
}
