// The local authorization list a charger keeps, built from the CSMS's id tags, in each version's SendLocalList.

import type { IdTagRecord } from './authorization';
import type * as V16 from './v16/schemas.generated';
import type * as V201 from './v201/schemas.generated';
import type { OcppVersion } from './versions';

/** One tag for the list: with its record to add or update it, or without to remove it (Differential only). */
export interface LocalListEntry {
  idTag: string;
  record: IdTagRecord | null;
}

export type LocalListUpdate = 'Full' | 'Differential';

/** The SendLocalList payload; tags that do not fit the version (a 1.6 idTag is at most 20 characters) are left out and named. */
export function localListPayload(
  protocol: OcppVersion,
  version: number,
  updateType: LocalListUpdate,
  entries: readonly LocalListEntry[],
): { payload: V16.SendLocalListRequest | V201.SendLocalListRequest; skipped: string[] } {
  if (protocol === 'ocpp1.6') {
    const fits = entries.filter((e) => e.idTag.length <= 20);
    const list = fits.map((e) => ({
      idTag: e.idTag,
      ...(e.record
        ? {
            idTagInfo: {
              status: e.record.status,
              ...(e.record.expiryDate ? { expiryDate: e.record.expiryDate } : {}),
              ...(e.record.parentIdTag && e.record.parentIdTag.length <= 20 ? { parentIdTag: e.record.parentIdTag } : {}),
            },
          }
        : {}),
    }));
    return {
      payload: { listVersion: version, updateType, ...(list.length > 0 ? { localAuthorizationList: list } : {}) },
      skipped: entries.filter((e) => e.idTag.length > 20).map((e) => e.idTag),
    };
  }
  const list = entries.map((e) => ({
    // A tag stored without a type matches any; the list must name one, and Central is the neutral choice.
    idToken: { idToken: e.idTag, type: (e.record?.tokenType ?? 'Central') as V201.IdTokenEnumType },
    ...(e.record
      ? {
          idTokenInfo: {
            status: e.record.status,
            ...(e.record.expiryDate ? { cacheExpiryDateTime: e.record.expiryDate } : {}),
            ...(e.record.parentIdTag ? { groupIdToken: { idToken: e.record.parentIdTag, type: 'Central' as const } } : {}),
          },
        }
      : {}),
  }));
  return {
    payload: { versionNumber: version, updateType, ...(list.length > 0 ? { localAuthorizationList: list } : {}) },
    skipped: [],
  };
}
