// An operator's command to a charger: checked before it is sent, and the charger's answer turned into a result.

import * as v from 'valibot';
import type { OutboxFacts, OutboxKind } from '../fleet/outbox';
import type { CallOutcome } from '../ocpp/outbound-calls';
import { certificateChangesFromCommand } from '../ocpp/certificate-inventory';
import { displayMessageReportsFromCommand } from '../ocpp/display-messages';
import { eventStreamChangesFromCommand } from '../ocpp/v21/event-streams';
import { derChangesFromCommand } from '../ocpp/v21/der-control';
import { profileChangesFromCommand } from '../ocpp/profile-changes';
import { reservationChangesFromCommand } from '../ocpp/reservation-changes';
import { CREDENTIAL_ROUTES, credentialChange, redactSecrets, scrubLiterals, secretLiterals, type WriteOnlyLookup } from '../ocpp/secrets';
import { settingsFromCommand } from '../ocpp/settings';
import { tariffFactsFromCommand } from '../ocpp/v21/tariff-facts';
import { gridFactsFromCommand } from '../ocpp/v21/grid-facts';
import { statefulViolation, statelessViolation, type ChargerState, type RuleViolation } from '../ocpp/outbound-rules';
import { PROFILES, schemaFor } from '../ocpp/protocol';
import { pncCommandMessage, pncSchemas, unwrapPncAnswer, wrapPncRequest, type PncCsmsMessage } from '../ocpp/pnc16';
import { summarizeIssues } from '../ocpp/validation';
import type { OcppVersion } from '../ocpp/versions';
import type { CommandOutcome } from './types';
import { v2xChangesFromCommand } from '../ocpp/v2x-changes';

export interface PreparedCommand {
  ok: true;
  protocol: OcppVersion;
  action: string;
  request: unknown;
  responseSchema: v.GenericSchema;
  /**
   * A Plug & Charge command to a 1.6 charger (`PnC.<action>`, ocpp/pnc16.ts): the 2.0.1 action it
   * wraps. `request` and `responseSchema` are then the 2.0.1 ones; DataTransfer carries them.
   */
  pnc?: PncCsmsMessage;
}

/**
 * Checks an operator's command against the charger's version before anything is sent: the
 * action must be one the CSMS sends in that version, the payload must match its schema, and
 * follow the spec's rules that need nothing but the payload (ocpp/outbound-rules.ts). The rules
 * that need the charger's state are checked right before sending (`refuseByState`).
 */
export function prepareCommand(
  protocol: OcppVersion | null,
  action: string,
  payload: unknown,
): PreparedCommand | { ok: false; refusal: CommandOutcome } {
  if (!protocol) {
    // Without a negotiated version only the action name can be checked.
    if (!Object.values(PROFILES).some((p) => p.csmsInitiated.has(action))) {
      return refuse(404, 'UnknownAction', `${action} is not a CSMS-initiated action in any OCPP version`);
    }
    return refuse(409, 'ChargerOffline', 'The charger has never connected');
  }
  const pnc = pncCommandMessage(action);
  if (pnc) return preparePncCommand(protocol, action, pnc, payload);
  const profile = PROFILES[protocol];
  const requestSchema = schemaFor(profile.requestSchemas, action);
  const responseSchema = schemaFor(profile.responseSchemas, action);
  if (!profile.csmsInitiated.has(action) || !requestSchema || !responseSchema) {
    return refuse(404, 'UnknownAction', `${action} is not a CSMS-initiated action in ${protocol}`);
  }
  const request = v.safeParse(requestSchema, payload);
  if (!request.success) {
    return refuse(400, 'InvalidPayload', `The payload does not match the ${protocol} ${action} request schema`, {
      issues: summarizeIssues(request.issues),
    });
  }
  const violation = statelessViolation(protocol, action, request.output);
  if (violation) return specViolation(protocol, action, violation);
  return { ok: true, protocol, action, request: request.output, responseSchema };
}

/**
 * A `PnC.<action>` command: for 1.6 chargers only (2.0.1 has the action itself), its payload the
 * 2.0.1 request, checked against the 2.0.1 schema and rules, and against what the application note
 * sends over DataTransfer: a TriggerMessage asks only for SignV2GCertificate, a CertificateSigned
 * carries only a V2GCertificate (the charger's own client certificate has the 1.6 security
 * extension's CertificateSigned).
 */
