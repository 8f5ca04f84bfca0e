// The live console feed's messages (README "Live console feed"): what a charger's answered CALL
// means to an open console, as JSON objects with a `type`. Pure: no Cloudflare types.
//
// Fleet messages go to every console; detail messages only to consoles watching that charger.
// Whatever they quote of a charger's message goes out with its secrets redacted, as events do.

import { eventRegisters, samplesFromV16, samplesFromV201, type V16MeterValue } from '../ocpp/meter-values';
import type { MeterValueType } from '../ocpp/v201/schemas.generated';
import { redactSecrets } from '../ocpp/secrets';
import { isCriticalSecurityEvent } from '../ocpp/security-events';

/** One message of the feed, as a console receives it. Every one names its charger and when it happened. */
export interface LiveMessage {
  type: string;
  chargerId: string;
  /** When the CSMS saw it (ISO 8601). */
  at: string;
  [field: string]: unknown;
}

/** Fleet messages: every console gets them. The rest (journal, meter, command) are detail messages. */
export const FLEET_TYPES = new Set([
  'charger.connected',
  'charger.disconnected',
  'charger.boot',
  'connector.status',
  'transaction.started',
  'transaction.ended',
  'security.alert',
]);

export function isFleetMessage(message: LiveMessage): boolean {
  return FLEET_TYPES.has(message.type);
}

/**
 * The key under which a fleet message replaces an older one waiting to be sent (coalescing: the
 * console needs a connector's latest status, not each one between). Transactions' starts and ends
 * are each kept: they are events, not states.
 */
export function coalescingKey(message: LiveMessage): string | undefined {
  switch (message.type) {
    case 'charger.connected':
    case 'charger.disconnected':
      return 'connection';
    case 'charger.boot':
      return 'boot';
    case 'connector.status':
      return `status:${String(message.evseId ?? '')}:${String(message.connectorId ?? '')}`;
    default:
      return undefined;
  }
}

/** What one transaction's start left for its end's energy: the register it began at (Wh). */
export type StartRegisters = Map<string, number>;

/**
 * The feed messages of one CALL answered with a CALLRESULT (`answer` its payload). `registers`
 * carries a transaction's starting register from its start to its end (in the object's memory, so
 * an end after hibernation has its meterStopWh but no energyWh). `watched`: whether meter values
 * are wanted (detail). `endedCost` gives a 1.6 transaction's total cost once its end was priced.
 */
export function messagesForCall(
  chargerId: string,
  protocol: string,
  action: string,
  request: Record<string, unknown>,
  answer: Record<string, unknown>,
  at: string,
  options: { watched: boolean; registers: StartRegisters; endedCost?: (transactionId: string) => number | null },
): LiveMessage[] {
  const message = (type: string, fields: Record<string, unknown>): LiveMessage => ({ type, chargerId, at, ...redactSecrets(dropUndefined(fields)) });
  switch (action) {
    case 'BootNotification': {
      const station = (request.chargingStation ?? {}) as Record<string, unknown>;
      const v16 = protocol === 'ocpp1.6';
      return [
        message('charger.boot', {
          registrationStatus: answer.status,
          vendor: v16 ? request.chargePointVendor : station.vendorName,
          model: v16 ? request.chargePointModel : station.model,
          firmwareVersion: v16 ? request.firmwareVersion : station.firmwareVersion,
          serialNumber: v16 ? request.chargePointSerialNumber : station.serialNumber,
        }),
      ];
    }
    case 'StatusNotification':
      return [
        protocol === 'ocpp1.6'
          ? message('connector.status', { connectorId: request.connectorId, status: request.status, errorCode: request.errorCode, timestamp: request.timestamp })
          : message('connector.status', { evseId: request.evseId, connectorId: request.connectorId, status: request.connectorStatus, timestamp: request.timestamp }),
      ];
    case 'StartTransaction': {
      const transactionId = String(answer.transactionId);
      remember(options.registers, transactionId, request.meterStart);
      return [
        message('transaction.started', {
          transactionId,
          connectorId: request.connectorId,
          idTag: request.idTag,
          idTagStatus: (answer.idTagInfo as { status?: string } | undefined)?.status,
          meterStartWh: request.meterStart,
          timestamp: request.timestamp,
        }),
      ];
    }
    case 'StopTransaction': {
      const transactionId = String(request.transactionId);
      const meterStopWh = request.meterStop as number;
      const startWh = options.registers.get(transactionId);
      options.registers.delete(transactionId);
      return [
        message('transaction.ended', {
          transactionId,
          reason: request.reason ?? 'Local',
          meterStopWh,
          energyWh: startWh === undefined ? undefined : meterStopWh - startWh,
          totalCost: options.endedCost?.(transactionId) ?? undefined,
          timestamp: request.timestamp,
        }),
      ];
    }
    case 'MeterValues': {
      if (!options.watched || request.transactionId === undefined) return [];
      const registerWh = eventRegisters(samplesFromV16(request.meterValue as V16MeterValue[]), 'Updated').endWh;
      if (registerWh === null) return [];
      return [message('meter', { transactionId: String(request.transactionId), connectorId: request.connectorId, registerWh })];
    }
    case 'TransactionEvent':
      return transactionEvent(request, answer, options, message);
    // A firmware or log job moved (L01 / N01, 1.6 §4.4 §4.5): the charger's screen reads its jobs again.
    case 'FirmwareStatusNotification':
    case 'SignedFirmwareStatusNotification':
    case 'DiagnosticsStatusNotification':
    case 'LogStatusNotification':
      if (!options.watched) return [];
      return [message('job.status', { job: action.includes('Firmware') ? 'firmware' : 'log', status: request.status, requestId: request.requestId })];
    case 'SecurityEventNotification':
      // A critical one (A04) is an alert: every console's badge counts them. Its techInfo stays in the API.
      return isCriticalSecurityEvent(request.type) ? [message('security.alert', { eventType: request.type, timestamp: request.timestamp })] : [];
    default:
      return [];
  }
}

