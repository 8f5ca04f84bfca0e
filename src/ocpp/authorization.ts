// Whether an id tag (1.6) or id token (2.0.1) may charge: the CSMS's answer to Authorize and transaction starts.

/** The statuses an operator gives a tag (both versions define them). */
export const AUTHORIZATION_STATUSES = ['Accepted', 'Blocked', 'Expired', 'Invalid'] as const;
export type AuthorizationStatus = (typeof AUTHORIZATION_STATUSES)[number];
/**
 * What the CSMS may answer: a stored status, or ConcurrentTx (1.6 AuthorizationStatus and 2.0.1
 * AuthorizationStatusEnumType both define it) when the tag already runs a transaction and
 * CONCURRENT_TX=reject. Never stored on a tag.
 */
export type DecisionStatus = AuthorizationStatus | 'ConcurrentTx';

/** The groupIdToken type sent when the group's own type is not known (see groupTokenType). */
export const DEFAULT_GROUP_TOKEN_TYPE = 'Central';

/** 2.0.1 IdTokenType.idToken is at most 36 characters. */
export const MAX_ID_TOKEN_LENGTH = 36;
/** 1.6 IdToken (idTag, parentIdTag) is at most 20: a longer tag can only be used by 2.0.1 chargers. */
export const MAX_V16_ID_TAG_LENGTH = 20;

/** An id tag the CSMS keeps: 1–36 printable ASCII characters (`!` to `~`, so no spaces). */
export function isValidIdTag(idTag: string): boolean {
  return idTag.length >= 1 && idTag.length <= MAX_ID_TOKEN_LENGTH && /^[\x21-\x7e]+$/.test(idTag);
}

/** One row of the id_tags table, as the store returns it. */
export interface IdTagRecord {
  idTag: string;
  /**
   * The 2.0.1 IdTokenEnumType this entry is for: a token is the pair (idToken, type), so the same
   * text may have one entry per type. null is the entry for any type.
   */
  tokenType: string | null;
  status: AuthorizationStatus;
  /** UTC ISO 8601. */
  expiryDate: string | null;
  /** 1.6 parentIdTag, 2.0.1 groupIdToken.idToken. */
  parentIdTag: string | null;
  /** The tag had been seen offline (used unknown while a charger was offline) before the operator registered it. */
  firstSeenOffline: boolean;
  /** The driver's language (RFC 5646, at most 8 characters: 2.0.1 language1); absent or null when not set. */
  language?: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The version-neutral core of a 1.6 IdTagInfo / 2.0.1 IdTokenInfo. */
export interface AuthorizationDecision {
  status: DecisionStatus;
  expiryDate?: string;
  parentIdTag?: string;
  /** The 2.0.1 groupIdToken's type, when parentIdTag is set (see groupTokenType). */
  parentType?: string;
  /** 2.0.1 idTokenInfo.personalMessage: the text of the tariff the token's session would get (I01), for a charger that shows tariffs. */
  personalMessage?: { format: 'UTF8'; language: string; content: string };
  /** 2.0.1 idTokenInfo.language1: the token's language, as the operator set it. */
  language?: string;
}

export function isAuthorizationStatus(value: unknown): value is AuthorizationStatus {
  return (AUTHORIZATION_STATUSES as readonly unknown[]).includes(value);
}

/**
 * Unknown → Invalid; stored Accepted whose expiryDate is past → Expired; a stored tokenType that
 * differs from the presented 2.0.1 type → Invalid; otherwise the stored status, with expiryDate /
 * parentIdTag when set.
 *
 * `presentedType` is the 2.0.1 IdTokenType.type; leave it out for 1.6, whose idTag has no type.
 */
export function decideAuthorization(record: IdTagRecord | null, now: Date, presentedType?: string): AuthorizationDecision {
  if (!record) return { status: 'Invalid' };
  // A token registered as, say, an RFID card must not authorize when typed in as a KeyCode.
  if (presentedType !== undefined && record.tokenType !== null && record.tokenType !== presentedType) {
    return { status: 'Invalid' };
  }
  const expiresAt = record.expiryDate === null ? null : Date.parse(record.expiryDate);
  const decision: AuthorizationDecision = { status: record.status };
  if (expiresAt !== null && Number.isNaN(expiresAt)) {
    // The store only keeps validated dates; should one be unreadable anyway, fail closed, and
    // leave it out of the answer, where it would break the charger's schema.
    decision.status = 'Expired';
  } else if (record.expiryDate !== null && expiresAt !== null) {
    decision.expiryDate = record.expiryDate;
    if (record.status === 'Accepted' && expiresAt <= now.getTime()) decision.status = 'Expired';
  }
  if (record.parentIdTag !== null) decision.parentIdTag = record.parentIdTag;
  if (record.language) decision.language = record.language;
  return decision;
}

/** How strongly a status refuses: a 1.6 idTag matching several typed entries gets the strongest refusal. */
const REFUSAL_ORDER: readonly DecisionStatus[] = ['Blocked', 'Expired', 'Invalid', 'ConcurrentTx', 'Accepted'];

/**
 * Decides for a presented token from every entry registered under its text (any type); null
 * when none speaks for it, which is an unknown token (answered Invalid).
 *
 * 2.0.1 (`presentedType` given) identifies a token by (idToken, type): the entry of that type,
 * else the entry for any type. A token registered only as, say, an RFID card does not authorize
 * when typed in as a KeyCode. 1.6 has no type: the entry for any type, else every typed entry
 * decides, and the strongest refusal among them wins (an idTag cannot say which it is, so the
 * CSMS fails closed when the operator gave its types different statuses).
 */
export function decideToken(records: readonly IdTagRecord[], now: Date, presentedType?: string): AuthorizationDecision | null {
  const anyType = records.find((r) => r.tokenType === null);
  if (presentedType !== undefined) {
    const exact = records.find((r) => r.tokenType === presentedType) ?? anyType;
    return exact ? decideAuthorization(exact, now) : null;
  }
  if (anyType) return decideAuthorization(anyType, now);
  if (records.length === 0) return null;
  const decisions = records.map((r) => decideAuthorization(r, now));
  decisions.sort((a, b) => REFUSAL_ORDER.indexOf(a.status) - REFUSAL_ORDER.indexOf(b.status));
  return decisions[0] ?? null;
}

/**
 * The one entry a 1.6 charger's list can hold for a text (an idTag has no type): the entry for
 * any type, else the typed entry whose status refuses most (as decideToken decides for 1.6).
 */
export function entryFor16(records: readonly IdTagRecord[]): IdTagRecord | undefined {
  const anyType = records.find((r) => r.tokenType === null);
  if (anyType) return anyType;
  return [...records].sort((a, b) => REFUSAL_ORDER.indexOf(a.status) - REFUSAL_ORDER.indexOf(b.status))[0];
}

/**
 * The type to send with a 2.0.1 groupIdToken, from the group tag's own entries: the type it is
 * registered under when there is exactly one and no entry for any type; otherwise (unknown
 * group, several types, or any type) Central, the spec's type for an id the CSMS generated,
 * which is what a group id that is never presented at a charger is.
 */
export function groupTokenType(parentRecords: readonly IdTagRecord[]): string {
  const types = new Set(parentRecords.map((r) => r.tokenType));
  if (types.size === 1) {
    const [only] = types;
    if (only) return only;
  }
  return DEFAULT_GROUP_TOKEN_TYPE;
}