function preparePncCommand(
  protocol: OcppVersion,
  action: string,
  message: PncCsmsMessage,
  payload: unknown,
): PreparedCommand | { ok: false; refusal: CommandOutcome } {
  if (protocol !== 'ocpp1.6') {
    return refuse(404, 'UnknownAction', `${action} carries ${message} in DataTransfer to 1.6 chargers; send ${message} itself to a ${protocol} charger`);
  }
  const schemas = pncSchemas(message);
  const request = v.safeParse(schemas.request, payload);
  if (!request.success) {
    return refuse(400, 'InvalidPayload', `The payload does not match the ocpp2.0.1 ${message} request schema (${action} sends it in a DataTransfer)`, {
      issues: summarizeIssues(request.issues),
    });
  }
  const fields = request.output as { requestedMessage?: string; certificateType?: string };
  if (message === 'TriggerMessage' && fields.requestedMessage !== 'SignV2GCertificate') {
    return specViolation(protocol, action, {
      requirement: 'Plug & Charge application note (TriggerMessage)',
      message: 'over DataTransfer a TriggerMessage asks only for SignV2GCertificate; use the 1.6 TriggerMessage or ExtendedTriggerMessage for the rest',
    });
  }
  if (message === 'CertificateSigned' && fields.certificateType !== undefined && fields.certificateType !== 'V2GCertificate') {
    return specViolation(protocol, action, {
      requirement: 'Plug & Charge application note (CertificateSigned)',
      message: "over DataTransfer a CertificateSigned carries the charger's V2GCertificate; its client certificate goes with the 1.6 CertificateSigned",
    });
  }
  const violation = statelessViolation('ocpp2.0.1', message, request.output);
  if (violation) return specViolation(protocol, action, violation);
  return { ok: true, protocol, action, request: request.output, responseSchema: schemas.response, pnc: message };
}

/** The CALL a command goes as: its own action and request, or a Plug & Charge one wrapped in DataTransfer. */
export function onTheWire(action: string, request: unknown): { action: string; payload: unknown } {
  const pnc = pncCommandMessage(action);
  return pnc ? { action: 'DataTransfer', payload: wrapPncRequest(pnc, request) } : { action, payload: request };
}

/**
 * The refusal of a prepared command that breaks a rule needing the charger's state (a TxProfile
 * for a transaction not running, a stack level already taken), or undefined when it may be sent.
 */
export function refuseByState(command: PreparedCommand, state: ChargerState): { ok: false; refusal: CommandOutcome } | undefined {
  const violation = statefulViolation(command.protocol, command.action, command.request, state);
  return violation ? specViolation(command.protocol, command.action, violation) : undefined;
}

/** One error code for every rule: the requirement says which. */
function specViolation(protocol: OcppVersion, action: string, violation: RuleViolation) {
  return refuse(400, 'SpecViolation', `${protocol} ${action} breaks ${violation.requirement}: ${violation.message}`, {
    requirement: violation.requirement,
  });
}

/**
 * Checks a command to be queued. Before the charger's version is known (it never connected),
 * the command must suit at least one version; it is checked again against the real one
 * before it is sent.
 */
export function prepareQueuedCommand(
  protocol: OcppVersion | null,
  action: string,
  payload: unknown,
): PreparedCommand | { ok: false; refusal: CommandOutcome } {
  if (protocol) return prepareCommand(protocol, action, payload);
  const candidates = pncCommandMessage(action)
    ? (['ocpp1.6'] as OcppVersion[])
    : (Object.keys(PROFILES) as OcppVersion[]).filter((v) => PROFILES[v].csmsInitiated.has(action));
  if (candidates.length === 0) {
    return refuse(404, 'UnknownAction', `${action} is not a CSMS-initiated action in any OCPP version`);
  }
  let firstRefusal: { ok: false; refusal: CommandOutcome } | undefined;
  for (const version of candidates) {
    const prepared = prepareCommand(version, action, payload);
    if (prepared.ok) return prepared;
    firstRefusal ??= prepared;
  }
  return firstRefusal!;
}

/**
 * Refuses a command that would change how the charger authenticates or whom it trusts
 * (secrets.ts says which): those go through the admin routes.
 */
export function refuseCredentialChange(action: string, payload: unknown): { ok: false; refusal: CommandOutcome } | undefined {
  const change = credentialChange(action, payload);
  if (!change) return undefined;
  return refuse(403, 'CredentialChangeRefused', `${change} changes the charger's credentials or whom it trusts: use ${CREDENTIAL_ROUTES}`);
}

/**
 * The HTTP-facing result of a sent command: the validated answer (secrets redacted), or why there
 * is none. The secret values the request carried are scrubbed from every text of the answer too
 * (a CALLERROR's description may echo them), whatever shape they appear in.
 */
