// The shape of a handler for a charger-initiated action, and what it may use.

import type { CertificateAuthority, ContractCertificateProvider } from './certificates';
import type { Certificate } from './csr-signer';
import type { OcspChecker } from './ocsp';
import type { ChargerRecords } from './records';
import { toUtcIso } from './timestamps';
import type { OcppVersion } from './versions';

export interface HandlerContext {
  chargerId: string;
  /** The version the charger speaks: a handler 2.0.1 and 2.1 share may need to say which. */
  version: OcppVersion;
  /** The OCPP message id of the CALL being answered (or of the SEND being taken, which is not answered). */
  messageId: string;
  /** The time this message is handled; also the `currentTime` we tell the charger. */
  now: Date;
  heartbeatIntervalSeconds: number;
  /** When the current connection opened: a transaction that started earlier ran offline. */
  connectedAt: Date;
  records: ChargerRecords;
  /** Where Get15118EVCertificate goes; absent while none is configured. */
  contractCertificates?: ContractCertificateProvider;
  /** Asks OCSP responders about ISO 15118 contract certificates; absent, none can be checked. */
  ocsp?: OcspChecker;
  /**
   * The operator's trust store as trusted now (anchors, then sub-CAs verified up to them; see
   * trust-chain.ts), read when a contract certificate is checked; absent, nothing is trusted.
   */
  trustedCertificates?: () => Promise<Certificate[]>;
  /** Signs SignCertificate CSRs: the CA the configuration names (CSMS_CA_KEY / CSMS_CA_CERT); absent, none is configured. */
  certificateAuthority?: CertificateAuthority;
  /**
   * Set while a 2.0.1 handler answers a 1.6 charger's Plug & Charge DataTransfer (v16/pnc-data-transfer.ts):
   * a call it queues to the charger goes wrapped in DataTransfer too (`PnC.<action>`, ocpp/pnc16.ts).
   */
  viaPncDataTransfer?: boolean;
}

/**
 * Answers one CALL. It receives a payload already validated against the action's request
 * schema and returns the CALLRESULT payload, which is validated again before it is sent.
 * Throwing an OcppError answers with that error; any other throw answers InternalError.
 */
export type Handler<Req = never, Res = Record<string, unknown>> = (
  payload: Req,
  ctx: HandlerContext,
) => Promise<Res>;

/** Handlers by action name. Actions of the version with no handler are answered NotSupported. */
export type HandlerTable = Record<string, Handler<any, Record<string, unknown>> | undefined>;

/** OCPP timestamps as UTC ISO strings, so that they compare as strings. Unreadable input is kept as sent. */
export function normaliseTimestamp(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return toUtcIso(value) ?? value;
}
