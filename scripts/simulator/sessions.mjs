// A charging session of a virtual charger, in OCPP 1.6 (Authorize, StartTransaction, MeterValues,
// StopTransaction) or 2.0.1 (Authorize, TransactionEvent Started / Updated / Ended with seqNo).

import { randomUUID } from 'node:crypto';
import { ChargingCurve } from './meter.mjs';

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
  /** `plan`: { idToken: {idToken, type}, lengthMs, remote?: true, remoteStartId? (2.0.1) }. */
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
  }

  /** Asks the session to end (remote stop, reset, unlock, end of run); the first reason wins. */
  requestStop(kind) {
    this.stop ??= kind;
    this.charger.wake();
  }

  /** The power drawn at time `t` (ms). */
  powerAt(t) {
    if (!this.charging) return 0;
    const limit = this.charger.powerLimitW ?? Infinity;
    return Math.min(this.curve.powerAt(t - this.chargingSince), limit);
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

    c.meter.advance((t) => this.powerAt(t));
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
      this.curve = new ChargingCurve(c.kind.maxPowerW, this.plan.lengthMs);
      this.chargingSince = Date.now();
      this.charging = true;
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
      await c.pauseUntil(Math.min(next, endAt), () => this.stop !== null);
      if (this.stop) return;
      if (Date.now() >= endAt) {
        this.stop = this.naturalEnd;
        return;
      }
      await this.sendReading('Sample.Periodic');
      next = Math.max(next + c.meterIntervalS * 1000, Date.now() + 100);
    }
  }

  /** A reading now: 1.6 MeterValues, 2.0.1 TransactionEvent Updated. */
  async sendReading(context) {
    const c = this.charger;
    c.meter.advance((t) => this.powerAt(t));
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
    c.meter.advance((t) => this.powerAt(t));
    if (this.charging) {
      this.charging = false;
      c.stats.charging--;
    }
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
