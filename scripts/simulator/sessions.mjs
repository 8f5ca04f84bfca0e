// A charging session of a virtual charger, in OCPP 1.6 (Authorize, StartTransaction, MeterValues,
// StopTransaction) or 2.0.1 (Authorize, TransactionEvent Started / Updated / Ended with seqNo). Its
// car draws the lowest of its own maximum, the charger's rating and the charging profiles' limit,
// re-decided at each sample and at once when the profiles change (then a sample goes out too).

import { randomUUID } from 'node:crypto';
import { ChargingCurve } from './meter.mjs';
import { carDraw } from './profiles.mjs';

/** The cars of the automatic sessions: what each accepts at most, per phase. */
const CAR_AMPS = [16, 32];

/** How a session ends, as each version says it. */
const STOPS = {
  evFull: { reason16: 'EVDisconnected', trigger: 'EVDeparted', stoppedReason: 'EVDisconnected', chargingState: 'Idle' },
  driver: { reason16: 'Local', trigger: 'StopAuthorized', stoppedReason: 'Local', chargingState: 'EVConnected', withTag: true },
  remote: { reason16: 'Remote', trigger: 'RemoteStop', stoppedReason: 'Remote', chargingState: 'EVConnected' },
  softReset: { reason16: 'SoftReset', trigger: 'ResetCommand', stoppedReason: 'ImmediateReset', chargingState: 'EVConnected' },
  hardReset: { reason16: 'HardReset', trigger: 'ResetCommand', stoppedReason: 'ImmediateReset', chargingState: 'EVConnected' },
  unlock: { reason16: 'UnlockCommand', trigger: 'UnlockCommand', stoppedReason: 'Other', chargingState: 'EVConnected' },
  deauthorized: { reason16: 'DeAuthorized', trigger: 'Deauthorized', stoppedReason: 'DeAuthorized', chargingState: 'EVConnected' },
  // The end of the run: the driver comes back and stops with the card.
  shutdown: { reason16: 'Local', trigger: 'StopAuthorized', stoppedReason: 'Local', chargingState: 'EVConnected', withTag: true },
};

export class Session {
  /**
   * `plan`: { idToken: {idToken, type}, lengthMs (Infinity: until stopped), remote?: true,
   * remoteStartId? (2.0.1), carAmps? (the car's maximum per phase; else --car-amps, else 16 or 32 at random), curve?
   * (false: the car takes its maximum throughout, rather than ramping up and tapering off),
   * chargingProfile? (a remote start's TxProfile, read by profiles.mjs, installed when the transaction starts) }.
   */
  constructor(charger, plan) {
    this.charger = charger;
    this.plan = plan;
    this.remote = Boolean(plan.remote);
    this.naturalEnd = Math.random() < 0.5 ? 'evFull' : 'driver';
    this.stop = null; // a key of STOPS once the session is asked to end
    this.charging = false;
    this.txId = undefined; // 1.6: the CSMS's number; 2.0.1: ours
    this.seqNo = 0;
    this.startWh = 0;
    this.carAmps = plan.carAmps ?? charger.options.carAmps ?? CAR_AMPS[Math.floor(Math.random() * CAR_AMPS.length)];
    this.promptSample = false; // the profiles changed: a reading goes out now rather than at the interval
    // Settles when the transaction started (its id) or the session ended without one (null).
    this.started = new Promise((resolve) => (this.resolveStarted = resolve));
  }

  /** Asks the session to end (remote stop, reset, unlock, end of run); the first reason wins. */
  requestStop(kind) {
    this.stop ??= kind;
    this.charger.wake();
  }

  /** The transaction as the profiles see it, while it runs. */
  get transaction() {
    return this.charging ? { id: this.txId, startedAt: this.chargingSince } : null;
  }

  /** Decides the draw from now on: what the car takes, within the charger's rating and the limit in force. */
  retarget(now = Date.now()) {
    const c = this.charger;
    if (!this.charging) return;
    const factor = this.curve ? this.curve.factorAt(now - this.chargingSince) : 1;
    const { amps, phases } = carDraw({ carAmps: this.carAmps * factor, ratingAmps: c.maxAmps, limit: c.limitAt(now), phases: c.kind.phases });
    c.meter.draw(amps, phases, now);
  }

  /** The profiles changed: the car follows at once, and the CSMS sees it in a reading sent now. */
  profilesChanged() {
    if (!this.charging) return;
    this.retarget();
    this.promptSample = true;
    this.charger.wake();
  }

  get idTag() {
    return this.plan.idToken.idToken;
  }

  transactionEvent(eventType, triggerReason, transactionInfo, extra = {}) {
    return this.charger.call('TransactionEvent', {
      eventType,
      timestamp: new Date().toISOString(),
      triggerReason,
      seqNo: this.seqNo++,
      transactionInfo: { transactionId: this.txId, ...transactionInfo },
      ...extra,
    });
  }

