// The API's own shapes for the OpenAPI document: the records its responses carry, and the id-tag
// PUT body, which is the valibot schema src/api/id-tags.ts validates with.
//
// The records have no valibot schema in the code (the stores return TypeScript types), so they are
// described here; the type checks below them fail to compile when a store's record loses or
// changes a documented field.

import { toJsonSchema, toJsonSchemaDefs, type ConversionConfig, type JsonSchema } from '@valibot/to-json-schema';
import * as v from 'valibot';
import type { QueuedCommand } from '../charger/command-queue';
import { AUTHORIZATION_STATUSES, MAX_ID_TOKEN_LENGTH, type IdTagRecord } from '../ocpp/authorization';
import type { CompositeSchedule as CompositeScheduleResult } from '../ocpp/charging/composite-schedule';
import type { ConnectorState } from '../ocpp/records';
import type { Setting } from '../ocpp/settings';
import { OCPP_VERSIONS } from '../ocpp/versions';
import type { ChargerRecord, ConnectionEvent } from '../store/chargers';
import { CHARGER_STATES } from '../store/charger-fleet';
import type { StoredProfile } from '../store/charging-profiles';
import type { StoredMeterValue } from '../store/meter-values';
import type { StoredReport } from '../store/reports';
import type { StoredReservation } from '../store/reservations';
import type { StoredCertificate } from '../store/charger-certificates';
import type { ChargerFirmware, StoredFirmwareJob } from '../store/firmware-jobs';
import { ANOMALY_KINDS, type AnomalyKind } from '../store/transaction-anomalies';
import type { TransactionRecord } from '../store/transactions';
import { IdTagBody, IdTagPatchBody } from './id-tags';

const Int = v.pipe(v.number(), v.integer());
const DateTime = v.pipe(v.string(), v.isoTimestamp());
const described = <S extends v.GenericSchema>(schema: S, text: string) => v.pipe(schema, v.description(text));

const ApiError = v.object({
  error: v.looseObject({
    code: described(v.string(), 'Machine-readable, e.g. UnknownCharger; listed per response'),
    message: described(v.string(), 'For people'),
    issues: v.optional(
      described(v.array(v.object({ path: v.string(), message: v.string() })), 'InvalidPayload, InvalidResponse: the failing fields'),
    ),
    ocpp: v.optional(
      described(
        v.object({ code: v.string(), description: v.string(), details: v.unknown() }),
        "CallError: the charger's CALLERROR",
      ),
    ),
    result: v.optional(described(v.unknown(), "InvalidResponse: the charger's answer as sent")),
    requirement: v.optional(
      described(v.string(), 'SpecViolation: the requirement the command breaks, e.g. K01.FR.09 (2.0.1) or 1.6 §5.16.3'),
    ),
  }),
});

const Connector = v.object({
  evseId: described(Int, '0 for a 1.6 charger, which has no EVSEs'),
  connectorId: described(Int, '1.6: 0 is the charge point itself'),
  status: v.string(),
  errorCode: v.optional(v.string()),
  info: v.optional(v.string()),
  vendorId: v.optional(v.string()),
  vendorErrorCode: v.optional(v.string()),
  reportedAt: v.optional(DateTime),
});

const Report = v.object({
  action: described(v.string(), 'The charger-initiated OCPP action, e.g. SecurityEventNotification'),
  messageId: v.string(),
  receivedAt: DateTime,
  requestId: v.nullable(Int),
  payload: described(v.looseObject({}), 'The OCPP payload as sent'),
});

