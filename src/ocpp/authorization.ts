// Whether an id tag (1.6) or id token (2.0.1) may charge: the CSMS's answer to Authorize and transaction starts.

export const AUTHORIZATION_STATUSES = ['Accepted', 'Blocked', 'Expired', 'Invalid'] as const;
export type AuthorizationStatus = (typeof AUTHORIZATION_STATUSES)[number];

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
  /** The 2.0.1 IdTokenEnumType this token must be presented as; null matches any type. */
  tokenType: string | null;
  status: AuthorizationStatus;
  /** UTC ISO 8601. */
  expiryDate: string | null;
  /** 1.6 parentIdTag, 2.0.1 groupIdToken.idToken. */
  parentIdTag: string | null;
  /** The CSMS first learnt of the tag from a transaction a charger ran offline. */
  firstSeenOffline: boolean;
  createdAt: string;
  updatedAt: string;
}

/** The version-neutral core of a 1.6 IdTagInfo / 2.0.1 IdTokenInfo. */
export interface AuthorizationDecision {
  status: AuthorizationStatus;
  expiryDate?: string;
  parentIdTag?: string;
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
  return decision;
}
