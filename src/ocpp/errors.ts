// OCPP-J error codes and the one error class that carries them, spelled per version.
//
// Inside the CSMS every failure has one `kind`, named as OCPP 2.0.1 names it. When a
// CALLERROR goes on the wire, `errorCodeFor` spells it the way the charger's version
// does: 1.6 says "FormationViolation" and (sic) "OccurenceConstraintViolation".

import type { OcppVersion } from './versions';

/** Every kind of RPC error, with the meaning OCPP gives it. */
export const ERROR_KINDS = {
  FormatViolation: 'Payload for action is syntactically incorrect or not conform the PDU structure',
  GenericError: 'Any other error not covered by the more specific error codes',
  InternalError: 'An internal error occurred and the receiver was not able to process the requested action successfully',
  MessageTypeNotSupported: 'A message with a message type number received that is not supported by this implementation',
  NotImplemented: 'Requested action is unknown to the receiver',
  NotSupported: 'Requested action is recognized but not supported by the receiver',
  OccurrenceConstraintViolation: 'Payload for action is syntactically correct but at least one of the fields violates occurrence constraints',
  PropertyConstraintViolation: 'Payload is syntactically correct but at least one field contains an invalid value',
  ProtocolError: 'Payload for action is incomplete',
  RpcFrameworkError: 'Content of the call is not a valid RPC request, for example the message id could not be read',
  SecurityError: 'During the processing of action a security issue occurred preventing receiver from completing the action successfully',
  TypeConstraintViolation: 'Payload for action is syntactically correct but at least one of the fields violates data type constraints',
} as const;

export type OcppErrorKind = keyof typeof ERROR_KINDS;

/** The error codes OCPP 1.6-J defines (section 4.2.3), spelled as the spec spells them. */
export const V16_ERROR_CODES = [
  'NotImplemented',
  'NotSupported',
  'InternalError',
  'ProtocolError',
  'SecurityError',
  'FormationViolation',
  'PropertyConstraintViolation',
  'OccurenceConstraintViolation',
  'TypeConstraintViolation',
  'GenericError',
] as const;

/** The error codes OCPP 2.0.1-J defines. OCPP 2.1 (Part 4) keeps the same list, for CALLERROR and CALLRESULTERROR alike, so 2.1 is spelled from this table too. */
export const V201_ERROR_CODES = [
  'FormatViolation',
  'GenericError',
  'InternalError',
  'MessageTypeNotSupported',
  'NotImplemented',
  'NotSupported',
  'OccurrenceConstraintViolation',
  'PropertyConstraintViolation',
  'ProtocolError',
  'RpcFrameworkError',
  'SecurityError',
  'TypeConstraintViolation',
] as const;

export type V16ErrorCode = (typeof V16_ERROR_CODES)[number];
export type V201ErrorCode = (typeof V201_ERROR_CODES)[number];
export type OcppErrorCode = V16ErrorCode | V201ErrorCode;

/**
 * 1.6 has no MessageTypeNotSupported or RpcFrameworkError; a frame that is not a valid
 * RPC message "does not conform the PDU structure", which 1.6 calls FormationViolation.
 */
const V16_SPELLING: Record<OcppErrorKind, V16ErrorCode> = {
  FormatViolation: 'FormationViolation',
  GenericError: 'GenericError',
  InternalError: 'InternalError',
  MessageTypeNotSupported: 'FormationViolation',
  NotImplemented: 'NotImplemented',
  NotSupported: 'NotSupported',
  OccurrenceConstraintViolation: 'OccurenceConstraintViolation',
  PropertyConstraintViolation: 'PropertyConstraintViolation',
  ProtocolError: 'ProtocolError',
  RpcFrameworkError: 'FormationViolation',
  SecurityError: 'SecurityError',
  TypeConstraintViolation: 'TypeConstraintViolation',
};

export function errorCodeFor(version: OcppVersion, kind: OcppErrorKind): OcppErrorCode {
  return version === 'ocpp1.6' ? V16_SPELLING[kind] : kind;
}

/**
 * A CALLERROR's details spelled for `version`: every `kind` in them (the issues of a schema
 * failure carry one each) is named as that version names error codes, like the code itself,
 * so a 1.6 charger never reads a 2.0.1-only name. Nothing else in the details changes.
 */
export function errorDetailsFor(version: OcppVersion, details: ErrorDetails): ErrorDetails {
  if (version !== 'ocpp1.6') return details;
  return respellKinds(details, 0) as ErrorDetails;
}

/** Details are small and shallow (issues are two levels down); deeper values are left as they are. */
const MAX_DETAILS_DEPTH = 4;

function respellKinds(value: unknown, depth: number): unknown {
  if (depth > MAX_DETAILS_DEPTH || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => respellKinds(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] =
      key === 'kind' && typeof item === 'string' && item in ERROR_KINDS
        ? V16_SPELLING[item as OcppErrorKind]
        : respellKinds(item, depth + 1);
  }
  return out;
}

/**
 * A CALLERROR's description spelled for `version`: a kind named in the text (ours are written
 * with 2.0.1 names) takes the version's spelling, as the code does.
 */
export function errorDescriptionFor(version: OcppVersion, description: string): string {
  if (version !== 'ocpp1.6') return description;
  return description.replace(/\b(FormatViolation|OccurrenceConstraintViolation|MessageTypeNotSupported|RpcFrameworkError)\b/g, (kind) =>
    V16_SPELLING[kind as OcppErrorKind],
  );
}

/** Reads an error code received from a charger back into a kind; unknown codes become GenericError. */
export function errorKindOf(code: string): OcppErrorKind {
  if (code in ERROR_KINDS) return code as OcppErrorKind;
  for (const [kind, spelled] of Object.entries(V16_SPELLING)) {
    if (spelled === code) return kind as OcppErrorKind;
  }
  return 'GenericError';
}

export function isErrorCode(version: OcppVersion, code: string): boolean {
  const codes: readonly string[] = version === 'ocpp1.6' ? V16_ERROR_CODES : V201_ERROR_CODES;
  return codes.includes(code);
}

/** OCPP caps errorDescription; we keep to 255 characters. */
export const MAX_ERROR_DESCRIPTION = 255;

export type ErrorDetails = Record<string, unknown>;

/** An RPC failure that becomes a CALLERROR. `details` says which field and why. */
export class OcppError extends Error {
  readonly kind: OcppErrorKind;
  readonly details: ErrorDetails;

  constructor(kind: OcppErrorKind, description?: string, details: ErrorDetails = {}) {
    super(truncate(description ?? ERROR_KINDS[kind], MAX_ERROR_DESCRIPTION));
    this.name = 'OcppError';
    this.kind = kind;
    this.details = details;
  }
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
