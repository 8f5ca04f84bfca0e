// OCPP 2.0.1 handlers for the charger-initiated actions this CSMS implements, by action name.

import { DEFAULT_GROUP_TOKEN_TYPE, type AuthorizationDecision } from '../authorization';
import { normaliseTimestamp, type Handler, type HandlerContext, type HandlerTable } from '../handlers';
import { answerDataTransfer } from '../data-transfer';
import { samplesFromV201 } from '../meter-values';
import { firmwareStatusHandler, keepAndAnswer, signCertificateHandler } from '../reports';
import { profileChangesFromReport } from '../profile-changes';
import { settingsFromReport } from '../settings';
import type {
  AuthorizeRequest,
  AuthorizeResponse,
  DataTransferRequest,
  DataTransferResponse,
  Get15118EVCertificateRequest,
  Get15118EVCertificateResponse,
  GetCertificateStatusRequest,
  GetCertificateStatusResponse,
  NotifyEVChargingNeedsRequest,
  NotifyEVChargingNeedsResponse,
  NotifyEVChargingScheduleRequest,
  NotifyEVChargingScheduleResponse,
  NotifyReportRequest,
  NotifyReportResponse,
  ReportChargingProfilesRequest,
  ReportChargingProfilesResponse,
  ReservationStatusUpdateRequest,
  ReservationStatusUpdateResponse,
  SignCertificateRequest,
  SignCertificateResponse,
  BootNotificationRequest,
  BootNotificationResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  IdTokenInfoType,
  IdTokenType,
  MeterValuesRequest,
  MeterValuesResponse,
  StatusNotificationRequest,
  StatusNotificationResponse,
  TransactionEventRequest,
  TransactionEventResponse,
} from './schemas.generated';

const BootNotification: Handler<BootNotificationRequest, BootNotificationResponse> = async (req, ctx) => {
  const station = req.chargingStation;
  const status = await ctx.records.recordBoot({
    vendor: station.vendorName,
    model: station.model,
    serialNumber: station.serialNumber,
    firmwareVersion: station.firmwareVersion,
    iccid: station.modem?.iccid,
    imsi: station.modem?.imsi,
  });
  return { status, currentTime: ctx.now.toISOString(), interval: ctx.heartbeatIntervalSeconds };
};

const Heartbeat: Handler<HeartbeatRequest, HeartbeatResponse> = async (_req, ctx) => ({
  currentTime: ctx.now.toISOString(),
});

const StatusNotification: Handler<StatusNotificationRequest, StatusNotificationResponse> = async (req, ctx) => {
  await ctx.records.recordConnectorStatus({
    evseId: req.evseId,
    connectorId: req.connectorId,
    status: req.connectorStatus,
    reportedAt: normaliseTimestamp(req.timestamp),
  });
  return {};
};

const Authorize: Handler<AuthorizeRequest, AuthorizeResponse> = async (req, ctx) => ({
  idTokenInfo: await idTokenInfo(req.idToken, { offline: false }, ctx),
});

