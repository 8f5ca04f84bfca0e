// Which charger ids the CSMS accepts, in the WebSocket path and in the API.

export const MAX_CHARGER_ID_LENGTH = 48;

/**
 * A charger id is 1–48 printable ASCII characters (0x21–0x7E: no space, no control
 * characters) and no ":", which HTTP Basic auth uses to split user from password.
 */
export function isValidChargerId(id: string): boolean {
  return id.length >= 1 && id.length <= MAX_CHARGER_ID_LENGTH && /^[\x21-\x39\x3b-\x7e]+$/.test(id);
}

/** Decodes one URL path segment and checks it; undefined when it is not a valid charger id. */
export function chargerIdFromPathSegment(segment: string): string | undefined {
  let id: string;
  try {
    id = decodeURIComponent(segment);
  } catch {
    return undefined;
  }
  return isValidChargerId(id) ? id : undefined;
}
