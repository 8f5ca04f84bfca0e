// Unit tests: the draw cap (issue 17) — capacity a car does not take goes to others, comes back
// when it draws up to its cap, and a reading's noise does not flip it (hysteresis).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drawCap } from './demand';

describe('drawCap', () => {
  it('a car drawing clearly less than offered is capped at its reading + 2 A, rounded up to 0.1 A', () => {
    expect(drawCap(32, 10, null)).toBe(12);
    expect(drawCap(32, 10.01, null)).toBe(12.1);
  });

  it('a car drawing all it is offered, or within 1 A of it, teaches nothing', () => {
    expect(drawCap(16, 15.5, null)).toBeNull();
    expect(drawCap(16, 15, null)).toBeNull();
    // The offer fell below the cap (capacity short): the cap stays.
    expect(drawCap(8, 8, 12)).toBe(12);
  });

  it('no reading (or one that is not a number) keeps the cap as it was', () => {
    expect(drawCap(32, null, 12)).toBe(12);
    expect(drawCap(32, Number.NaN, 12)).toBe(12);
    expect(drawCap(32, null, null)).toBeNull();
  });

  it('a reading within 1 A of the cap releases it: the car may want more', () => {
    expect(drawCap(12, 11, 12)).toBeNull();
    expect(drawCap(12, 11.8, 12)).toBeNull();
  });

  it('the cap is lowered only for a fall of more than 1 A, never creeping down with the noise', () => {
    expect(drawCap(12, 9.5, 12)).toBe(12); // 11.5 is not below 12 - 1
    expect(drawCap(12, 8.9, 12)).toBe(10.9);
    expect(drawCap(12, 5, 12)).toBe(7);
  });

  it('a negative reading counts as 0', () => {
    expect(drawCap(32, -3, null)).toBe(2);
  });

  it('options move the thresholds', () => {
    expect(drawCap(32, 10, null, { headroomAmps: 4 })).toBe(14);
    expect(drawCap(16, 14, null, { marginAmps: 3 })).toBeNull();
    expect(drawCap(14, 11.5, 14, { releaseAmps: 3 })).toBeNull();
  });

  it('readings spread less than 1 A set the cap once and never change it after', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }).map((n) => n / 10),
        fc.array(fc.double({ min: 0, max: 0.999, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.constantFrom(16, 32),
        (base, noise, offered) => {
          let cap: number | null = null;
          const caps: (number | null)[] = [];
          for (const n of noise) {
            cap = drawCap(cap ?? offered, base + n, cap);
            caps.push(cap);
          }
          const set = caps.filter((c) => c !== null);
          // Once set, the same value to the end; never released.
          if (set.length > 0) {
            const first = caps.findIndex((c) => c !== null);
            expect(caps.slice(first)).toEqual(caps.slice(first).map(() => set[0]));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the cap always leaves the car at least 1 A above what it was last seen to draw', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 320 }).map((n) => n / 10), { minLength: 1, maxLength: 30 }), (readings) => {
        let cap: number | null = null;
        for (const r of readings) {
          cap = drawCap(cap ?? 32, r, cap);
          if (cap !== null) expect(cap).toBeGreaterThan(r + 1 - 1e-9);
        }
      }),
      { numRuns: 300 },
    );
  });
});