const TransactionEvent: Handler<TransactionEventRequest, TransactionEventResponse> = async (req, ctx) => {
  const tx = req.transactionInfo;
  // A station may name the EVSE only in the transaction's first event.
  const where = req.evse ? undefined : await ctx.records.transactionLocation(tx.transactionId);
  const evseId = req.evse?.id ?? where?.evseId;
  // A location kept without a connector holds 0, which no 2.0.1 connector is: unknown stays unknown.
  const connectorId = req.evse ? req.evse.connectorId : where?.connectorId || undefined;
  // Decided before the event is kept: the transaction shows the status it was answered with.
  const use: TokenUse = {
    offline: req.offline ?? false,
    purpose: req.eventType === 'Ended' ? 'end' : 'start',
    transactionId: tx.transactionId,
    seenAt: normaliseTimestamp(req.timestamp) ?? req.timestamp,
    evseId,
    connectorId,
    remoteStartId: tx.remoteStartId,
  };
  const tokenInfo = req.idToken ? await idTokenInfo(req.idToken, use, ctx) : undefined;
  await ctx.records.recordTransactionEvent(
    {
      transactionId: tx.transactionId,
      seqNo: req.seqNo,
      eventType: req.eventType,
      timestamp: normaliseTimestamp(req.timestamp) ?? req.timestamp,
      triggerReason: req.triggerReason,
      offline: req.offline ?? false,
      chargingState: tx.chargingState,
      stoppedReason: tx.stoppedReason,
      remoteStartId: tx.remoteStartId,
      reservationId: req.reservationId,
      idToken: req.idToken?.idToken,
      idTokenType: req.idToken?.type,
      idTokenStatus: tokenInfo?.status,
      evseId,
      connectorId,
    },
    req.meterValue
      ? { evseId: evseId ?? 0, connectorId: connectorId ?? 0, transactionId: tx.transactionId, samples: samplesFromV201(req.meterValue) }
      : undefined,
    req,
  );
  if (req.reservationId !== undefined) {
    await ctx.records.recordReservationChanges([
      { op: 'used', reservationId: req.reservationId, transactionId: tx.transactionId, at: ctx.now.toISOString() },
    ]);
  }
  return tokenInfo ? { idTokenInfo: tokenInfo } : {};
};

const MeterValues: Handler<MeterValuesRequest, MeterValuesResponse> = async (req, ctx) => {
  await ctx.records.recordMeterValues({
    evseId: req.evseId,
    connectorId: 0,
    transactionId: '',
    samples: samplesFromV201(req.meterValue),
  });
  return {};
};

/** How a token is presented: in Authorize, or in a transaction's event. */
interface TokenUse {
  offline: boolean;
  purpose?: 'start' | 'end';
  transactionId?: string;
  seenAt?: string;
  /** Where the transaction runs, when known, and the remote start it names. */
  evseId?: number;
  connectorId?: number;
  remoteStartId?: number;
}

async function idTokenInfo(token: IdTokenType, use: TokenUse, ctx: HandlerContext): Promise<IdTokenInfoType> {
  // A station that charges without authorization reports it as such; there is nothing to check.
  if (token.type === 'NoAuthorization') return { status: 'Accepted' };
  const decision = await ctx.records.authorize({
    idTag: token.idToken,
    type: token.type,
    offline: use.offline,
    purpose: use.purpose,
    transactionId: use.transactionId,
    evseId: use.evseId,
    connectorId: use.connectorId,
    remoteStartId: use.remoteStartId,
  });
  // An unknown token let through offline is answered Invalid like any unknown token, and noted.
  if (use.offline && decision.unknown && use.transactionId !== undefined) {
    await ctx.records.recordSeenOffline({
      idTag: token.idToken,
      type: token.type,
      transactionId: use.transactionId,
      seenAt: use.seenAt ?? ctx.now.toISOString(),
    });
  }
  return toIdTokenInfo(decision);
}

function toIdTokenInfo(decision: AuthorizationDecision): IdTokenInfoType {
  const groupType = (decision.parentType ?? DEFAULT_GROUP_TOKEN_TYPE) as IdTokenType['type'];
  return {
    status: decision.status,
    ...(decision.expiryDate ? { cacheExpiryDateTime: decision.expiryDate } : {}),
    ...(decision.parentIdTag ? { groupIdToken: { idToken: decision.parentIdTag, type: groupType } } : {}),
  };
}

const DataTransfer = keepAndAnswer<DataTransferRequest, DataTransferResponse>('DataTransfer', async (req, ctx) => {
  const answer = await answerDataTransfer(req, ctx.chargerId);
  return answer.data === undefined ? { status: answer.status } : { status: answer.status, data: answer.data };
});

const SignCertificate: Handler<SignCertificateRequest, SignCertificateResponse> = signCertificateHandler();