const Charger = v.object({
  id: v.string(),
  registered: described(v.boolean(), 'Registered with PUT ahead of its first boot'),
  securityProfile: described(v.picklist([0, 1, 2, 3]), 'OCPP Security Profile it must connect with: 0 none, 1 Basic, 2 Basic over TLS, 3 client certificate'),
  hasPassword: described(v.boolean(), 'A password is set (kept only as a salted hash, never returned)'),
  passwordPending: described(
    v.boolean(),
    'A password change (`POST /chargers/{chargerId}/password`) is under way: its new password also works until the charger first connects with it; another change is refused meanwhile',
  ),
  protocol: v.nullable(v.picklist(OCPP_VERSIONS)),
  registrationStatus: described(v.nullable(v.string()), 'The last BootNotification answer'),
  registrationDecision: described(
    v.nullable(v.picklist(['Pending', 'Accepted', 'Rejected'])),
    "How its next boot is answered, as the operator decided (PUT /chargers/{chargerId}/registration): Pending (held), Rejected, Accepted (registered), or null (never registered: UNKNOWN_CHARGER_POLICY decides)",
  ),
  boot: v.object({
    vendor: v.optional(v.string()),
    model: v.optional(v.string()),
    serialNumber: v.optional(v.string()),
    chargeBoxSerialNumber: v.optional(v.string()),
    firmwareVersion: v.optional(v.string()),
    iccid: v.optional(v.string()),
    imsi: v.optional(v.string()),
    meterType: v.optional(v.string()),
    meterSerialNumber: v.optional(v.string()),
  }),
  connected: v.boolean(),
  state: v.optional(
    described(
      v.picklist(CHARGER_STATES),
      'Fleet list only (`GET /chargers`): offline, faulted, charging, unavailable or online, derived from D1 as that operation describes',
    ),
  ),
  lastSeen: described(v.nullable(DateTime), 'In lists read from D1 it is when D1 last heard of the charger (connection opened or ended, other facts), not its last Heartbeat; exact for one charger'),
  lastBootAt: v.nullable(DateTime),
  createdAt: DateTime,
  updatedAt: DateTime,
  connectors: v.array(Connector),
  pendingCommands: v.optional(described(Int, 'Single-charger view only: commands waiting to be sent')),
  progress: v.optional(
    described(
      v.object({
        firmware: v.optional(Report),
        diagnostics: v.optional(Report),
        log: v.optional(Report),
        publishFirmware: v.optional(Report),
      }),
      'Single-charger view only: the latest firmware, diagnostics, log and publish-firmware status report',
    ),
  ),
});

const MeterValue = v.object({
  transactionId: v.nullable(v.string()),
  evseId: Int,
  connectorId: Int,
  timestamp: DateTime,
  measurand: v.string(),
  phase: v.nullable(v.string()),
  location: v.nullable(v.string()),
  context: v.nullable(v.string()),
  unit: described(v.string(), 'A base unit: Wh, W, varh, var, A, V, ...; kWh and kW are converted'),
  value: described(v.nullable(v.number()), 'null only for signed data that is not a number'),
  signedData: v.nullable(v.string()),
});

/** OCPI Price: in the tariff's currency, rounded to its minor unit; incl_vat absent when it cannot be known. */
const CostPriceSchema = v.object({ excl_vat: v.number(), incl_vat: v.optional(v.number()) });
const COST_DIMENSIONS = ['ENERGY', 'TIME', 'PARKING_TIME'] as const;

/** A transaction's cost: src/tariffs/cost.ts CostBreakdown (OCPI 2.2.1 CDR fields). */
const TransactionCostSchema = described(
  v.object({
    currency: v.string(),
    start_date_time: DateTime,
    end_date_time: DateTime,
    charging_periods: described(
      v.array(
        v.object({
          start_date_time: DateTime,
          dimensions: v.array(v.object({ type: v.picklist(COST_DIMENSIONS), volume: v.number() })),
          tariff_elements: described(
            v.object({ ENERGY: v.optional(Int), TIME: v.optional(Int), PARKING_TIME: v.optional(Int) }),
            'Per dimension, the index in the tariff\'s elements that priced it',
          ),
          mixed: v.optional(v.literal(true)),
        }),
      ),
      'OCPI ChargingPeriods: ENERGY in kWh, TIME and PARKING_TIME in hours',
    ),
    total_energy: described(v.number(), 'kWh'),
    total_time: described(v.number(), 'Hours, the whole session'),
    total_charging_time: described(v.number(), 'Hours charging'),
    total_parking_time: described(v.number(), 'Hours connected without charging'),
    total_energy_cost: CostPriceSchema,
    total_time_cost: CostPriceSchema,
    total_parking_cost: CostPriceSchema,
    total_fixed_cost: CostPriceSchema,
    total_cost: described(CostPriceSchema, 'The sum, clamped by the tariff\'s min_price/max_price; 2.0.1 totalCost is its incl_vat (excl_vat when incl_vat is unknown)'),
    flat_element: v.optional(Int),
    anomalies: v.array(v.object({ kind: v.string(), count: Int, first_at: v.string() })),
  }),
  'A completed, priced transaction\'s cost under the tariff version it started with, computed by the CSMS from its meter readings and charging states (README "Tariffs and cost"); written once. Null while it runs, and for a transaction not priced',
);

