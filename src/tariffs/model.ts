// The tariff an operator prices sessions with: the OCPI 2.2.1 Tariff object, validated with valibot.
//
// The body is OCPI's own JSON (snake_case, the same field names and meanings), so a tariff a
// roaming platform publishes can be PUT as it is and ours can be exported as they are. Pure: no
// storage, no Cloudflare types. Two things OCPI leaves to the Location and we carry on the tariff:
// `time_zone` (IANA, default UTC), the clock its start_time/end_time/day_of_week restrictions are
// read in, because the CSMS has no locations yet; and `id` comes from the URL, not the body.
//
// Amounts are decimal numbers as in OCPI (price per kWh / per hour / per session, excluding VAT,
// at most 4 decimals); how they become a cost is src/tariffs/cost.ts.

import * as v from 'valibot';

export const PRICE_COMPONENT_TYPES = ['ENERGY', 'FLAT', 'PARKING_TIME', 'TIME'] as const;
export type TariffDimensionType = (typeof PRICE_COMPONENT_TYPES)[number];

export const DAYS_OF_WEEK = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
export type DayOfWeek = (typeof DAYS_OF_WEEK)[number];

export const TARIFF_TYPES = ['AD_HOC_PAYMENT', 'PROFILE_CHEAP', 'PROFILE_FAST', 'PROFILE_GREEN', 'REGULAR'] as const;

/** Largest amount accepted anywhere in a tariff: far above any real price, small enough that sums stay exact. */
export const MAX_AMOUNT = 1_000_000;
const MAX_ELEMENTS = 100;
const MAX_COMPONENTS = 8;

/** A non-negative decimal with at most 4 decimals (OCPI's number precision for prices). */
const amount = (what: string) =>
  v.pipe(
    v.number(`${what} must be a number`),
    v.finite(`${what} must be a finite number`),
    v.minValue(0, `${what} must not be negative`),
    v.maxValue(MAX_AMOUNT, `${what} must be at most ${MAX_AMOUNT}`),
    v.check((n) => Math.abs(n * 10_000 - Math.round(n * 10_000)) < 1e-6, `${what} must have at most 4 decimals`),
  );

const nonNegative = (what: string) =>
  v.pipe(v.number(`${what} must be a number`), v.finite(`${what} must be a finite number`), v.minValue(0, `${what} must not be negative`));

const wholeNonNegative = (what: string) => v.pipe(nonNegative(what), v.integer(`${what} must be a whole number`));

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const PriceSchema = v.strictObject({
  excl_vat: amount('excl_vat'),
  incl_vat: v.optional(amount('incl_vat')),
});

export const PriceComponentSchema = v.strictObject({
  type: v.picklist(PRICE_COMPONENT_TYPES, `type must be one of ${PRICE_COMPONENT_TYPES.join(', ')}`),
  price: amount('price'),
  /** VAT percentage (OCPI: absent means VAT is not applicable, or not known). */
  vat: v.optional(v.pipe(nonNegative('vat'), v.maxValue(100, 'vat must be a percentage, at most 100'))),
  /** ENERGY: Wh; TIME and PARKING_TIME: seconds; FLAT: ignored. */
  step_size: v.pipe(wholeNonNegative('step_size'), v.maxValue(86_400_000, 'step_size is too large')),
});

const range = <T extends Record<string, unknown>>(lo: keyof T & string, hi: keyof T & string) =>
  v.check<T, string>(
    (r) => r[lo] === undefined || r[hi] === undefined || (r[lo] as number) <= (r[hi] as number),
    `${lo} must not be above ${hi}`,
  );

export const TariffRestrictionsSchema = v.pipe(
  v.strictObject({
    start_time: v.optional(v.pipe(v.string(), v.regex(HH_MM, 'start_time must be HH:MM (24-hour)'))),
    end_time: v.optional(v.pipe(v.string(), v.regex(HH_MM, 'end_time must be HH:MM (24-hour)'))),
    start_date: v.optional(v.pipe(v.string(), v.regex(DATE, 'start_date must be YYYY-MM-DD'))),
    end_date: v.optional(v.pipe(v.string(), v.regex(DATE, 'end_date must be YYYY-MM-DD'))),
    min_kwh: v.optional(nonNegative('min_kwh')),
    max_kwh: v.optional(nonNegative('max_kwh')),
    min_current: v.optional(nonNegative('min_current')),
    max_current: v.optional(nonNegative('max_current')),
    min_power: v.optional(nonNegative('min_power')),
    max_power: v.optional(nonNegative('max_power')),
    min_duration: v.optional(wholeNonNegative('min_duration')),
    max_duration: v.optional(wholeNonNegative('max_duration')),
    day_of_week: v.optional(
      v.pipe(
        v.array(v.picklist(DAYS_OF_WEEK, `day_of_week entries must be one of ${DAYS_OF_WEEK.join(', ')}`)),
        v.minLength(1, 'day_of_week must name at least one day'),
        v.maxLength(7, 'day_of_week names each day at most once'),
        v.check((days) => new Set(days).size === days.length, 'day_of_week names each day at most once'),
      ),
    ),
    reservation: v.optional(v.picklist(['RESERVATION', 'RESERVATION_EXPIRES'])),
  }),
  range('min_kwh', 'max_kwh'),
  range('min_current', 'max_current'),
  range('min_power', 'max_power'),
  range('min_duration', 'max_duration'),
  // start_date is inclusive and end_date exclusive (OCPI), so equal dates would match nothing.
  v.check((r) => r.start_date === undefined || r.end_date === undefined || r.start_date < r.end_date, 'start_date must be before end_date'),
);