/**
 * ISO 15118 contract certificates come from a mobility operator's certificate pool, and OCSP
 * answers from the certificate's responder; neither is configured here, so both requests are
 * kept and answered Failed with the reason, rather than left to time out.
 */
const Get15118EVCertificate = keepAndAnswer<Get15118EVCertificateRequest, Get15118EVCertificateResponse>(
  'Get15118EVCertificate',
  () => ({ status: 'Failed', exiResponse: '', statusInfo: { reasonCode: 'NoCertProvider' } }),
);
const GetCertificateStatus = keepAndAnswer<GetCertificateStatusRequest, GetCertificateStatusResponse>(
  'GetCertificateStatus',
  () => ({ status: 'Failed', statusInfo: { reasonCode: 'NoOcspResponder' } }),
);

/** Each part of a device-model report is kept as sent, and its variables update the charger's configuration. */
const NotifyReport = keepAndAnswer<NotifyReportRequest, NotifyReportResponse>('NotifyReport', async (req, ctx) => {
  await ctx.records.recordSettings(settingsFromReport(req, ctx.now.toISOString()));
  return {};
});

/** The profiles a station reports are kept as sent, and update what it is known to have installed. */
const ReportChargingProfiles = keepAndAnswer<ReportChargingProfilesRequest, ReportChargingProfilesResponse>(
  'ReportChargingProfiles',
  async (req, ctx) => {
    await ctx.records.recordProfileChanges(profileChangesFromReport(req, ctx.now.toISOString()));
    return {};
  },
);

const ReservationStatusUpdate = keepAndAnswer<ReservationStatusUpdateRequest, ReservationStatusUpdateResponse>(
  'ReservationStatusUpdate',
  async (req, ctx) => {
    const op = req.reservationUpdateStatus === 'Expired' ? 'expired' : 'removed';
    await ctx.records.recordReservationChanges([{ op, reservationId: req.reservationId, at: ctx.now.toISOString() }]);
    return {};
  },
);

/** This CSMS does not compute charging schedules yet, so it says so instead of promising one. */
const NotifyEVChargingNeeds = keepAndAnswer<NotifyEVChargingNeedsRequest, NotifyEVChargingNeedsResponse>(
  'NotifyEVChargingNeeds',
  () => ({ status: 'Rejected', statusInfo: { reasonCode: 'NoSmartCharging' } }),
);
const NotifyEVChargingSchedule = keepAndAnswer<NotifyEVChargingScheduleRequest, NotifyEVChargingScheduleResponse>(
  'NotifyEVChargingSchedule',
  () => ({ status: 'Accepted' }),
);

export const handlers: HandlerTable = {
  Authorize,
  BootNotification,
  ClearedChargingLimit: keepAndAnswer('ClearedChargingLimit'),
  DataTransfer,
  FirmwareStatusNotification: firmwareStatusHandler('FirmwareStatusNotification'),
  Get15118EVCertificate,
  GetCertificateStatus,
  Heartbeat,
  LogStatusNotification: keepAndAnswer('LogStatusNotification'),
  MeterValues,
  NotifyChargingLimit: keepAndAnswer('NotifyChargingLimit'),
  NotifyCustomerInformation: keepAndAnswer('NotifyCustomerInformation'),
  NotifyDisplayMessages: keepAndAnswer('NotifyDisplayMessages'),
  NotifyEVChargingNeeds,
  NotifyEVChargingSchedule,
  NotifyEvent: keepAndAnswer('NotifyEvent'),
  NotifyMonitoringReport: keepAndAnswer('NotifyMonitoringReport'),
  NotifyReport,
  PublishFirmwareStatusNotification: keepAndAnswer('PublishFirmwareStatusNotification'),
  ReportChargingProfiles,
  ReservationStatusUpdate,
  SecurityEventNotification: keepAndAnswer('SecurityEventNotification'),
  SignCertificate,
  StatusNotification,
  TransactionEvent,
};