const Transaction = v.object({
  id: described(Int, "The CSMS's own row number, unique fleet-wide (the list's cursor); not the charger's id"),
  transactionId: described(v.string(), 'What the charger calls it: the 1.6 transactionId the CSMS gave it (unique per charger), or the 2.0.1 one'),
  chargerId: v.string(),
  protocol: v.string(),
  evseId: v.nullable(Int),
  connectorId: described(
    v.nullable(Int),
    '2.0.1: the connector the events name, else the EVSE\'s only connector if the charger reported exactly one; null when unknown',
  ),
  idTag: described(
    v.nullable(v.string()),
    '2.0.1: the first idToken its applied events carry, else the one the CSMS sent in RequestStartTransaction with its remoteStartId. ' +
      'Like every field of a completed transaction, an event arriving after its Ended never changes it (flag late-event)',
  ),
  idTagStatus: described(v.nullable(v.string()), 'The status the CSMS answered for the token that started it; null if it answered none'),
  stopIdTag: v.nullable(v.string()),
  status: described(v.picklist(['active', 'completed']), 'Once completed, never active again'),
  startedAt: v.nullable(DateTime),
  stoppedAt: v.nullable(DateTime),
  meterStartWh: described(
    v.nullable(v.number()),
    'The raw start register, as the charger sent it. 2.0.1: the Started event\'s reading (Transaction.Begin, else its earliest), else the first event\'s that has one',
  ),
  meterStopWh: described(
    v.nullable(v.number()),
    'The raw end register, as the charger sent it (the first stop applied). 2.0.1: the Ended event\'s reading (Transaction.End, else its latest), else the last event\'s (by seqNo) that has one. ' +
      'Never filled in after the Ended: a reading arriving later is a late-event. ' +
      'While a 2.0.1 transaction runs, its latest applied event\'s (by seqNo) end register, read live: it is stored when the transaction completes. ' +
      'While a 1.6 transaction runs, its latest stored energy register reading (phase total, at the outlet, in Wh), read live; its StopTransaction\'s meterStop replaces it. ' +
      'For a transaction closed as abandoned, its last register reading (1.6: its last meter value; 2.0.1: its last applied event\'s), or null',
  ),
  energyWh: described(
    v.nullable(v.number()),
    'The billable energy: end minus start register; once the transaction is completed it never changes. Null while a register is unknown, ' +
      'or when it is not billable as it stands (the register went backwards: flag negative-energy; an abandoned transaction without readings). ' +
      'While a 1.6 transaction runs, every view shows the energy so far from its latest stored energy register (phase total, at the outlet, in Wh; meterStopWh), ' +
      'the single-transaction view from its other energy readings when there is none; ' +
      'while a 2.0.1 transaction runs, every view shows the energy so far from its latest end register (meterStopWh).',
  ),
  energyExportWh: described(
    v.nullable(v.number()),
    'OCPP 2.1 bidirectional charging: the energy the EV fed back (Energy.Active.Export.Register, at the outlet, phase total else the sum of L1-L3), ' +
      'end minus start export register by the same rules as energyWh (the Ended event\'s reading decides; once completed it never changes; live while running). ' +
      'Null when the charger reports no export register, and for 1.6',
  ),
  stopReason: described(
    v.nullable(v.string()),
    'As the charger sent it, or Abandoned: a transaction the CSMS closed because a newer start on its connector (1.6) or a newer Started on its EVSE (2.0.1) ended it (flag abandoned); ' +
      'its own StopTransaction / Ended, should it come later, still applies, and abandoned then leaves its flags. A 1.6 boot closes nothing (flag open-at-boot)',
  ),
  chargingState: v.nullable(v.string()),
  lastTriggerReason: v.nullable(v.string()),
  remoteStartId: v.nullable(Int),
  reservationId: v.nullable(Int),
  offline: v.boolean(),
  flags: described(
    v.array(v.picklist(Object.keys(ANOMALY_KINDS) as AnomalyKind[])),
    'What needs an operator\'s look: the distinct kinds of its anomalies, except abandoned and open-at-boot once the transaction\'s own stop applied (they stay in its anomalies). ' +
      Object.entries(ANOMALY_KINDS).map(([kind, meaning]) => `${kind}: ${meaning}.`).join(' '),
  ),
  updatedAt: described(
    DateTime,
    'When the transaction row last changed (CSMS clock); for a running 2.0.1 transaction, the later of that and the arrival of the reading meterStopWh shows',
  ),
  tariff: described(
    v.nullable(v.object({ id: v.string(), version: Int })),
    'The tariff version a completed transaction was priced under: the one that applied when it started (for a 2.0.1 session begun without a token, the one that applied at its start to the token once known). Null while it runs, and for one not priced (no tariff applied, or flag unpriced)',
  ),
  cost: v.nullable(TransactionCostSchema),
  anomalies: v.optional(
    described(
      v.array(v.object({ kind: v.picklist(Object.keys(ANOMALY_KINDS) as AnomalyKind[]), detail: v.unknown(), receivedAt: DateTime })),
      'Single-transaction view only: input kept but not applied, and what makes the energy unfit to bill, oldest first',
    ),
  ),
  meterValues: v.optional(described(v.array(MeterValue), 'Single-transaction view only')),
  runningCost: v.optional(
    described(
      v.object({ tariff: v.object({ id: v.string(), version: Int }), cost: TransactionCostSchema }),
      'Single-transaction view only, while a priced transaction runs: its cost so far, as if it ended now (step sizes and min/max_price applied), computed by the charger\'s object',
    ),
  ),
  priorityCharging: v.optional(
    described(
      v.object({ active: v.boolean(), changes: v.array(v.object({ activated: v.boolean(), at: DateTime })) }),
      'Single-transaction view of a 2.1 transaction only: whether priority charging is on, as the charger last said (NotifyPriorityCharging), and each change, oldest first, at the time the CSMS received it',
    ),
  ),
});

