// Whether this charger shows the driver tariffs and cost, as it reported (see ocpp/driver-price.ts), kept in its object.
//
// Learnt where the message limits are (reported-limits.ts): from a 1.6 GetConfiguration answer, a 2.0.1
// NotifyReport or GetVariables answer, a SetVariables / ChangeConfiguration an operator had accepted.
// One storage key, written only when something changed; read once per object instance.

import { priceDisplayFromSettings, type PriceDisplay } from '../ocpp/driver-price';
import type { Setting } from '../ocpp/settings';

const PRICE_DISPLAY_KEY = 'priceDisplay';

export class PriceDisplayStore {
  private known: PriceDisplay | undefined;

  constructor(private readonly storage: DurableObjectStorage) {}

  /** Keeps what these settings say of the charger's price display, newest value winning. */
  async learn(settings: readonly Setting[]): Promise<void> {
    const found = priceDisplayFromSettings(settings);
    if (Object.keys(found).length === 0) return;
    const known = await this.read();
    if (Object.entries(found).every(([key, value]) => known[key as keyof PriceDisplay] === value)) return;
    const next = { ...known, ...found };
    await this.storage.put(PRICE_DISPLAY_KEY, next);
    this.known = next;
  }

  async read(): Promise<PriceDisplay> {
    this.known ??= (await this.storage.get<PriceDisplay>(PRICE_DISPLAY_KEY)) ?? {};
    return this.known;
  }
}
