import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BAD_FRAME_WINDOW_MS, chargeBadFrame, checkFrameSize, frameBytes, utf8Length, type BadFrameTally } from './frame-limits';

describe('frame size', () => {
  it('is measured in UTF-8 bytes, as TextEncoder measures them', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(utf8Length(text)).toBe(new TextEncoder().encode(text).byteLength);
      }),
      { numRuns: 500, seed: 5 },
    );
    expect(utf8Length('a')).toBe(1);
    expect(utf8Length('é')).toBe(2);
    expect(utf8Length('中')).toBe(3);
    expect(utf8Length('😀')).toBe(4);
    expect(frameBytes(new Uint8Array(7).buffer)).toBe(7);
  }, 30_000);

  it('closes with 1009 past the limit, counting bytes rather than characters', () => {
    expect(checkFrameSize('x'.repeat(100), 100)).toBeUndefined();
    expect(checkFrameSize('x'.repeat(101), 100)).toEqual({ code: 1009, reason: 'Frame of 101 bytes is over the 100-byte limit' });
    // 60 characters, 120 bytes.
    expect(checkFrameSize('é'.repeat(50), 100)).toBeUndefined();
    expect(checkFrameSize('é'.repeat(60), 100)?.code).toBe(1009);
    expect(checkFrameSize(new Uint8Array(101).buffer, 100)?.code).toBe(1009);
    expect(new TextEncoder().encode(checkFrameSize('x'.repeat(2 ** 20), 65_536)!.reason).byteLength).toBeLessThanOrEqual(123);
  });
});

describe('bad-frame budget', () => {
  const budget = 50;
  function burst(count: number, start: BadFrameTally | undefined, at: number) {
    let tally = start;
    let closedAt: number | undefined;
    for (let i = 1; i <= count; i++) {
      const charged = chargeBadFrame(tally, at, budget);
      tally = charged.tally;
      if (charged.close && closedAt === undefined) closedAt = i;
    }
    return { tally, closedAt };
  }

  it('tolerates a burst of the budget and closes with 1008 on the next bad frame', () => {
    expect(burst(50, undefined, 0).closedAt).toBeUndefined();
    expect(burst(60, undefined, 0).closedAt).toBe(51);
    expect(chargeBadFrame(burst(50, undefined, 0).tally, 0, budget).close).toEqual({
      code: 1008,
      reason: 'More than 50 bad frames a minute',
    });
  });

  it('refills at the budget per minute', () => {
    const full = burst(50, undefined, 0).tally;
    expect(chargeBadFrame(full, BAD_FRAME_WINDOW_MS / 50, budget).close).toBeUndefined();
    expect(burst(50, full, BAD_FRAME_WINDOW_MS).closedAt).toBeUndefined();
    expect(burst(26, full, BAD_FRAME_WINDOW_MS / 2).closedAt).toBe(26);
    // A steady 50 a minute goes on for ever.
    let tally: BadFrameTally | undefined;
    for (let i = 0; i < 1000; i++) {
      const charged = chargeBadFrame(tally, (i * BAD_FRAME_WINDOW_MS) / 50, budget);
      expect(charged.close).toBeUndefined();
      tally = charged.tally;
    }
  });

  it('is not refilled by a clock that goes backwards', () => {
    const full = burst(50, undefined, 10_000).tally;
    expect(chargeBadFrame(full, 0, budget).close?.code).toBe(1008);
  });
});