export function commandOutcome(command: PreparedCommand, outcome: CallOutcome, timeoutSeconds: number, writeOnly?: WriteOnlyLookup): CommandOutcome {
  const { action } = command;
  const literals = secretLiterals(command.request, writeOnly);
  const kept = <T>(value: T): T => scrubLiterals(redactSecrets(value, writeOnly), literals);
  switch (outcome.kind) {
    case 'result': {
      let payload: unknown = outcome.payload;
      if (command.pnc) {
        // The charger's DataTransfer.conf: the 2.0.1 answer is the JSON text of its data.
        const unwrapped = unwrapPncAnswer(payload);
        if (!unwrapped.ok) {
          return commandFailure(502, 'DataTransferNotAccepted', `${unwrapped.reason}: ${action} was not answered`, {
            dataTransfer: kept(payload),
          });
        }
        payload = unwrapped.response;
      }
      const response = v.safeParse(command.responseSchema, payload);
      if (!response.success) {
        return commandFailure(502, 'InvalidResponse', `The charger's ${action} answer does not match its schema`, {
          issues: kept(summarizeIssues(response.issues)),
          result: kept(payload),
        });
      }
      return { ok: true, result: kept(response.output as Record<string, unknown>) };
    }
    case 'error':
      return commandFailure(502, 'CallError', `The charger answered ${action} with ${outcome.code}`, {
        ocpp: { code: outcome.code, description: kept(outcome.description), details: kept(outcome.details) },
      });
    case 'timeout':
      return commandFailure(504, 'Timeout', `The charger did not answer ${action} within ${timeoutSeconds} s`);
    case 'disconnected':
      return commandFailure(409, 'ChargerOffline', `${outcome.reason} before answering ${action}`);
  }
}

/**
 * What a successful command's answer tells about the charger — its configuration, its installed
 * charging profiles, its reservations, its certificates, its display messages — as outbox facts.
 */
export function commandEffects(
  protocol: OcppVersion,
  action: string,
  request: unknown,
  result: unknown,
  now: string,
  /** Variables the charger reported WriteOnly: their values are kept redacted too. */
  writeOnly?: WriteOnlyLookup,
): Array<{ [K in OutboxKind]: { kind: K; fact: OutboxFacts[K] } }[OutboxKind]> {
  // A Plug & Charge command's answer is a 2.0.1 one, about the charger's ISO 15118 certificates only.
  const pnc = pncCommandMessage(action);
  if (pnc) return certificateChangesFromCommand('ocpp2.0.1', pnc, request, result, now).map((fact) => ({ kind: 'certificate' as const, fact }));
  return [
    ...settingsFromCommand(action, request, result, now, writeOnly).map((fact) => ({ kind: 'setting' as const, fact })),
    ...profileChangesFromCommand(protocol, action, request, result, now).map((fact) => ({ kind: 'profile' as const, fact })),
    ...reservationChangesFromCommand(protocol, action, request, result, now).map((fact) => ({
      kind: 'reservation' as const,
      fact,
    })),
    ...certificateChangesFromCommand(protocol, action, request, result, now).map((fact) => ({ kind: 'certificate' as const, fact })),
    ...displayMessageReportsFromCommand(protocol, action, request, result, now).map((fact) => ({
      kind: 'report' as const,
      fact: { ...fact, payload: redactSecrets(fact.payload, writeOnly) },
    })),
    ...tariffFactsFromCommand(protocol, action, request, result, now).map((fact) => ({ kind: 'tariff21' as const, fact })),
    // 2.1 periodic event streams (Adjust, Get) and the monitors they name (Set/ClearVariableMonitoring, 2.0.1 too).
    ...eventStreamChangesFromCommand(action, request, result, now).map((fact) => ({ kind: 'eventStream' as const, fact })),
    ...(protocol === 'ocpp2.1' ? derChangesFromCommand(action, request, result, now) : []).map((fact) => ({ kind: 'der' as const, fact })),
    ...(protocol === 'ocpp2.1' ? gridFactsFromCommand(action, request, result, now).map((fact) => ({ kind: 'grid' as const, fact })) : []),
    ...(protocol === 'ocpp2.1' ? v2xChangesFromCommand(action, request, result, now).map((fact) => ({ kind: 'v2x' as const, fact })) : []),
  ];
}

export function commandFailure(
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): CommandOutcome {
  return { ok: false, status, error: { code, message, ...extra } };
}

function refuse(status: number, code: string, message: string, extra: Record<string, unknown> = {}) {
  return { ok: false as const, refusal: commandFailure(status, code, message, extra) };
}