const ConnectionEventSchema = v.object({
  at: DateTime,
  event: v.picklist(['online', 'offline']),
  reason: v.optional(v.string()),
});

const IdTag = v.object({
  idTag: v.string(),
  type: described(
    v.nullable(v.string()),
    'The 2.0.1 IdTokenEnumType of this entry (a token is the pair idTag, type); null: the entry for any type',
  ),
  status: v.picklist(AUTHORIZATION_STATUSES),
  expiryDate: v.nullable(DateTime),
  parentIdTag: v.nullable(v.string()),
  firstSeenOffline: described(v.boolean(), 'The tag had been seen offline (see /seen-offline-tags) before this entry was made'),
  language: described(
    v.nullable(v.string()),
    "The driver's language (RFC 5646, at most 8 characters): 2.0.1 idTokenInfo.language1, and the language the tariff texts are shown in; null: not set",
  ),
  createdAt: DateTime,
  updatedAt: DateTime,
});

const Command = v.object({
  id: v.string(),
  chargerId: v.string(),
  action: v.string(),
  payload: v.unknown(),
  status: v.picklist(['queued', 'sent', 'succeeded', 'failed', 'expired']),
  createdAt: DateTime,
  expiresAt: DateTime,
  sentAt: v.nullable(DateTime),
  finishedAt: v.nullable(DateTime),
  result: described(v.unknown(), "The charger's answer, once it succeeded; null before"),
  error: described(
    v.nullable(v.looseObject({ code: v.string(), message: v.string() })),
    'Why it failed or expired, in the error shape (`Superseded`: a CertificateSigned the CSMS queued itself, replaced by a newer one for the same certificate type before it was sent)',
  ),
});

const SettingSchema = v.object({
  component: described(v.string(), "2.0.1 component name; '' for a 1.6 configuration key"),
  componentInstance: v.string(),
  evseId: v.nullable(Int),
  connectorId: v.nullable(Int),
  variable: described(v.string(), '2.0.1 variable name, or the 1.6 key'),
  variableInstance: v.string(),
  attributeType: v.string(),
  value: v.nullable(v.string()),
  mutability: v.nullable(v.string()),
  characteristics: v.nullable(v.looseObject({})),
  source: described(v.string(), 'The message it was learnt from, e.g. GetConfiguration, NotifyReport'),
  updatedAt: DateTime,
});

const ChargingProfile = v.object({
  profileId: described(Int, 'chargingProfileId (1.6) / id (2.0.1)'),
  protocol: v.string(),
  evseId: described(Int, '0: the whole charger'),
  stackLevel: Int,
  purpose: v.string(),
  transactionId: v.nullable(v.string()),
  profile: described(v.looseObject({}), 'The profile as the charger was sent it, in its version'),
  installedAt: DateTime,
});

