import { describe, expect, it } from 'vitest';
import * as v201Actions from '../v201/actions';
import * as v201Schemas from '../v201/schemas.generated';
import { PROFILES } from '../protocol';
import { CHARGER_INITIATED, CSMS_INITIATED, NEW_CHARGER_INITIATED, NEW_CSMS_INITIATED } from './actions';
import { ACTIONS, UNCONFIRMED_ACTIONS } from './schemas.generated';
import { v2xHandlers } from './v2x';

describe('OCPP 2.1 action directions', () => {
  it('name every action of the 2.1 schemas, each in one direction but DataTransfer in both', () => {
    const named = new Set([...CHARGER_INITIATED, ...CSMS_INITIATED]);
    expect([...named].sort()).toEqual([...ACTIONS].sort());
    expect(CHARGER_INITIATED.filter((a) => (CSMS_INITIATED as string[]).includes(a))).toEqual(['DataTransfer']);
  });

  it('keep every 2.0.1 action in its 2.0.1 direction, and add only actions 2.0.1 has not', () => {
    for (const a of v201Actions.CHARGER_INITIATED) expect(CHARGER_INITIATED).toContain(a);
    for (const a of v201Actions.CSMS_INITIATED) expect(CSMS_INITIATED).toContain(a);
    const old = new Set<string>(v201Schemas.ACTIONS);
    expect([...NEW_CHARGER_INITIATED, ...NEW_CSMS_INITIATED].filter((a) => old.has(a))).toEqual([]);
    expect(ACTIONS.length).toBe(old.size + NEW_CHARGER_INITIATED.length + NEW_CSMS_INITIATED.length);
  });

  it('send only NotifyPeriodicEventStream with SEND, from the charger', () => {
    expect([...UNCONFIRMED_ACTIONS]).toEqual(['NotifyPeriodicEventStream']);
    expect(NEW_CHARGER_INITIATED).toContain('NotifyPeriodicEventStream');
    expect([...PROFILES['ocpp2.1'].unconfirmed]).toEqual(['NotifyPeriodicEventStream']);
    expect(PROFILES['ocpp2.0.1'].unconfirmed.size + PROFILES['ocpp1.6'].unconfirmed.size).toBe(0);
  });

  it('answer 2.0.1 actions with the 2.0.1 handlers, but those whose 2.1 message gained what a 2.1 feature acts on', () => {
    // NotifyEVChargingNeeds: 2.1 adds V2X parameters, kept with the transaction (v2x.ts).
    const own = new Set(Object.keys(v2xHandlers));
    expect([...own]).toEqual(['NotifyEVChargingNeeds']);
    for (const a of v201Actions.CHARGER_INITIATED) {
      if (own.has(a)) expect(PROFILES['ocpp2.1'].handlers[a], a).toBe(v2xHandlers[a]);
      else expect(PROFILES['ocpp2.1'].handlers[a], a).toBe(PROFILES['ocpp2.0.1'].handlers[a]);
    }
  });
});
