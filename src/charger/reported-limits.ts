// The message limits this charger reported, kept in its object so that operator commands can be fitted to them.
//
// Learnt from what the charger tells (a 1.6 GetConfiguration answer, a 2.0.1 NotifyReport or
// GetVariables answer) as the settings are recorded; kept under one storage key, with the answer
// that taught them (the output gate holds that answer until the write is durable).

import { limitsFromSettings, type ChargerLimits } from '../ocpp/charger-limits';
import type { Setting } from '../ocpp/settings';

const LIMITS_KEY = 'reportedLimits';

export class ReportedLimits {
  constructor(private readonly storage: DurableObjectStorage) {}

  /** Keeps the limits among these settings, newest value winning. */
  async learn(settings: readonly Setting[]): Promise<void> {
    const found = limitsFromSettings(settings);
    if (Object.keys(found).length === 0) return;
    const known = await this.read();
    if (Object.entries(found).every(([key, value]) => known[key as keyof ChargerLimits] === value)) return;
    await this.storage.put(LIMITS_KEY, { ...known, ...found });
  }

  async read(): Promise<ChargerLimits> {
    return (await this.storage.get<ChargerLimits>(LIMITS_KEY)) ?? {};
  }
}
