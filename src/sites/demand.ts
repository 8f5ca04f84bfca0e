// What a car takes of what it is offered (issue 17): when its meter shows it drawing clearly less
// than its share, the allocator caps it near what it draws and gives the rest to others; when it
// draws up to that cap again it wants more, and the cap goes. Pure: no Cloudflare types.
//
// Hysteresis, so that a reading's noise does not flip the cap on and off (and resend profiles):
// a cap is set only when the car draws more than `marginAmps` below its offer, it is set
// `headroomAmps` above the reading, it is lowered only when a reading falls more than
// `releaseAmps` below what set it, and it is released only when a reading comes within
// `releaseAmps` of it. With the defaults a reading's noise under 1 A changes nothing.

export interface DrawCapOptions {
  /** Drawing less than the offer by more than this sets a cap (default 1 A). */
  marginAmps?: number;
  /** The cap sits this far above the reading (default 2 A). */
  headroomAmps?: number;
  /** A reading within this of the cap releases it; it is lowered only by more than this (default 1 A). */
  releaseAmps?: number;
}

/**
 * The session's draw cap after a reading. `offeredAmps`: its share the charger holds now;
 * `measuredAmps`: the car's current per phase (the highest phase), null when no reading came;
 * `previousCap`: the cap so far, null for none. Returns the new cap (amps, rounded up to 0.1 A)
 * or null for none.
 */
export function drawCap(offeredAmps: number, measuredAmps: number | null, previousCap: number | null, options: DrawCapOptions = {}): number | null {
  const margin = options.marginAmps ?? 1;
  const headroom = options.headroomAmps ?? 2;
  const release = options.releaseAmps ?? 1;
  if (measuredAmps === null || !Number.isFinite(measuredAmps)) return previousCap;
  const measured = Math.max(0, measuredAmps);
  // Within reach of its cap: it may want more than the cap lets it have.
  if (previousCap !== null && measured >= previousCap - release) return null;
  // Taking all it is offered (the offer may be below the cap when capacity is short): nothing learnt.
  if (measured >= offeredAmps - margin) return previousCap;
  const cap = Math.ceil((measured + headroom) * 10 - 1e-9) / 10;
  if (previousCap === null) return cap;
  // Lower only for a clear fall, so the cap does not creep down to the lowest noisy reading.
  return cap < previousCap - release ? cap : previousCap;
}
