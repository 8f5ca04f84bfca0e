// OCPP 2.0.1 handlers for the charger-initiated actions this CSMS implements, by action name.

import { DEFAULT_GROUP_TOKEN_TYPE, type AuthorizationDecision } from '../authorization';
import { normaliseTimestamp, type Handler, type HandlerContext, type HandlerTable } from '../handlers';
import { NO_CONTRACT_CERT_PROVIDER } from '../certificates';
import { answerDataTransfer } from '../data-transfer';
import { samplesFromV201 } from '../meter-values';
import { certificateStatusFor, type OcspOutcome, type OcspRequestData } from '../ocsp';
import { issuerByHash, ocspRequestDataFor, trustedOutcome, TrustError, UNTRUSTED_ISSUER, validateChain, type ChainLink } from '../trust-chain';
import { firmwareStatusHandler, keepAndAnswer, signCertificateHandler } from '../reports';
import { limitCleared, limitFromNotify, profileChangesFromReport } from '../profile-changes';
import { checkEvSchedule, evProfileId, profileForEvNeeds } from '../charging/ev-negotiation';
import type { SmartChargingState } from '../records';
import { settingsFromReport } from '../settings';
import { monitorsFromReport } from '../v21/event-streams';
import { isOcpp2 } from '../versions';
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
  NotifyMonitoringReportRequest,
  NotifyMonitoringReportResponse,
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
  ClearedChargingLimitRequest,
  ClearedChargingLimitResponse,
  NotifyChargingLimitRequest,
  NotifyChargingLimitResponse,
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

/**
 * A token, and with ISO 15118 Plug & Charge its contract certificate. Hash data (C07.FR.05): each
 * certificate it names is checked by OCSP with its responder, the response believed only when its
 * signature verifies with the issuer's key (found in the trust store by issuerKeyHash) or a
 * responder's the issuer authorised (RFC 6960 §4.2.2.2). A PEM chain (central validation,
 * C07.FR.06): validated up to a configured trust root, then every certificate of it checked by
 * OCSP at the responder its Authority Information Access names. Anything but a trusted `good`
 * refuses the token whatever its own status (revoked: CertificateRevoked; a chain that does not
 * validate, a certificate unknown to the responder, no answer or one not to be believed:
 * CertChainError).
 */
const Authorize: Handler<AuthorizeRequest, AuthorizeResponse> = async (req, ctx) => {
  const info = await idTokenInfo(req.idToken, { offline: false }, ctx);
  const certificateStatus = await contractCertificateStatus(req, ctx);
  if (certificateStatus === undefined) return { idTokenInfo: info };
  return { idTokenInfo: certificateStatus === 'Accepted' ? info : { status: 'Invalid' }, certificateStatus };
};

async function contractCertificateStatus(req: AuthorizeRequest, ctx: HandlerContext): Promise<AuthorizeResponse['certificateStatus']> {
  const hashData = req.iso15118CertificateHashData;
  if (req.certificate === undefined && !hashData) return undefined;
  const trusted = ctx.trustedCertificates ? await ctx.trustedCertificates() : [];
  const now = ctx.now.getTime();
  const ask = (data: OcspRequestData): Promise<OcspOutcome> =>
    ctx.ocsp ? ctx.ocsp.check(data) : Promise.resolve({ kind: 'error', reason: 'no OCSP client' });
  let outcomes: OcspOutcome[];
  if (req.certificate !== undefined) {
    // The chain sent is what the EV presented: it is validated whole, hash data or not.
    let links: ChainLink[];
    try {
      links = await validateChain(req.certificate, trusted, now);
    } catch (error) {
      if (error instanceof TrustError) return 'CertChainError';
      throw error;
    }
    outcomes = await Promise.all(
      links.map(async ({ cert, issuer }) => {
        const data = await ocspRequestDataFor(cert, issuer);
        if (!data) return { kind: 'error', reason: 'the certificate names no OCSP responder' } as const;
        return trustedOutcome(await ask(data), issuer, now);
      }),
    );
  } else {
    // Asked at once (up to 4 certificates): the EV waits on this answer, and each responder may take its timeout.
    outcomes = await Promise.all(
      hashData!.map(async (data) => {
        // An issuer not trusted makes any answer worthless: the responder is not even asked.
        const issuer = await issuerByHash(trusted, data);
        return issuer ? trustedOutcome(await ask(data), issuer, now) : UNTRUSTED_ISSUER;
      }),
    );
  }
  // A revocation is the answer that says most; then the first certificate that is not good.
  const statuses = outcomes.map(certificateStatusFor);
  if (statuses.length === 0) return 'CertChainError';
  if (statuses.includes('CertificateRevoked')) return 'CertificateRevoked';
  return statuses.find((status) => status !== 'Accepted') ?? 'Accepted';
}

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
  const kept = await ctx.records.recordTransactionEvent(
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
  // I03.FR.02: the Ended event's answer holds the final cost (when the transaction was priced).
  const totalCost = req.eventType === 'Ended' && kept ? kept.totalCost : undefined;
  // I06: a change of the price told to the driver (to a charger that shows tariffs).
  const updated = kept ? kept.updatedPersonalMessage : undefined;
  return {
    ...(tokenInfo ? { idTokenInfo: tokenInfo } : {}),
    ...(totalCost !== undefined ? { totalCost } : {}),
    ...(updated ? { updatedPersonalMessage: updated } : {}),
  };
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

/** How a token is presented: in Authorize, or in a transaction's event (2.1 BatterySwap uses it too). */
export interface TokenUse {
  offline: boolean;
  purpose?: 'start' | 'end';
  transactionId?: string;
  seenAt?: string;
  /** Where the transaction runs, when known, and the remote start it names. */
  evseId?: number;
  connectorId?: number;
  remoteStartId?: number;
}

/** The idTokenInfo the CSMS answers for a token: shared with 2.1's handlers that authorize tokens. */
export async function idTokenInfo(token: IdTokenType, use: TokenUse, ctx: HandlerContext): Promise<IdTokenInfoType> {
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
    ...(decision.personalMessage ? { personalMessage: decision.personalMessage } : {}),
    // The token's preferred language, as the operator set it (id tag `language`).
    ...(decision.language ? { language1: decision.language } : {}),
  };
}

