// Reads an OCPP date-time (RFC 3339, in any form valibot's isoTimestamp accepts) as a UTC ISO 8601 string.

// valibot's isoTimestamp admits forms `new Date()` misreads or refuses: a space for "T", a space
// before the offset, an offset of hours only ("+01"); and it admits 2023-02-30, which Date rolls
// over to March. So the parts are read here and checked against the calendar.
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)| ?([+-])(\d{2})(?::?(\d{2}))?)$/;

/**
 * The last texts read, and what they read as: a frame's timestamps are each read twice (its
 * schema checks them, its handler stores them in UTC), and a charger sends the same one in several
 * places of a message (TransactionEvent, its meter values). Bounded: emptied once full.
 */
const recent = new Map<string, string | null>();
const RECENT_MAX = 64;

/** `text` as `YYYY-MM-DDTHH:MM:SS.sssZ` in UTC (fractions beyond milliseconds truncated); null when it is no real date-time. */
export function toUtcIso(text: string): string | null {
  const known = recent.get(text);
  if (known !== undefined) return known;
  const read = readUtcIso(text);
  if (recent.size >= RECENT_MAX) recent.clear();
  recent.set(text, read);
  return read;
}

function readUtcIso(text: string): string | null {
  const m = TIMESTAMP.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear does not.
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, millis));
  date.setUTCFullYear(year);
  if (date.getUTCDate() !== day) return null; // e.g. 30 February
  const offsetHours = Number(m[10] ?? 0);
  const offsetMins = Number(m[11] ?? 0);
  if (offsetHours > 23 || offsetMins > 59) return null;
  const offsetMinutes = m[8] ? 0 : (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  const utc = new Date(date.getTime() - offsetMinutes * 60_000);
  return Number.isNaN(utc.getTime()) ? null : utc.toISOString();
}
