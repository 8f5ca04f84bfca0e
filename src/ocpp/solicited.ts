// Which requests a charger not (yet) Accepted may send because the CSMS asked for them.
//
// Until its boot is Accepted, a charger's requests are refused with SecurityError (2.0.1
// B01.FR.10, B02.FR.09, B03.FR.07; the project applies the rule to 1.6 too). A Pending charger is
// there to be provisioned, though: the CSMS may ask it for a report or trigger a message, and what
// the charger then sends is what the CSMS asked for (B02.FR.02 lets it send exactly those). This
// module says, for a CSMS request, which charger requests it solicits and how they are matched;
// the charger's object keeps the solicitations (charger/solicited-messages.ts).

import { isOcpp2, type OcppVersion } from './versions';
import { pncCommandAction } from './pnc16';

/** What a CSMS request lets a charger not yet Accepted send. */
export interface Solicitation {
  /** The charger actions it solicits. */
  actions: string[];
  /** The requestId the charger's messages must carry, when the request names one. */
  requestId?: number;
  /** A report in parts: it ends with the part whose `tbc` is not true. */
  parts: boolean;
  /** How long after the charger's last matching message (or its answer) more may come. */
  windowMs: number;
  /**
   * The EVSE / connector a TriggerMessage named (2.0.1 `evse`, 1.6 `connectorId`): a message that
   * names another is not what was asked for. One that names none is still let through.
   */
  where?: Place;
}

/** An EVSE and connector as a message names them: 2.0.1 evseId and EVSE-relative connectorId, 1.6 connectorId. */
export interface Place {
  evseId?: number;
  connectorId?: number;
}

/** A triggered message comes right after the charger's answer; a slow charger gets a few minutes. */
export const TRIGGER_WINDOW_MS = 5 * 60_000;
/** Between two parts of a report. */
export const REPORT_WINDOW_MS = 5 * 60_000;
/** Status notifications of a job (a firmware update, a log upload) follow its progress for a while. */
export const JOB_WINDOW_MS = 60 * 60_000;

/** The action each requestedMessage of TriggerMessage (and 1.6 ExtendedTriggerMessage) makes the charger send. */
const TRIGGERED: Record<string, string[]> = {
  BootNotification: ['BootNotification'],
  Heartbeat: ['Heartbeat'],
  MeterValues: ['MeterValues'],
  StatusNotification: ['StatusNotification'],
  TransactionEvent: ['TransactionEvent'],
  DiagnosticsStatusNotification: ['DiagnosticsStatusNotification'],
  // 1.6 ExtendedTriggerMessage's FirmwareStatusNotification asks for the signed kind when a signed update runs.
  FirmwareStatusNotification: ['FirmwareStatusNotification', 'SignedFirmwareStatusNotification'],
  LogStatusNotification: ['LogStatusNotification'],
  PublishFirmwareStatusNotification: ['PublishFirmwareStatusNotification'],
  SignChargingStationCertificate: ['SignCertificate'],
  SignV2GCertificate: ['SignCertificate'],
  SignCombinedCertificate: ['SignCertificate'],
  SignChargePointCertificate: ['SignCertificate'],
};

/** CSMS requests that name a requestId, and the charger messages that carry it back. */
const BY_REQUEST_ID_201: Record<string, { actions: string[]; parts: boolean }> = {
    GetBaseReport: { actions: ['NotifyReport'], parts: true },
    GetReport: { actions: ['NotifyReport'], parts: true },
    GetMonitoringReport: { actions: ['NotifyMonitoringReport'], parts: true },
    GetChargingProfiles: { actions: ['ReportChargingProfiles'], parts: true },
    CustomerInformation: { actions: ['NotifyCustomerInformation'], parts: true },
    GetDisplayMessages: { actions: ['NotifyDisplayMessages'], parts: true },
    GetLog: { actions: ['LogStatusNotification'], parts: false },
    UpdateFirmware: { actions: ['FirmwareStatusNotification'], parts: false },
    PublishFirmware: { actions: ['PublishFirmwareStatusNotification'], parts: false },
};

const BY_REQUEST_ID: Record<OcppVersion, Record<string, { actions: string[]; parts: boolean }>> = {
  'ocpp2.0.1': BY_REQUEST_ID_201,
  // 2.1 adds a report in parts: the DER controls a GetDERControl asks for (tbc like NotifyReport).
  'ocpp2.1': { ...BY_REQUEST_ID_201, GetDERControl: { actions: ['ReportDERControl'], parts: true } },
  'ocpp1.6': {
    GetLog: { actions: ['LogStatusNotification'], parts: false },
    SignedUpdateFirmware: { actions: ['SignedFirmwareStatusNotification'], parts: false },
  },
};

/** 1.6 jobs whose status notifications carry no requestId. */
const JOBS_16: Record<string, string[]> = {
  GetDiagnostics: ['DiagnosticsStatusNotification'],
  UpdateFirmware: ['FirmwareStatusNotification'],
};