const DataTransfer = keepAndAnswer<DataTransferRequest, DataTransferResponse>('DataTransfer', async (req, ctx) => {
  const answer = await answerDataTransfer(req, ctx.chargerId);
  return answer.data === undefined ? { status: answer.status } : { status: answer.status, data: answer.data };
});

const SignCertificate: Handler<SignCertificateRequest, SignCertificateResponse> = signCertificateHandler(true);

/**
 * ISO 15118 contract certificates (M01 Install, M02 Update) come from a mobility operator's
 * certificate pool: the request is kept, passed to the configured provider, and its EXI response
 * returned. Without a provider it is answered Failed with the reason rather than left to time out.
 */
const Get15118EVCertificate = keepAndAnswer<Get15118EVCertificateRequest, Get15118EVCertificateResponse>(
  'Get15118EVCertificate',
  async (req, ctx) => {
    const provider = ctx.contractCertificates;
    if (!provider) return structuredClone(NO_CONTRACT_CERT_PROVIDER);
    return provider.get({
      chargerId: ctx.chargerId,
      iso15118SchemaVersion: req.iso15118SchemaVersion,
      action: req.action,
      exiRequest: req.exiRequest,
    });
  },
);
/**
 * M06: the OCSP response for a certificate of the EV's chain, fetched from the responder the
 * charger names and returned as it came (DER, base64) for the charger to pass on to the EV. Whatever
 * its certStatus, a response read is Accepted; no response is Failed with the reason.
 */
const GetCertificateStatus = keepAndAnswer<GetCertificateStatusRequest, GetCertificateStatusResponse>(
  'GetCertificateStatus',
  async (req, ctx) => {
    const outcome = ctx.ocsp ? await ctx.ocsp.check(req.ocspRequestData) : ({ kind: 'error', reason: 'no OCSP client' } as const);
    if (outcome.kind === 'error') return { status: 'Failed', statusInfo: { reasonCode: 'OcspUnavailable', additionalInfo: outcome.reason.slice(0, 512) } };
    const ocspResult = base64(outcome.response);
    if (ocspResult.length > 5500) {
      return { status: 'Failed', statusInfo: { reasonCode: 'OcspTooLarge', additionalInfo: 'The OCSP response is longer than ocspResult may be (5500)' } };
    }
    return { status: 'Accepted', ocspResult };
  },
);

