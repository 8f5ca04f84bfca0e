// ISO 15118 Plug & Charge for OCPP 1.6 chargers, as the OCA application note "Using ISO 15118 Plug & Charge with OCPP 1.6" (v1.0, 2020-09-16) carries it: 2.0.1 messages wrapped in DataTransfer.
//
// The note takes the ISO 15118 messages of OCPP 2.0.1 and sends each as a 1.6 DataTransfer with
// vendorId `org.openchargealliance.iso15118pnc`, messageId the 2.0.1 action's name, and `data` the
// 2.0.1 request as JSON text; the answer is DataTransfer.conf Accepted with `data` the 2.0.1
// response as JSON text. Public implementations spell it the same (EVerest libocpp v16, maeve-csms).
// The charger sends Authorize (C07), GetCertificateStatus (M06), Get15118EVCertificate (M01/M02) and
// SignCertificate (A02/A03 for its V2G certificate); the CSMS sends CertificateSigned,
// InstallCertificate (M05), DeleteCertificate (M04), GetInstalledCertificateIds (M03) and
// TriggerMessage (only SignV2GCertificate, F06). ISO 15118 smart charging is not in the note.
//
// Operators send the CSMS's side as commands named `PnC.<2.0.1 action>` (the 1.6 security
// extension has its own CertificateSigned, InstallCertificate... for the charger's own
// certificates, under the plain names). This module holds what both directions share; it imports
// no handlers (the charger's side is v16/pnc-data-transfer.ts).

import type { GenericSchema } from 'valibot';
import * as v201 from './v201/schemas.generated';

export const PNC_VENDOR_ID = 'org.openchargealliance.iso15118pnc';

/** What the charger sends in DataTransfer, by messageId (the 2.0.1 action it wraps). */
export const PNC_CHARGER_MESSAGES = ['Authorize', 'GetCertificateStatus', 'Get15118EVCertificate', 'SignCertificate'] as const;
/** What the CSMS sends in DataTransfer, by messageId. */
export const PNC_CSMS_MESSAGES = ['CertificateSigned', 'DeleteCertificate', 'GetInstalledCertificateIds', 'InstallCertificate', 'TriggerMessage'] as const;

export type PncChargerMessage = (typeof PNC_CHARGER_MESSAGES)[number];
export type PncCsmsMessage = (typeof PNC_CSMS_MESSAGES)[number];

/** The prefix of an operator's Plug & Charge command to a 1.6 charger: `PnC.InstallCertificate`. */
export const PNC_COMMAND_PREFIX = 'PnC.';

/** The 2.0.1 action a `PnC.<action>` command wraps, or undefined for any other command name. */
export function pncCommandMessage(action: string): PncCsmsMessage | undefined {
  if (!action.startsWith(PNC_COMMAND_PREFIX)) return undefined;
  const message = action.slice(PNC_COMMAND_PREFIX.length);
  return (PNC_CSMS_MESSAGES as readonly string[]).includes(message) ? (message as PncCsmsMessage) : undefined;
}

/** The command name a 2.0.1 action goes by when sent to a 1.6 charger over DataTransfer. */
export function pncCommandAction(message: PncCsmsMessage): string {
  return `${PNC_COMMAND_PREFIX}${message}`;
}

export function isPncChargerMessage(messageId: string | undefined): messageId is PncChargerMessage {
  return messageId !== undefined && (PNC_CHARGER_MESSAGES as readonly string[]).includes(messageId);
}

/** The 2.0.1 request and response schemas of a wrapped message. */
export function pncSchemas(message: PncChargerMessage | PncCsmsMessage): { request: GenericSchema; response: GenericSchema } {
  return { request: v201.requestSchemas[message], response: v201.responseSchemas[message] };
}

/** The 1.6 DataTransfer.req that carries a 2.0.1 request. */
export function wrapPncRequest(message: PncCsmsMessage | PncChargerMessage, request: unknown): { vendorId: string; messageId: string; data: string } {
  return { vendorId: PNC_VENDOR_ID, messageId: message, data: JSON.stringify(request) };
}

/**
 * What a charger's DataTransfer.conf to a wrapped command says: the 2.0.1 response it carries
 * (still to be checked against the response schema), or why there is none — the charger did not
 * accept the DataTransfer (UnknownVendorId: it does not do Plug & Charge), or its data is no JSON.
 */
export function unwrapPncAnswer(
  answer: unknown,
): { ok: true; response: unknown } | { ok: false; status?: string; reason: string } {
  const { status, data } = (answer ?? {}) as { status?: unknown; data?: unknown };
  if (status !== 'Accepted') {
    return { ok: false, status: typeof status === 'string' ? status : undefined, reason: `The charger answered the DataTransfer ${String(status)}` };
  }
  if (typeof data !== 'string') return { ok: false, status, reason: 'The charger accepted the DataTransfer but sent no data (the 2.0.1 response)' };
  try {
    return { ok: true, response: JSON.parse(data) };
  } catch {
    return { ok: false, status, reason: 'The DataTransfer data is not JSON (the 2.0.1 response)' };
  }
}

/** The JSON text `data` holds, parsed; undefined when it is no JSON object (a malformed Plug & Charge message). */
export function parsePncData(data: unknown): Record<string, unknown> | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(data);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