function transactionEvent(
  request: Record<string, unknown>,
  answer: Record<string, unknown>,
  options: { watched: boolean; registers: StartRegisters },
  message: (type: string, fields: Record<string, unknown>) => LiveMessage,
): LiveMessage[] {
  const info = request.transactionInfo as { transactionId: string; stoppedReason?: string; chargingState?: string };
  const evse = request.evse as { id?: number; connectorId?: number } | undefined;
  const samples = Array.isArray(request.meterValue) ? samplesFromV201(request.meterValue as MeterValueType[]) : [];
  const { beginWh, endWh } = eventRegisters(samples, String(request.eventType));
  const out: LiveMessage[] = [];
  if (request.eventType === 'Started') {
    if (beginWh !== null) remember(options.registers, info.transactionId, beginWh);
    out.push(
      message('transaction.started', {
        transactionId: info.transactionId,
        evseId: evse?.id,
        connectorId: evse?.connectorId,
        idToken: (request.idToken as { idToken?: string } | undefined)?.idToken,
        idTokenStatus: (answer.idTokenInfo as { status?: string } | undefined)?.status,
        meterStartWh: beginWh ?? undefined,
        timestamp: request.timestamp,
      }),
    );
  } else if (request.eventType === 'Ended') {
    const startWh = options.registers.get(info.transactionId);
    options.registers.delete(info.transactionId);
    out.push(
      message('transaction.ended', {
        transactionId: info.transactionId,
        reason: info.stoppedReason ?? 'Local',
        meterStopWh: endWh ?? undefined,
        energyWh: startWh !== undefined && endWh !== null ? endWh - startWh : undefined,
        totalCost: typeof answer.totalCost === 'number' ? answer.totalCost : undefined,
        timestamp: request.timestamp,
      }),
    );
  }
  if (options.watched && request.eventType !== 'Ended' && endWh !== null) {
    out.push(message('meter', { transactionId: info.transactionId, evseId: evse?.id, registerWh: endWh, chargingState: info.chargingState }));
  }
  return out;
}

/** Transactions whose start register is remembered at most (a charger runs a handful at once). */
const REGISTERS_KEPT = 64;

function remember(registers: StartRegisters, transactionId: string, wh: unknown): void {
  if (typeof wh !== 'number') return;
  registers.set(transactionId, wh);
  if (registers.size > REGISTERS_KEPT) registers.delete(registers.keys().next().value!);
}

function dropUndefined(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}
