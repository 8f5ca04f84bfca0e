// The OCPP-J versions this CSMS speaks, named by their WebSocket subprotocol.

export const OCPP_VERSIONS = ['ocpp2.1', 'ocpp2.0.1', 'ocpp1.6'] as const;
export type OcppVersion = (typeof OCPP_VERSIONS)[number];

/** The versions of the 2.x message model: 2.1 keeps every 2.0.1 message and adds to it. */
export type Ocpp2Version = Exclude<OcppVersion, 'ocpp1.6'>;

/**
 * Whether `version` speaks the 2.x message model (TransactionEvent, device model, EVSEs). The code
 * shared by 2.0.1 and 2.1 asks this rather than naming 2.0.1, so a 2.1 charger takes the same path;
 * what only 2.1 has lives in ocpp/v21.
 */
export function isOcpp2(version: string | undefined | null): version is Ocpp2Version {
  return version === 'ocpp2.0.1' || version === 'ocpp2.1';
}

export function isOcppVersion(value: string): value is OcppVersion {
  return (OCPP_VERSIONS as readonly string[]).includes(value);
}

/**
 * Picks the subprotocol for a new connection: the first of our preferences that the
 * charger offered in `Sec-WebSocket-Protocol`. Returns undefined when none matches.
 */
export function chooseSubprotocol(
  offeredHeader: string | null | undefined,
  preference: readonly OcppVersion[],
): OcppVersion | undefined {
  if (!offeredHeader) return undefined;
  const offered = new Set(
    offeredHeader
      .split(',')
      .map((p) => p.trim().toLowerCase())
      .filter((p) => p.length > 0),
  );
  return preference.find((v) => offered.has(v));
}

/** Parses a comma-separated preference list such as "ocpp2.1,ocpp2.0.1,ocpp1.6"; unknown names are an error. */
export function parseVersionPreference(value: string | undefined): OcppVersion[] {
  if (!value || value.trim() === '') return [...OCPP_VERSIONS];
  const versions = value.split(',').map((v) => v.trim());
  const unknown = versions.filter((v) => !isOcppVersion(v));
  if (unknown.length > 0) {
    throw new Error(`OCPP_PROTOCOLS names unknown subprotocol(s): ${unknown.join(', ')}`);
  }
  return versions as OcppVersion[];
}
