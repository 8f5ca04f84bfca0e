// The charging rate units a charger declared it takes in charging profiles (A, W or both), from its
// reported settings: 1.6 ChargingScheduleAllowedChargingRateUnit ("Current", "Power",
// "Current,Power"), 2.0.1/2.1 SmartChargingCtrlr.RateUnit ("A", "W", "A,W"; its Actual value, else
// its valuesList). The site allocator sends a W-only charger its share in watts (src/sites/profiles.ts).

import type { Setting } from './settings';

export type RateUnit = 'A' | 'W';

const WORDS: Record<string, RateUnit> = { current: 'A', a: 'A', power: 'W', w: 'W' };

/** The units the latest such setting among `settings` names; undefined when none does (or names none we know). */
export function rateUnitsFromSettings(settings: readonly Setting[]): RateUnit[] | undefined {
  let found: RateUnit[] | undefined;
  for (const s of settings) {
    if (s.attributeType !== 'Actual') continue;
    const component = s.component.toLowerCase();
    const variable = s.variable.toLowerCase();
    let text: string | null = null;
    if (component === '' && variable === 'chargingscheduleallowedchargingrateunit') text = s.value;
    else if (component === 'smartchargingctrlr' && variable === 'rateunit') {
      const list = s.characteristics?.valuesList;
      text = s.value ?? (typeof list === 'string' ? list : null);
    }
    if (text === null) continue;
    const units = parseUnits(text);
    if (units.length > 0) found = units;
  }
  return found;
}

function parseUnits(text: string): RateUnit[] {
  const units = new Set<RateUnit>();
  for (const word of text.split(/[,;\s]+/)) {
    const unit = WORDS[word.trim().toLowerCase()];
    if (unit) units.add(unit);
  }
  return (['A', 'W'] as const).filter((u) => units.has(u));
}
