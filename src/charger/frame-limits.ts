// Limits on what one connection may send: the size of a frame, and how many bad frames it may send.
//
// Both end the connection rather than answer: a frame over the size limit is not read at all
// (close 1009, Message Too Big), and a charger that keeps sending frames we must refuse is
// closed once its budget is spent (close 1008, Policy Violation). The budget rides on the
// socket's attachment, so hibernating between frames does not reset it.

import { CLOSE_CODES } from './types';

/** The budget refills at `budget` bad frames per this many milliseconds. */
export const BAD_FRAME_WINDOW_MS = 60_000;

/** How much of a connection's bad-frame budget is spent, as of `at` (epoch ms). */
export interface BadFrameTally {
  /** Bad frames not yet drained: each adds 1, and `budget` drain away per minute. */
  level: number;
  at: number;
}

/** The WebSocket close that ends a connection over a limit. The reason stays within 123 bytes. */
export interface LimitClose {
  code: typeof CLOSE_CODES.badFrames | typeof CLOSE_CODES.tooBig;
  reason: string;
}

/** Size of a frame in bytes: UTF-8 for text (what the wire carried), byteLength for binary. */
export function frameBytes(message: string | ArrayBuffer): number {
  return typeof message === 'string' ? utf8Length(message) : message.byteLength;
}

/** The close for a frame over `maxBytes`, or undefined when it fits. */
export function checkFrameSize(message: string | ArrayBuffer, maxBytes: number): LimitClose | undefined {
  // A UTF-16 unit is 1 to 3 bytes of UTF-8: most frames are decided without counting.
  if (typeof message === 'string' && message.length * 3 <= maxBytes) return undefined;
  const bytes = frameBytes(message);
  if (bytes <= maxBytes) return undefined;
  return { code: CLOSE_CODES.tooBig, reason: `Frame of ${bytes} bytes is over the ${maxBytes}-byte limit` };
}

/**
 * Counts one bad frame against the connection's budget: a leaky bucket that holds `budget`
 * frames and drains at `budget` per minute, so a burst of `budget` is tolerated and a steady
 * `budget` per minute is too. Returns the new tally, and the close once the bucket overflows.
 */
export function chargeBadFrame(
  tally: BadFrameTally | undefined,
  now: number,
  budget: number,
): { tally: BadFrameTally; close?: LimitClose } {
  const elapsed = tally ? Math.max(0, now - tally.at) : 0;
  const drained = tally ? Math.max(0, tally.level - (elapsed * budget) / BAD_FRAME_WINDOW_MS) : 0;
  const next = { level: drained + 1, at: now };
  if (next.level <= budget) return { tally: next };
  return { tally: next, close: { code: CLOSE_CODES.badFrames, reason: `More than ${budget} bad frames a minute` } };
}

/** UTF-8 length of a string without encoding it; a lone surrogate counts as U+FFFD (3 bytes), as TextEncoder writes it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