const Reservation = v.object({
  chargerId: v.string(),
  reservationId: Int,
  protocol: v.string(),
  evseId: v.nullable(Int),
  connectorId: v.nullable(Int),
  idTag: v.string(),
  parentIdTag: v.nullable(v.string()),
  expiresAt: DateTime,
  status: described(
    v.picklist(['active', 'used', 'cancelled', 'expired', 'removed']),
    'An active reservation past its expiry is shown as expired',
  ),
  transactionId: v.nullable(v.string()),
  createdAt: DateTime,
  updatedAt: DateTime,
});

const CertificateHashData = v.object({
  hashAlgorithm: v.string(),
  issuerNameHash: v.string(),
  issuerKeyHash: v.string(),
  serialNumber: v.string(),
});

const InstalledCertificate = v.object({
  certificateType: described(v.string(), 'As the charger names it (CSMSRootCertificate, V2GCertificateChain, CentralSystemRootCertificate, ...)'),
  certificateHashData: described(
    v.nullable(CertificateHashData),
    'null for a certificate the CSMS installed whose hash data the charger has not reported yet (send GetInstalledCertificateIds)',
  ),
  childCertificateHashData: described(v.array(CertificateHashData), '2.0.1 V2GCertificateChain: the sub-CA certificates'),
  certificate: described(v.nullable(v.string()), 'The PEM the CSMS installed (any private key block cut out); null for what the charger reported'),
  source: described(v.picklist(['reported', 'installed']), 'From a GetInstalledCertificateIds answer, or an accepted InstallCertificate'),
  updatedAt: DateTime,
});

const FirmwareJob = v.object({
  chargerId: v.string(),
  jobId: described(Int, 'The CSMS numbers each charger\'s jobs 1, 2, …'),
  protocol: v.picklist(OCPP_VERSIONS),
  action: v.picklist(['UpdateFirmware', 'SignedUpdateFirmware']),
  requestId: described(v.nullable(Int), "The request's requestId, which its notifications carry; null for 1.6 UpdateFirmware"),
  location: v.string(),
  retrieveAt: DateTime,
  installAt: v.nullable(DateTime),
  retries: described(v.nullable(Int), "As requested: the charger's own retries (the CSMS never resends an update)"),
  retryInterval: described(v.nullable(Int), 'Seconds, as requested'),
  status: described(v.string(), "The latest status that moved the job (FirmwareStatusEnumType); 'Accepted' until the first"),
  outcome: described(
    v.picklist(['running', 'succeeded', 'failed', 'superseded']),
    'succeeded: Installed; failed: DownloadFailed, InstallationFailed, InstallVerificationFailed, InvalidSignature; superseded: a newer update was accepted',
  ),
  history: described(
    v.array(
      v.object({
        status: v.string(),
        at: DateTime,
        ignored: v.optional(
          described(
            v.picklist(['late', 'replay', 'finished', 'idle']),
            'Why it moved nothing: an earlier phase than the job\'s, the same status again, the job had ended, or Idle',
          ),
        ),
      }),
    ),
    'Every status notification matched to the job, oldest first (the latest 50)',
  ),
  createdAt: DateTime,
  updatedAt: DateTime,
  bootedAt: described(v.nullable(DateTime), 'The first BootNotification once the install began'),
  bootedVersion: described(v.nullable(v.string()), 'The firmware version that boot reported'),
  confirmedAt: described(v.nullable(DateTime), 'When a succeeded job was confirmed by that boot'),
});

const ChargerFirmwareSchema = v.object({
  chargerId: v.string(),
  vendor: v.nullable(v.string()),
  model: v.nullable(v.string()),
  firmwareVersion: described(v.nullable(v.string()), 'As its last BootNotification reported'),
  lastBootAt: v.nullable(DateTime),
  latestJob: v.nullable(FirmwareJob),
});

const CompositeSchedule = v.object({
  evseId: Int,
  scheduleStart: DateTime,
  duration: described(Int, 'Seconds'),
  chargingRateUnit: v.picklist(['A', 'W']),
  periods: described(
    v.array(
      v.object({
        startPeriod: described(Int, 'Seconds from scheduleStart; lasts until the next period'),
        limit: described(v.nullable(v.number()), 'In chargingRateUnit; null where no profile limits the EVSE'),
        numberPhases: v.optional(Int),
        dischargeLimit: v.optional(
          described(
            v.nullable(v.number()),
            'OCPP 2.1: present only where the EV may discharge; how much (≤ 0, in chargingRateUnit), null where no profile bounds it',
          ),
        ),
        setpoint: v.optional(described(v.number(), 'OCPP 2.1: the setpoint in force (negative: discharge), within [dischargeLimit, limit]')),
        operationMode: v.optional(
          described(
            v.picklist(['Idle', 'ChargingOnly', 'CentralSetpoint', 'ExternalSetpoint', 'ExternalLimits', 'CentralFrequency', 'LocalFrequency', 'LocalLoadBalancing']),
            'OCPP 2.1: the operation mode in force, where a profile gives one (absent: ChargingOnly)',
          ),
        ),
      }),
    ),
    'Cover [0, duration) without gaps',
  ),
});