export const TariffElementSchema = v.strictObject({
  price_components: v.pipe(
    v.array(PriceComponentSchema),
    v.minLength(1, 'price_components must have at least one entry'),
    v.maxLength(MAX_COMPONENTS, `price_components has at most ${MAX_COMPONENTS} entries`),
  ),
  restrictions: v.optional(TariffRestrictionsSchema),
});

const DisplayTextSchema = v.strictObject({
  language: v.pipe(v.string(), v.regex(/^[a-z]{2}$/, 'language must be an ISO 639-1 code such as en')),
  text: v.pipe(v.string(), v.minLength(1, 'text must not be empty'), v.maxLength(512, 'text is at most 512 characters')),
});

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 date-time that is a real instant: the validity window is compared as instants (src/tariffs/resolution.ts). */
const dateTime = (what: string) =>
  v.pipe(
    v.string(),
    v.regex(DATE_TIME, `${what} must be an RFC 3339 date-time`),
    v.check((text) => !Number.isNaN(Date.parse(text)), `${what} must be a real date and time`),
  );

/** The PUT body of /api/v1/tariffs/{id}: an OCPI 2.2.1 Tariff without `id`/`last_updated` (the CSMS sets them). */
export const TariffBodySchema = v.pipe(
  v.strictObject({
    currency: v.pipe(v.string(), v.regex(/^[A-Z]{3}$/, 'currency must be an ISO 4217 code such as EUR')),
    type: v.optional(v.picklist(TARIFF_TYPES, `type must be one of ${TARIFF_TYPES.join(', ')}`)),
    tariff_alt_text: v.optional(v.pipe(v.array(DisplayTextSchema), v.maxLength(10, 'tariff_alt_text has at most 10 entries'))),
    tariff_alt_url: v.optional(v.pipe(v.string(), v.url('tariff_alt_url must be a URL'), v.maxLength(255))),
    min_price: v.optional(PriceSchema),
    max_price: v.optional(PriceSchema),
    elements: v.pipe(
      v.array(TariffElementSchema),
      v.minLength(1, 'elements must have at least one entry'),
      v.maxLength(MAX_ELEMENTS, `elements has at most ${MAX_ELEMENTS} entries`),
    ),
    start_date_time: v.optional(dateTime('start_date_time')),
    end_date_time: v.optional(dateTime('end_date_time')),
    time_zone: v.optional(v.pipe(v.string(), v.check(isTimeZone, 'time_zone must be an IANA time zone such as Europe/Amsterdam')), 'UTC'),
  }),
  v.check(
    (t) => t.min_price === undefined || t.max_price === undefined || t.min_price.excl_vat <= t.max_price.excl_vat,
    'min_price must not be above max_price',
  ),
  // The window is [start, end): equal or inverted bounds would make a tariff that never applies.
  v.check(
    (t) => t.start_date_time === undefined || t.end_date_time === undefined || Date.parse(t.start_date_time) < Date.parse(t.end_date_time),
    'start_date_time must be before end_date_time',
  ),
);

export type TariffBody = v.InferOutput<typeof TariffBodySchema>;
export type TariffElement = v.InferOutput<typeof TariffElementSchema>;
export type TariffRestrictions = v.InferOutput<typeof TariffRestrictionsSchema>;
export type PriceComponent = v.InferOutput<typeof PriceComponentSchema>;
export type Price = v.InferOutput<typeof PriceSchema>;

/** A stored tariff version as the API shows it: the OCPI object with its id, version and when it was set. */
export interface Tariff extends TariffBody {
  id: string;
  /** 1 for the first PUT, +1 for each later PUT that changes it; a session keeps the version it started under. */
  version: number;
  /** OCPI's last_updated: when this version was stored. */
  last_updated: string;
}

/** Tariff ids: OCPI's CiString(36), kept to characters that are safe in a URL path. */
export const TARIFF_ID = /^[A-Za-z0-9._-]{1,36}$/;

/** Parses a PUT body: the tariff, or the issues with the path of each field at fault. */
export function parseTariffBody(body: unknown): { ok: true; tariff: TariffBody } | { ok: false; issues: { path: string; message: string }[] } {
  const result = v.safeParse(TariffBodySchema, body);
  if (result.success) return { ok: true, tariff: result.output };
  return {
    ok: false,
    issues: result.issues.map((issue) => ({
      path: (issue.path ?? []).map((p) => String(p.key)).join('.'),
      message: issue.message,
    })),
  };
}
