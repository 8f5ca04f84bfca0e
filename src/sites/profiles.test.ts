// Unit tests: the site's profiles in each version's shape, checked by the project's own schemas.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { SetChargingProfileRequest as Set16 } from '../ocpp/v16/schemas.generated';
import { SetChargingProfileRequest as Set201 } from '../ocpp/v201/schemas.generated';
import { SetChargingProfileRequest as Set21 } from '../ocpp/v21/schemas.generated';
import { SITE_FALLBACK_PROFILE_ID, SITE_STACK_LEVEL, SITE_TX_PROFILE_BASE, fitToCharger, setChargingProfileRequest, wattPhases, type LimitProfile, type ProfileSupport } from './profiles';

const share: LimitProfile = { purpose: 'TxProfile', evseId: 2, transactionId: '41', amps: 10.07, phases: 3, rateUnit: 'A', voltage: 230, stackLevel: 1 };
const fallback: LimitProfile = { purpose: 'TxDefaultProfile', evseId: 0, transactionId: null, amps: 0, phases: null, rateUnit: 'A', voltage: 230, stackLevel: 1 };

describe('setChargingProfileRequest', () => {
  it('1.6: a Relative TxProfile bound to its (integer) transaction, amps to 0.1 A rounded down', () => {
    const request = setChargingProfileRequest('ocpp1.6', share);
    expect(v.safeParse(Set16, request).success).toBe(true);
    expect(request).toEqual({
      connectorId: 2,
      csChargingProfiles: {
        chargingProfileId: SITE_TX_PROFILE_BASE + 2, transactionId: 41, stackLevel: 1, chargingProfilePurpose: 'TxProfile', chargingProfileKind: 'Relative',
        chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10, numberPhases: 3 }] },
      },
    });
  });

  for (const [protocol, schema] of [['ocpp2.0.1', Set201], ['ocpp2.1', Set21]] as const) {
    it(`${protocol}: the same, valid by the version's schema; the fallback is one id per charger`, () => {
      const tx = setChargingProfileRequest(protocol, share);
      const def = setChargingProfileRequest(protocol, fallback);
      expect(v.safeParse(schema, tx).success).toBe(true);
      expect(v.safeParse(schema, def).success).toBe(true);
      expect(tx).toMatchObject({ evseId: 2, chargingProfile: { id: SITE_TX_PROFILE_BASE + 2, transactionId: '41', chargingSchedule: [{ chargingSchedulePeriod: [{ startPeriod: 0, limit: 10, numberPhases: 3 }] }] } });
      expect(def).toMatchObject({ evseId: 0, chargingProfile: { id: SITE_FALLBACK_PROFILE_ID, chargingProfilePurpose: 'TxDefaultProfile' } });
      expect((def as { chargingProfile: Record<string, unknown> }).chargingProfile.transactionId).toBeUndefined();
    });
  }

  it('watts when the charger takes only W: amps × volts × the phases in use (one unless said), rounded down, valid in every version', () => {
    const request = setChargingProfileRequest('ocpp2.0.1', { ...share, rateUnit: 'W', phases: 1 }) as { chargingProfile: { chargingSchedule: Array<{ chargingRateUnit: string; chargingSchedulePeriod: Array<{ limit: number }> }> } };
    expect(request.chargingProfile.chargingSchedule[0]).toMatchObject({ chargingRateUnit: 'W', chargingSchedulePeriod: [{ limit: 2316 }] });
    const three = setChargingProfileRequest('ocpp1.6', { ...share, rateUnit: 'W', wattPhases: 3 });
    expect(v.safeParse(Set16, three).success).toBe(true);
    expect(three).toMatchObject({ csChargingProfiles: { chargingSchedule: { chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 6948, numberPhases: 3 }] } } });
    expect(v.safeParse(Set21, setChargingProfileRequest('ocpp2.1', { ...fallback, rateUnit: 'W', amps: 6 })).success).toBe(true);
  });
});

describe('fitToCharger, wattPhases', () => {
  const support = (extra: Partial<ProfileSupport>): ProfileSupport => ({ rateUnits: null, maxStackLevel: null, maxPeriods: null, ...extra });

  it('W only when the charger declared W and not A; amps when it declared A, both, or nothing', () => {
    expect(fitToCharger(null)).toEqual({ rateUnit: 'A', stackLevel: SITE_STACK_LEVEL });
    expect(fitToCharger(support({ rateUnits: ['W'] })).rateUnit).toBe('W');
    expect(fitToCharger(support({ rateUnits: ['A', 'W'] })).rateUnit).toBe('A');
    expect(fitToCharger(support({ rateUnits: ['A'] })).rateUnit).toBe('A');
    expect(fitToCharger(support({ rateUnits: [] })).rateUnit).toBe('A');
  });

  it('the site’s stack level unless the charger’s highest is lower', () => {
    expect(fitToCharger(support({ maxStackLevel: 0 })).stackLevel).toBe(0);
    expect(fitToCharger(support({ maxStackLevel: 8 })).stackLevel).toBe(SITE_STACK_LEVEL);
  });

  it('watts are for the phases the readings show, else one', () => {
    expect(wattPhases(null)).toBe(1);
    expect(wattPhases(3)).toBe(3);
    expect(wattPhases(2)).toBe(2);
    expect(wattPhases(0)).toBe(1);
  });
});
