// The message limits this charger reported, kept in its object so that operator commands can be fitted to them,
// and the charging rate units it declared it takes (the site allocator's profiles are fitted to those).
//
// Learnt from what the charger tells (a 1.6 GetConfiguration answer, a 2.0.1 NotifyReport or
// GetVariables answer) as the settings are recorded; kept under one storage key each, with the answer
// that taught them (the output gate holds that answer until the write is durable).

import { limitsFromSettings, type ChargerLimits } from '../ocpp/charger-limits';
import { rateUnitsFromSettings, type RateUnit } from '../ocpp/rate-units';
import type { Setting } from '../ocpp/settings';
import type { ProfileSupport } from '../sites/profiles';

export type { ProfileSupport };

const LIMITS_KEY = 'reportedLimits';
const RATE_UNITS_KEY = 'declaredRateUnits';

export class ReportedLimits {
  constructor(private readonly storage: DurableObjectStorage) {}

  /** Keeps the limits (and rate units) among these settings, newest value winning. */
  async learn(settings: readonly Setting[]): Promise<void> {
    const units = rateUnitsFromSettings(settings);
    if (units) {
      const known = await this.storage.get<RateUnit[]>(RATE_UNITS_KEY);
      if (known?.join() !== units.join()) await this.storage.put(RATE_UNITS_KEY, units);
    }
    const found = limitsFromSettings(settings);
    if (Object.keys(found).length === 0) return;
    const known = await this.read();
    if (Object.entries(found).every(([key, value]) => known[key as keyof ChargerLimits] === value)) return;
    await this.storage.put(LIMITS_KEY, { ...known, ...found });
  }

  async read(): Promise<ChargerLimits> {
    return (await this.storage.get<ChargerLimits>(LIMITS_KEY)) ?? {};
  }

  /** What the charger declared of the profiles it takes, for the version it speaks. */
  async profileSupport(protocol: string): Promise<ProfileSupport> {
    const limits = await this.read();
    const v16 = protocol === 'ocpp1.6';
    return {
      rateUnits: (await this.storage.get<RateUnit[]>(RATE_UNITS_KEY)) ?? null,
      maxStackLevel: (v16 ? limits.chargeProfileMaxStackLevel : limits.profileStackLevel) ?? null,
      maxPeriods: (v16 ? limits.chargingScheduleMaxPeriods : limits.periodsPerSchedule) ?? null,
    };
  }
}
