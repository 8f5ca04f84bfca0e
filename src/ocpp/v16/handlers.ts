// OCPP 1.6 handlers for the charger-initiated actions this CSMS implements, by action name.

import type { AuthorizationDecision } from '../authorization';
import { normaliseTimestamp, type Handler, type HandlerContext, type HandlerTable } from '../handlers';
import { answerDataTransfer } from '../data-transfer';
import { samplesFromV16 } from '../meter-values';
import { PNC_VENDOR_ID } from '../pnc16';
import { answerPncDataTransfer } from './pnc-data-transfer';
import { firmwareStatusHandler, keepAndAnswer, signCertificateHandler } from '../reports';
import type {
  AuthorizeRequest,
  AuthorizeResponse,
  DataTransferRequest,
  DataTransferResponse,
  SignCertificateRequest,
  SignCertificateResponse,
  BootNotificationRequest,
  BootNotificationResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  MeterValuesRequest,
  MeterValuesResponse,
  StartTransactionRequest,
  StartTransactionResponse,
  StatusNotificationRequest,
  StatusNotificationResponse,
  StopTransactionRequest,
  StopTransactionResponse,
} from './schemas.generated';

type IdTagInfo = AuthorizeResponse['idTagInfo'];

/** 1.6 connectors are kept as EVSE 0, connector N (0 = the charge point itself). */
const EVSE = 0;

const BootNotification: Handler<BootNotificationRequest, BootNotificationResponse> = async (req, ctx) => {
  const status = await ctx.records.recordBoot({
    vendor: req.chargePointVendor,
    model: req.chargePointModel,
    serialNumber: req.chargePointSerialNumber,
    chargeBoxSerialNumber: req.chargeBoxSerialNumber,
    firmwareVersion: req.firmwareVersion,
    iccid: req.iccid,
    imsi: req.imsi,
    meterType: req.meterType,
    meterSerialNumber: req.meterSerialNumber,
  });
  return { status, currentTime: ctx.now.toISOString(), interval: ctx.heartbeatIntervalSeconds };
};

const Heartbeat: Handler<HeartbeatRequest, HeartbeatResponse> = async (_req, ctx) => ({
  currentTime: ctx.now.toISOString(),
});

const StatusNotification: Handler<StatusNotificationRequest, StatusNotificationResponse> = async (req, ctx) => {
  await ctx.records.recordConnectorStatus({
    evseId: EVSE,
    connectorId: req.connectorId,
    status: req.status,
    errorCode: req.errorCode,
    info: req.info,
    vendorId: req.vendorId,
    vendorErrorCode: req.vendorErrorCode,
    reportedAt: normaliseTimestamp(req.timestamp) ?? ctx.now.toISOString(),
  });
  return {};
};

const Authorize: Handler<AuthorizeRequest, AuthorizeResponse> = async (req, ctx) => ({
  idTagInfo: idTagInfo(await ctx.records.authorize({ idTag: req.idTag, offline: false })),
});

const StartTransaction: Handler<StartTransactionRequest, StartTransactionResponse> = async (req, ctx) => {
  const startedAt = normaliseTimestamp(req.timestamp) ?? ctx.now.toISOString();
  const offline = ranOffline(startedAt, ctx);
  const decision = await ctx.records.authorize({
    idTag: req.idTag,
    offline,
    purpose: 'start',
    start16: { connectorId: req.connectorId, idTag: req.idTag, meterStartWh: req.meterStart, startedAt },
  });
  // The transaction is recorded whatever the decision: the charger may already be charging,
  // and on a non-Accepted answer it stops the transaction itself and reports the energy.
  const transactionId = await ctx.records.startTransaction({
    connectorId: req.connectorId,
    idTag: req.idTag,
    idTagStatus: decision.status,
    meterStartWh: req.meterStart,
    startedAt,
    reservationId: req.reservationId,
  });
  if (req.reservationId !== undefined) {
    await ctx.records.recordReservationChanges([
      { op: 'used', reservationId: req.reservationId, transactionId: String(transactionId), at: ctx.now.toISOString() },
    ]);
  }
  // An unknown tag let through offline is answered Invalid like any unknown tag, and noted.
  if (offline && decision.unknown) {
    await ctx.records.recordSeenOffline({ idTag: req.idTag, transactionId: String(transactionId), seenAt: startedAt });
  }
  return { transactionId, idTagInfo: idTagInfo(decision) };
};