function base64(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

/** Each part of a device-model report is kept as sent, and its variables update the charger's configuration. */
const NotifyReport = keepAndAnswer<NotifyReportRequest, NotifyReportResponse>('NotifyReport', async (req, ctx) => {
  await ctx.records.recordSettings(settingsFromReport(req, ctx.now.toISOString()));
  return {};
});

/** The profiles a station reports are kept as sent, and update what it is known to have installed. */
const ReportChargingProfiles = keepAndAnswer<ReportChargingProfilesRequest, ReportChargingProfilesResponse>(
  'ReportChargingProfiles',
  async (req, ctx) => {
    await ctx.records.recordProfileChanges(profileChangesFromReport(req, ctx.now.toISOString(), isOcpp2(ctx.version) ? ctx.version : 'ocpp2.0.1'));
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

/**
 * K15.FR.02-K15.FR.04: the EV's needs are answered Accepted when the CSMS can offer a schedule, and
 * the TxProfile follows (K15.FR.07) as a SetChargingProfile queued for right after the answer (see
 * charging/ev-negotiation.ts for the allocation); Rejected, with the reason, when no transaction
 * runs on the EVSE to bind a TxProfile to, or no limit is known to schedule.
 */
const NotifyEVChargingNeeds = keepAndAnswer<NotifyEVChargingNeedsRequest, NotifyEVChargingNeedsResponse>(
  'NotifyEVChargingNeeds',
  async (req, ctx) => {
    const state = await ctx.records.smartCharging(req.evseId);
    if (!state.transaction) {
      return { status: 'Rejected', statusInfo: { reasonCode: 'NoTransaction', additionalInfo: `No transaction runs on EVSE ${req.evseId}` } };
    }
    // On a site the site's allocator sends the TxProfile (its share, sent again for these needs).
    if (state.siteManaged) return { status: 'Accepted' };
    const plan = profileForEvNeeds(req, { profiles: state.profiles, transaction: state.transaction, now: ctx.now.toISOString() });
    if (!plan.ok) return { status: 'Rejected', statusInfo: { reasonCode: plan.reasonCode, additionalInfo: plan.additionalInfo } };
    await ctx.records.queueCommand('SetChargingProfile', plan.request as unknown as Record<string, unknown>);
    return { status: 'Accepted' };
  },
);

/**
 * The schedule the EV chose is checked against the CSMS's limits on its EVSE, its TxProfile
 * included: Accepted within them (K15.FR.11), Rejected with the first excess named (K15.FR.12,
 * K16.FR.07, K17.FR.12). After a rejection the CSMS renegotiates (K15.FR.13, K16.FR.08, K17.FR.13):
 * it sends its TxProfile for the transaction again, which makes the station renegotiate (K16).
 */
const NotifyEVChargingSchedule = keepAndAnswer<NotifyEVChargingScheduleRequest, NotifyEVChargingScheduleResponse>(
  'NotifyEVChargingSchedule',
  async (req, ctx) => {
    const state = await ctx.records.smartCharging(req.evseId);
    const check = checkEvSchedule(req, state);
    if (check.ok) return { status: 'Accepted' };
    const own = state.transaction && ownTxProfile(state, req.evseId);
    if (own) await ctx.records.queueCommand('SetChargingProfile', { evseId: req.evseId, chargingProfile: own });
    return { status: 'Rejected', statusInfo: { reasonCode: check.reasonCode, additionalInfo: check.additionalInfo } };
  },
);

/** The TxProfile the CSMS last sent for the EVSE's transaction, as the station accepted it. */
function ownTxProfile(state: SmartChargingState, evseId: number): Record<string, unknown> | undefined {
  const own = state.profiles.find(
    (p) => p.purpose === 'TxProfile' && p.id === evProfileId(evseId) && p.transactionId === state.transaction?.id,
  );
  return own && state.payloads.get(own.id);
}

/** K12: an external limit the station reports is kept, and caps the composite schedule of its EVSE (0: all). */
const NotifyChargingLimit = keepAndAnswer<NotifyChargingLimitRequest, NotifyChargingLimitResponse>(
  'NotifyChargingLimit',
  async (req, ctx) => {
    await ctx.records.recordProfileChanges([limitFromNotify(req, ctx.now.toISOString())]);
    return {};
  },
);

/** K13: a released external limit no longer caps anything. */
const ClearedChargingLimit = keepAndAnswer<ClearedChargingLimitRequest, ClearedChargingLimitResponse>(
  'ClearedChargingLimit',
  async (req, ctx) => {
    await ctx.records.recordProfileChanges([limitCleared(req, ctx.now.toISOString())]);
    return {};
  },
);

export const handlers: HandlerTable = {
  Authorize,
  BootNotification,
  ClearedChargingLimit,
  DataTransfer,
  FirmwareStatusNotification: firmwareStatusHandler('FirmwareStatusNotification'),
  Get15118EVCertificate,
  GetCertificateStatus,
  Heartbeat,
  LogStatusNotification: keepAndAnswer('LogStatusNotification'),
  MeterValues,
  NotifyChargingLimit,
  NotifyCustomerInformation: keepAndAnswer('NotifyCustomerInformation'),
  NotifyDisplayMessages: keepAndAnswer('NotifyDisplayMessages'),
  NotifyEVChargingNeeds,
  NotifyEVChargingSchedule,
  NotifyEvent: keepAndAnswer('NotifyEvent'),
  // Kept as sent, and its monitors learnt into the charger's monitor inventory (2.0.1 and 2.1 alike).
  NotifyMonitoringReport: keepAndAnswer<NotifyMonitoringReportRequest, NotifyMonitoringReportResponse>('NotifyMonitoringReport', async (req, ctx) => {
    const learnt = monitorsFromReport(req, ctx.now.toISOString());
    if (learnt.length > 0) await ctx.records.recordEventStreamChanges(learnt);
    return {};
  }),
  NotifyReport,
  PublishFirmwareStatusNotification: keepAndAnswer('PublishFirmwareStatusNotification'),
  ReportChargingProfiles,
  ReservationStatusUpdate,
  SecurityEventNotification: keepAndAnswer('SecurityEventNotification'),
  SignCertificate,
  StatusNotification,
  TransactionEvent,
};