  /** Plugs in, authorizes, starts, samples the meter until the planned end or a stop request, stops. */
  async run() {
    const c = this.charger;
    const { stats } = c;
    await c.statusNotification(c.v16 ? 'Preparing' : 'Occupied');
    if (!this.remote) {
      const auth = await c.call('Authorize', c.v16 ? { idTag: this.idTag } : { idToken: this.plan.idToken });
      if ((c.v16 ? auth.idTagInfo : auth.idTokenInfo).status !== 'Accepted') {
        stats.refusedTags++;
        await c.statusNotification(c.idleStatus());
        return;
      }
    }
    if (this.stop) {
      await c.statusNotification(c.idleStatus());
      return;
    }

    c.meter.advance();
    let accepted;
    if (c.v16) {
      this.startWh = c.meter.wholeWh();
      const started = await c.call('StartTransaction', {
        connectorId: 1,
        idTag: this.idTag,
        meterStart: this.startWh,
        timestamp: new Date().toISOString(),
      });
      this.txId = started.transactionId;
      accepted = started.idTagInfo.status === 'Accepted';
    } else {
      this.txId = randomUUID();
      const begin = c.meter.meterValue201('Transaction.Begin');
      this.startWh = begin.sampledValue[0].value;
      const started = await this.transactionEvent(
        'Started',
        this.remote ? 'RemoteStart' : 'Authorized',
        { chargingState: 'Charging', ...(this.plan.remoteStartId !== undefined ? { remoteStartId: this.plan.remoteStartId } : {}) },
        { idToken: this.plan.idToken, evse: { id: 1, connectorId: 1 }, meterValue: [begin] },
      );
      accepted = (started.idTokenInfo?.status ?? 'Accepted') === 'Accepted';
    }
    stats.sessionsStarted++;

    if (!accepted) {
      stats.refusedTags++;
      this.stop = 'deauthorized';
    } else {
      if (this.plan.curve !== false) this.curve = new ChargingCurve(this.plan.lengthMs);
      this.chargingSince = Date.now();
      this.charging = true;
      if (this.plan.chargingProfile) c.profiles.install(this.plan.chargingProfile, { version: c.protocol, transactionId: this.txId });
      this.retarget(this.chargingSince);
      this.resolveStarted(this.txId);
      stats.charging++;
      if (c.v16) await c.statusNotification('Charging');
      await this.sample();
    }
    await this.end();
  }

  /** Sends a reading every meter interval until the planned end or a stop request. */
  async sample() {
    const c = this.charger;
    const endAt = this.chargingSince + this.plan.lengthMs;
    let next = this.chargingSince + c.meterIntervalS * 1000;
    for (;;) {
      await c.pauseUntil(Math.min(next, endAt), () => this.stop !== null || this.promptSample);
      if (this.stop) return;
      if (Date.now() >= endAt) {
        this.stop = this.naturalEnd;
        return;
      }
      const prompt = this.promptSample;
      this.promptSample = false;
      await this.sendReading('Sample.Periodic');
      // After a prompt reading the interval starts again from it.
      next = prompt ? Date.now() + c.meterIntervalS * 1000 : Math.max(next + c.meterIntervalS * 1000, Date.now() + 100);
    }
  }

  /** A reading now, with the draw decided anew: 1.6 MeterValues, 2.0.1 TransactionEvent Updated. */
  async sendReading(context) {
    const c = this.charger;
    this.retarget();
    if (c.v16) {
      await c.call('MeterValues', { connectorId: 1, transactionId: this.txId, meterValue: [c.meter.meterValue16(context)] });
    } else {
      await this.transactionEvent(
        'Updated',
        context === 'Trigger' ? 'Trigger' : 'MeterValuePeriodic',
        { chargingState: 'Charging' },
        { meterValue: [c.meter.meterValue201(context)] },
      );
    }
  }

  async end() {
    const c = this.charger;
    c.meter.draw(0);
    this.resolveStarted(null);
    if (this.charging) {
      this.charging = false;
      c.stats.charging--;
    }
    // 1.6 §7.10, 2.0.1 K01: a TxProfile is its transaction's and ends with it.
    if (this.txId !== undefined) c.profiles.endTransaction(this.txId);
    const how = STOPS[this.stop];
    let energyWh;
    if (c.v16) {
      const meterStop = c.meter.wholeWh();
      await c.call('StopTransaction', {
        transactionId: this.txId,
        meterStop,
        timestamp: new Date().toISOString(),
        reason: how.reason16,
        ...(how.withTag ? { idTag: this.idTag } : {}),
        transactionData: [c.meter.meterValue16('Transaction.End')],
      });
      energyWh = meterStop - this.startWh;
      await c.statusNotification('Finishing');
    } else {
      const end = c.meter.meterValue201('Transaction.End');
      await this.transactionEvent(
        'Ended',
        how.trigger,
        { stoppedReason: how.stoppedReason, chargingState: how.chargingState },
        { ...(how.withTag ? { idToken: this.plan.idToken } : {}), meterValue: [end] },
      );
      energyWh = end.sampledValue[0].value - this.startWh;
    }
    if (this.stop !== 'deauthorized') {
      c.stats.sessionsCompleted++;
      c.stats.energyWh += energyWh;
    }
  }
}
