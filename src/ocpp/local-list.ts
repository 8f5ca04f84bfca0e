// The local authorization list a charger keeps, built from the CSMS's id tags, in each version's SendLocalList.

import { entryFor16, type IdTagRecord } from './authorization';
import type * as V16 from './v16/schemas.generated';
import type * as V201 from './v201/schemas.generated';
import type { OcppVersion } from './versions';

/** One tag for the list: its entries to add or update it, or none to remove it (Differential only). */
export interface LocalListEntry {
  idTag: string;
  /** Its id_tags entries, one per 2.0.1 type (tokenType null: any type). */
  records: IdTagRecord[];
  /** The 2.0.1 groupIdToken type for each parentIdTag its entries name (see groupTokenType); Central when missing. */
  groupTypes?: Record<string, string>;
  /**
   * Differential, 2.0.1: only the entry of this type, sent when `records` has it and removed
   * from the charger when not. Without it, a removal has no type to name (see REMOVAL_WITHOUT_TYPE).
   * A 1.6 list has one entry per idTag: the type does not change it.
   */
  type?: string;
}

export type LocalListUpdate = 'Full' | 'Differential';

/** A token left out of the list, and why. */
export interface SkippedEntry {
  idTag: string;
  /** The 2.0.1 type of the entry left out; null for an entry of any type, or a 1.6 tag. */
  type: string | null;
  reason: string;
}

const TOO_LONG_FOR_16 = 'longer than the 20 characters a 1.6 idTag holds';
const ANY_TYPE_FOR_201 =
  'registered for any type, and a 2.0.1 list entry names one: register the token under the type(s) its chargers present';
const REMOVAL_WITHOUT_TYPE =
  'no entry left to name its type, and a 2.0.1 charger removes a token by (idToken, type): name the type ({"idTag", "type"}) or send a Full list';

/** The SendLocalList payload, and the tokens that could not be put in it, each with its reason. */
export function localListPayload(
  protocol: OcppVersion,
  version: number,
  updateType: LocalListUpdate,
  entries: readonly LocalListEntry[],
): { payload: V16.SendLocalListRequest | V201.SendLocalListRequest; skipped: SkippedEntry[] } {
  const skipped: SkippedEntry[] = [];
  // A token named twice in an update goes in once: a charger may refuse a list that repeats one.
  // Tokens compare without regard to case, as in D1.
  const seen = new Set<string>();
  const once = (idTag: string, type: string | null) => {
    const key = `${idTag.toUpperCase()}\u0000${type ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
  if (protocol === 'ocpp1.6') {
    const list: V16.SendLocalListRequest['localAuthorizationList'] = [];
    for (const e of entries) {
      if (e.idTag.length > 20) {
        skipped.push({ idTag: e.idTag, type: null, reason: TOO_LONG_FOR_16 });
        continue;
      }
      if (!once(e.idTag, null)) continue;
      // 1.6 holds one entry per idTag, whatever types the token has in 2.0.1.
      const record = entryFor16(e.records);
      list.push({
        idTag: e.idTag,
        ...(record
          ? {
              idTagInfo: {
                status: record.status,
                ...(record.expiryDate ? { expiryDate: record.expiryDate } : {}),
                ...(record.parentIdTag && record.parentIdTag.length <= 20 ? { parentIdTag: record.parentIdTag } : {}),
              },
            }
          : {}),
      });
    }
    return { payload: { listVersion: version, updateType, ...(list.length > 0 ? { localAuthorizationList: list } : {}) }, skipped };
  }
  const list: NonNullable<V201.SendLocalListRequest['localAuthorizationList']> = [];
  for (const e of entries) {
    if (e.type !== undefined) {
      // One (idToken, type): its entry, or its removal when it has none any more.
      if (!once(e.idTag, e.type)) continue;
      const typed = e.records.find((r) => r.tokenType === e.type);
      list.push(typed ? entry201(e, typed) : { idToken: { idToken: e.idTag, type: e.type as V201.IdTokenEnumType } });
      continue;
    }
    if (e.records.length === 0) {
      skipped.push({ idTag: e.idTag, type: null, reason: REMOVAL_WITHOUT_TYPE });
      continue;
    }
    for (const record of e.records) {
      // The list identifies a token by (idToken, type); the CSMS does not invent a type.
      if (record.tokenType === null) {
        skipped.push({ idTag: e.idTag, type: null, reason: ANY_TYPE_FOR_201 });
        continue;
      }
      if (!once(e.idTag, record.tokenType)) continue;
      list.push(entry201(e, record));
    }
  }
  return {
    payload: { versionNumber: version, updateType, ...(list.length > 0 ? { localAuthorizationList: list } : {}) },
    skipped,
  };
}

/** A 2.0.1 list entry for one typed record of a tag. */
function entry201(e: LocalListEntry, record: IdTagRecord): NonNullable<V201.SendLocalListRequest['localAuthorizationList']>[number] {
  const groupType = record.parentIdTag ? (e.groupTypes?.[record.parentIdTag] ?? 'Central') : undefined;
  return {
    idToken: { idToken: e.idTag, type: record.tokenType as V201.IdTokenEnumType },
    idTokenInfo: {
      status: record.status,
      ...(record.expiryDate ? { cacheExpiryDateTime: record.expiryDate } : {}),
      ...(record.parentIdTag ? { groupIdToken: { idToken: record.parentIdTag, type: groupType as V201.IdTokenEnumType } } : {}),
      // The driver's language, as online authorization answers it (idTokenInfo.language1).
      ...(record.language ? { language1: record.language } : {}),
    },
  };
}