/** What `action` sent with the (schema-valid) `request` solicits from the charger; undefined for nothing. */
export function solicitationOf(version: OcppVersion, action: string, request: unknown): Solicitation | undefined {
  const fields = (request ?? {}) as { requestedMessage?: unknown; requestId?: unknown };
  // 1.6 Plug & Charge (pnc16.ts): the SignCertificate a PnC.TriggerMessage asks for comes in a DataTransfer.
  if (version === 'ocpp1.6' && action === pncCommandAction('TriggerMessage')) {
    return { actions: ['DataTransfer'], parts: false, windowMs: TRIGGER_WINDOW_MS };
  }
  if (action === 'TriggerMessage' || (version === 'ocpp1.6' && action === 'ExtendedTriggerMessage')) {
    const actions = typeof fields.requestedMessage === 'string' ? TRIGGERED[fields.requestedMessage] : undefined;
    // A BootNotification is always answered: nothing to let through.
    if (!actions || actions.includes('BootNotification')) return undefined;
    const where = triggeredPlace(version, request);
    return { actions, parts: false, windowMs: TRIGGER_WINDOW_MS, ...(where ? { where } : {}) };
  }
  const byId = BY_REQUEST_ID[version][action];
  if (byId && typeof fields.requestId === 'number') {
    return { actions: byId.actions, requestId: fields.requestId, parts: byId.parts, windowMs: byId.parts ? REPORT_WINDOW_MS : JOB_WINDOW_MS };
  }
  const job = version === 'ocpp1.6' ? JOBS_16[action] : undefined;
  if (job) return { actions: job, parts: false, windowMs: JOB_WINDOW_MS };
  return undefined;
}

/**
 * Whether the charger's answer took the request on, so that what it solicited may follow. A
 * status of Rejected, NotImplemented, EmptyResultSet, NotSupported… means nothing will; an
 * answer with no status (1.6 GetDiagnostics, UpdateFirmware) takes it on.
 */
export function tookOn(response: unknown): boolean {
  const status = (response as { status?: unknown } | null)?.status;
  return status === undefined || (typeof status === 'string' && status.startsWith('Accepted'));
}

/** The EVSE / connector a trigger named: 2.0.1 `evse` {id, connectorId?}, 1.6 `connectorId`. */
function triggeredPlace(version: OcppVersion, request: unknown): Place | undefined {
  const fields = (request ?? {}) as { evse?: { id?: unknown; connectorId?: unknown }; connectorId?: unknown };
  const place: Place = {};
  if (isOcpp2(version)) {
    if (typeof fields.evse?.id === 'number') place.evseId = fields.evse.id;
    if (typeof fields.evse?.connectorId === 'number') place.connectorId = fields.evse.connectorId;
  } else if (typeof fields.connectorId === 'number') {
    place.connectorId = fields.connectorId;
  }
  return place.evseId === undefined && place.connectorId === undefined ? undefined : place;
}

/**
 * The EVSE / connector a charger message names, as the trigger would: 2.0.1 StatusNotification and
 * MeterValues `evseId` (and the former's `connectorId`), TransactionEvent `evse`; 1.6
 * StatusNotification and MeterValues `connectorId`.
 */
function placeOf(payload: unknown): Place {
  const fields = (payload ?? {}) as { evseId?: unknown; connectorId?: unknown; evse?: { id?: unknown; connectorId?: unknown } };
  const evseId = typeof fields.evseId === 'number' ? fields.evseId : fields.evse?.id;
  const connectorId = typeof fields.connectorId === 'number' ? fields.connectorId : fields.evse?.connectorId;
  return {
    ...(typeof evseId === 'number' ? { evseId } : {}),
    ...(typeof connectorId === 'number' ? { connectorId } : {}),
  };
}

/**
 * Whether a charger request matches a solicitation: its action, its requestId when the
 * solicitation names one, and the EVSE / connector a trigger named. The requested message leads
 * (F06: an EVSE irrelevant to the message is ignored), so the place narrows only a message that
 * names one itself: a StatusNotification for another connector is not the one asked for, a
 * Heartbeat or a TransactionEvent naming no EVSE still is.
 */
export function answersSolicitation(solicitation: Pick<Solicitation, 'actions' | 'requestId' | 'where'>, action: string, payload: unknown): boolean {
  if (!solicitation.actions.includes(action)) return false;
  if (solicitation.requestId !== undefined && (payload as { requestId?: unknown } | null)?.requestId !== solicitation.requestId) return false;
  if (!solicitation.where) return true;
  const place = placeOf(payload);
  const { evseId, connectorId } = solicitation.where;
  if (evseId !== undefined && place.evseId !== undefined && place.evseId !== evseId) return false;
  return connectorId === undefined || place.connectorId === undefined || place.connectorId === connectorId;
}

/** Whether a report's message is its last part (2.0.1 `tbc` absent or false). */
export function isLastPart(payload: unknown): boolean {
  return (payload as { tbc?: unknown } | null)?.tbc !== true;
}

/**
 * CSMS requests a Pending charger may not be sent: 1.6 §4.2.1 forbids RemoteStart/StopTransaction
 * while Pending, and a 2.0.1 station answers RequestStart/StopTransaction Rejected while Pending.
 * They wait for the charger to be Accepted.
 */
export const NOT_WHILE_PENDING: ReadonlySet<string> = new Set([
  'RemoteStartTransaction',
  'RemoteStopTransaction',
  'RequestStartTransaction',
  'RequestStopTransaction',
]);