/** Compiles only if every `Actual` (what the code returns) fits the documented `Doc`. */
type Documents<Doc, Actual extends Doc> = Actual;
export type DocumentedShapes = [
  Documents<v.InferOutput<typeof Charger>, ChargerRecord>,
  Documents<v.InferOutput<typeof Connector>, ConnectorState>,
  Documents<v.InferOutput<typeof Transaction>, TransactionRecord>,
  Documents<v.InferOutput<typeof MeterValue>, StoredMeterValue>,
  Documents<v.InferOutput<typeof Report>, StoredReport>,
  Documents<v.InferOutput<typeof ConnectionEventSchema>, ConnectionEvent>,
  Documents<v.InferOutput<typeof IdTag>, Omit<IdTagRecord, 'tokenType' | 'language'> & { type: string | null; language: string | null }>,
  Documents<v.InferOutput<typeof Command>, QueuedCommand & { chargerId: string }>,
  Documents<v.InferOutput<typeof SettingSchema>, Setting>,
  Documents<v.InferOutput<typeof ChargingProfile>, StoredProfile>,
  Documents<v.InferOutput<typeof Reservation>, StoredReservation>,
  Documents<v.InferOutput<typeof InstalledCertificate>, StoredCertificate>,
  Documents<v.InferOutput<typeof CompositeSchedule>, CompositeScheduleResult>,
  Documents<v.InferOutput<typeof FirmwareJob>, StoredFirmwareJob>,
  Documents<v.InferOutput<typeof ChargerFirmwareSchema>, ChargerFirmware>,
];

const API_SHAPES = {
  Error: ApiError,
  Charger,
  Connector,
  Transaction,
  TransactionCost: TransactionCostSchema,
  MeterValue,
  Report,
  ConnectionEvent: ConnectionEventSchema,
  IdTag,
  Command,
  Setting: SettingSchema,
  ChargingProfile,
  Reservation,
  InstalledCertificate,
  CompositeSchedule,
  FirmwareJob,
  ChargerFirmware: ChargerFirmwareSchema,
};

const CONVERSION: ConversionConfig = {
  target: 'draft-2020-12',
  errorMode: 'throw',
  overrideRef: ({ referenceId }) => `#/components/schemas/${referenceId}`,
};

/**
 * The id-tag PUT body as it is accepted (typeMode input: before its transforms). Its `v.check`
 * predicates are JavaScript; their JSON Schema equivalents are recognised by message.
 */
function idTagPutSchema(body: typeof IdTagBody | typeof IdTagPatchBody = IdTagBody): JsonSchema {
  const { $schema: _dialect, ...schema } = toJsonSchema(body, {
    target: 'draft-2020-12',
    typeMode: 'input',
    errorMode: 'throw',
    overrideAction: ({ valibotAction, jsonSchema }) => {
      if (valibotAction.type !== 'check') return undefined;
      const message = String((valibotAction as { message?: unknown }).message);
      if (message.includes('RFC 3339 date-time')) return { ...jsonSchema, format: 'date-time' };
      if (message.includes('printable ASCII')) {
        return { ...jsonSchema, minLength: 1, maxLength: MAX_ID_TOKEN_LENGTH, pattern: '^[!-~]+$' };
      }
      throw new Error(`No JSON Schema equivalent for the id-tag check "${message}"`);
    },
  });
  return schema;
}

/** `components.schemas` entries for the API's own shapes, named as in `API_SHAPES`, plus `IdTagPut` and `IdTagPatch`. */
export function apiShapeSchemas(): Record<string, JsonSchema> {
  return { ...toJsonSchemaDefs(API_SHAPES, CONVERSION), IdTagPut: idTagPutSchema(), IdTagPatch: idTagPutSchema(IdTagPatchBody) };
}