const StopTransaction: Handler<StopTransactionRequest, StopTransactionResponse> = async (req, ctx) => {
  const stoppedAt = normaliseTimestamp(req.timestamp) ?? ctx.now.toISOString();
  if (req.transactionData && req.transactionData.length > 0) {
    // A StopTransaction does not name its connector; the start did.
    const where = await ctx.records.transactionLocation(String(req.transactionId));
    await ctx.records.recordMeterValues({
      evseId: EVSE,
      connectorId: where?.connectorId ?? 0,
      transactionId: String(req.transactionId),
      samples: samplesFromV16(req.transactionData),
    });
  }
  await ctx.records.stopTransaction({
    transactionId: req.transactionId,
    idTag: req.idTag,
    meterStopWh: req.meterStop,
    stoppedAt,
    // 1.6: "Reason ... may be omitted when the reason is Local".
    reason: req.reason ?? 'Local',
  });
  if (req.idTag === undefined) return {};
  const offline = ranOffline(stoppedAt, ctx);
  const transactionId = String(req.transactionId);
  const decision = await ctx.records.authorize({ idTag: req.idTag, offline, purpose: 'end', transactionId });
  if (offline && decision.unknown) await ctx.records.recordSeenOffline({ idTag: req.idTag, transactionId, seenAt: stoppedAt });
  return { idTagInfo: idTagInfo(decision) };
};

const MeterValues: Handler<MeterValuesRequest, MeterValuesResponse> = async (req, ctx) => {
  await ctx.records.recordMeterValues({
    evseId: EVSE,
    connectorId: req.connectorId,
    transactionId: req.transactionId === undefined ? '' : String(req.transactionId),
    samples: samplesFromV16(req.meterValue),
  });
  return {};
};

function idTagInfo(decision: AuthorizationDecision): IdTagInfo {
  return {
    status: decision.status,
    ...(decision.expiryDate ? { expiryDate: decision.expiryDate } : {}),
    // A 1.6 parentIdTag holds 20 characters; a longer (2.0.1-only) group is left out, not cut.
    ...(decision.parentIdTag && decision.parentIdTag.length <= 20 ? { parentIdTag: decision.parentIdTag } : {}),
  };
}

/** 1.6 has no offline flag: a start stamped before this connection opened happened offline. */
function ranOffline(timestamp: string, ctx: HandlerContext): boolean {
  return Date.parse(timestamp) < ctx.connectedAt.getTime();
}

/**
 * 1.6 DataTransfer data is a string; a vendor hook's JSON answer is sent as its JSON text. ISO
 * 15118 Plug & Charge (the OCA application note's vendorId) is answered by the 2.0.1 handlers
 * (pnc-data-transfer.ts). Every DataTransfer is kept as a report, its data redacted as any payload.
 */
const DataTransfer = keepAndAnswer<DataTransferRequest, DataTransferResponse>('DataTransfer', async (req, ctx) => {
  if (req.vendorId === PNC_VENDOR_ID) return answerPncDataTransfer(req, ctx);
  const answer = await answerDataTransfer(req, ctx.chargerId);
  if (answer.data === undefined) return { status: answer.status };
  return { status: answer.status, data: typeof answer.data === 'string' ? answer.data : JSON.stringify(answer.data) };
});

const SignCertificate: Handler<SignCertificateRequest, SignCertificateResponse> = signCertificateHandler(false);

export const handlers: HandlerTable = {
  Authorize,
  BootNotification,
  DataTransfer,
  DiagnosticsStatusNotification: keepAndAnswer('DiagnosticsStatusNotification'),
  FirmwareStatusNotification: firmwareStatusHandler('FirmwareStatusNotification'),
  Heartbeat,
  LogStatusNotification: keepAndAnswer('LogStatusNotification'),
  MeterValues,
  SecurityEventNotification: keepAndAnswer('SecurityEventNotification'),
  SignCertificate,
  SignedFirmwareStatusNotification: firmwareStatusHandler('SignedFirmwareStatusNotification'),
  StartTransaction,
  StatusNotification,
  StopTransaction,
};
