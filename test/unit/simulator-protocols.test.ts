// The charger simulator's OCPP versions (scripts/simulator/): --protocol 2.1 and the mixed rotation,
// the actions each version's virtual charger answers, its minimal answers checked by an independent
// validator, and the 2.1 strict-mode validator it brings because ocpp-rpc's bundled one finds nothing.

import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as v16Actions from '../../src/ocpp/v16/actions.ts';
import * as v201Actions from '../../src/ocpp/v201/actions.ts';
import * as v21Actions from '../../src/ocpp/v21/actions.ts';
import { CSMS_INITIATED } from '../../scripts/simulator/commands.mjs';
import { MIXED, OptionError, parseOptions, protocolOf, USAGE } from '../../scripts/simulator/options.mjs';
import { messageSchema, minimalPayload, strictValidators } from '../../scripts/simulator/schemas.mjs';
import { ocpp21Validator } from '../e2e/ocpp21-validator.ts';

type Validator = { subprotocol: string; validate(schemaId: string, params: unknown): unknown };

// ocpp-rpc's own validators (1.6 and 2.0.1 are what its strict clients use).
const bundled = createRequire(import.meta.url)('ocpp-rpc/lib/standard-validators.js') as Validator[];
const bundledFor = (version: string): Validator => bundled.find((v) => v.subprotocol === version)!;

describe('simulator options', () => {
  it('takes --protocol 2.1 (or ocpp2.1) and refuses a version it does not speak', () => {
    expect(parseOptions(['--protocol', '2.1'])).toMatchObject({ protocol: '2.1' });
    expect(parseOptions(['--protocol=ocpp2.1'])).toMatchObject({ protocol: '2.1' });
    expect(protocolOf({ protocol: '2.1' }, 7)).toBe('ocpp2.1');
    expect(() => parseOptions(['--protocol', '2.2'])).toThrow(OptionError);
    expect(() => parseOptions(['--protocol', '2.2'])).toThrow(/1\.6, 2\.0\.1, 2\.1 or mixed/);
    expect(USAGE).toMatch(/--protocol <p>\s+1\.6, 2\.0\.1, 2\.1 or mixed/);
  });

  it('takes --max-amps, --car-amps and the flag --reject-profiles, and refuses bad ones', () => {
    expect(parseOptions([])).toMatchObject({ maxAmps: 32, carAmps: undefined, rejectProfiles: false });
    expect(parseOptions(['--max-amps', '16', '--car-amps=10.5', '--reject-profiles', '--chargers', '2'])).toMatchObject({
      maxAmps: 16,
      carAmps: 10.5,
      rejectProfiles: true,
      chargers: 2,
    });
    expect(() => parseOptions(['--max-amps', '0'])).toThrow(/--max-amps must be a number from 1/);
    expect(() => parseOptions(['--car-amps', 'lots'])).toThrow(OptionError);
    expect(() => parseOptions(['--reject-profiles=yes'])).toThrow(/takes no value/);
    expect(USAGE).toMatch(/--max-amps <n>/);
    expect(USAGE).toMatch(/--reject-profiles\s+answer SetChargingProfile with Rejected/);
  });

  it('mixed takes 2.0.1, 1.6 and 2.1 in turn', () => {
    expect(MIXED).toEqual(['ocpp2.0.1', 'ocpp1.6', 'ocpp2.1']);
    const options = parseOptions(['--protocol', 'mixed', '--chargers', '7']);
    expect(Array.from({ length: 7 }, (_, i) => protocolOf(options as { protocol: 'mixed' }, i))).toEqual([
      'ocpp2.0.1', 'ocpp1.6', 'ocpp2.1', 'ocpp2.0.1', 'ocpp1.6', 'ocpp2.1', 'ocpp2.0.1',
    ]);
  });
});

describe('what a virtual charger answers', () => {
  it('answers every action the CSMS sends, as the server lists them', () => {
    expect([...CSMS_INITIATED['ocpp1.6']].sort()).toEqual([...v16Actions.CSMS_INITIATED].sort());
    expect([...CSMS_INITIATED['ocpp2.0.1']].sort()).toEqual([...v201Actions.CSMS_INITIATED].sort());
    expect([...CSMS_INITIATED['ocpp2.1']].sort()).toEqual([...v21Actions.CSMS_INITIATED].sort());
    for (const action of CSMS_INITIATED['ocpp2.1']) {
      expect(messageSchema('ocpp2.1', action, 'req'), action).toBeDefined();
      expect(messageSchema('ocpp2.1', action, 'conf'), action).toBeDefined();
    }
  });

  it.each(['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'] as const)('its minimal %s answers pass an independent validator', (version) => {
    // 2.1: typed-ocpp's schemas, not the schemas/ocpp2_1.json the answers are built from.
    const validator = version === 'ocpp2.1' ? ocpp21Validator : bundledFor(version);
    for (const action of CSMS_INITIATED[version]) {
      expect(() => validator.validate(`urn:${action}.conf`, minimalPayload(version, action, 'conf')), action).not.toThrow();
    }
  });
});

describe("the simulator's 2.1 strict-mode validator", () => {
  const [simulator21] = strictValidators();

  it('is for ocpp2.1 and checks calls under the ids ocpp-rpc looks up', () => {
    expect(simulator21!.subprotocol).toBe('ocpp2.1');
    const boot = { reason: 'PowerUp', chargingStation: { vendorName: 'Sim', model: 'Sim 21' } };
    expect(() => simulator21!.validate('urn:BootNotification.req', boot)).not.toThrow();
    expect(() => simulator21!.validate('urn:BootNotification.req', { ...boot, surprise: 1 })).toThrow();
    expect(() => simulator21!.validate('urn:Heartbeat.conf', {})).toThrow(); // currentTime is required
    expect(() => simulator21!.validate('urn:NotifyPeriodicEventStream.req', {})).toThrow();
  });

  it("is needed: ocpp-rpc 2.2.1's bundled 2.1 validator has no urn:<Action>.req (drop ours when it does)", () => {
    expect(() => bundledFor('ocpp2.1').validate('urn:Heartbeat.req', {})).toThrow(/Schema 'urn:Heartbeat.req' is missing/);
  });
});
