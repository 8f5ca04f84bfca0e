// What deleting a charger (DELETE /api/v1/chargers/{id}) does to its data: what goes, what stays, and in which order.
//
// GOES: its registration and credentials (the chargers row: registered, Security Profile, password
// hashes, boot facts, registration decision), its live connector states and failed-login windows;
// what describes its installation as the CSMS knew it — reported configuration (charger_settings),
// the charging profiles set on it and the limits it reported, its reservations, its certificate
// inventory, its firmware jobs, the tariff assigned to it alone, its 2.1 DER controls and DER alarm list
// (the NotifyDERAlarm messages stay among its reports), its place on a site (the API pushes the site again); and its object's whole storage
// (queued commands, the message journal, the id-tag cache, the local list version, remote starts,
// its outbox once emptied into D1). A later registration (PUT) therefore starts clean.
//
// STAYS: everything billing and audit read — transactions and their events, meter values (in D1
// and the archive), anomalies, costs and their revisions, CDRs, tags seen offline, the connector
// status history (a 1.6 cost recomputation reads it), the connection history, the charger's
// reports (security events, status notifications) and log uploads. A completed transaction's energy
// never changes and an invoice must stay reproducible. A new object continues the 1.6 transaction
// numbering from D1's (TransactionIds.seed), so a charger registered again under the same id never
// reuses an id of a kept transaction.
//
// ORDER, so that nothing acknowledged is lost and a failure leaves a retry possible: everything
// runs under blockConcurrencyWhile (no frame of the charger is handled meanwhile); the object's
// facts go to D1 first, the running transactions are read there (refused while any runs unless
// forced), the socket is closed (its offline event is flushed too), the object's storage is
// wiped, and only then D1's rows go (one batch). Should D1 fail, its rows are intact and DELETE
// can be sent again; the caller then resets the object's instance (its memory held the wiped state).

import { ChargerCertificateStore } from '../store/charger-certificates';
import { DerControlStore } from '../store/der-controls';
import { ChargerStore } from '../store/chargers';
import { ChargingProfileStore } from '../store/charging-profiles';
import { FirmwareJobStore } from '../store/firmware-jobs';
import { GridStore } from '../store/grid';
import { ReservationStore } from '../store/reservations';
import { SettingStore } from '../store/settings';
import { SiteStore } from '../store/sites';
import { TariffStore } from '../store/tariffs';
import { TransactionStore } from '../store/transactions';

/** A transaction running when its charger was deleted: its id as the charger knows it, and where. */
export interface RunningAtDeletion {
  transactionId: string;
  evseId: number;
}

/** The D1 rows of a deleted charger that go (see the module comment for those that stay). */
export function forgetChargerStatements(db: D1Database, chargerId: string): D1PreparedStatement[] {
  return [
    ...new SettingStore(db).forgetChargerStatements(chargerId),
    ...new ChargingProfileStore(db).forgetChargerStatements(chargerId),
    ...new ReservationStore(db).forgetChargerStatements(chargerId),
    ...new ChargerCertificateStore(db).forgetChargerStatements(chargerId),
    ...new FirmwareJobStore(db).forgetChargerStatements(chargerId),
    ...new GridStore(db).forgetChargerStatements(chargerId),
    ...new TariffStore(db).forgetChargerStatements(chargerId),
    ...new DerControlStore(db).forgetChargerStatements(chargerId),
    ...new SiteStore(db).forgetChargerStatements(chargerId),
    // Last: the registration row, which the others do not need but a reader of them may look for.
    ...new ChargerStore(db).forgetChargerStatements(chargerId),
  ];
}

/** The charger's transactions D1 shows running (status active), after the object's facts reached D1. */
export async function runningTransactions(db: D1Database, chargerId: string): Promise<RunningAtDeletion[]> {
  return new TransactionStore(db).runningOn(chargerId);
}

export type DeletionOutcome =
  | {
      ok: true;
      /** Whether a live connection was closed (code 4004). */
      disconnected: boolean;
      /** Commands queued for the charger (not yet answered) that went with its object. */
      queuedCommandsDropped: number;
      /** Transactions still running when it was deleted with force: kept as they are, never ended by the CSMS. */
      runningTransactions: RunningAtDeletion[];
    }
  | { ok: false; status: 409 | 503; error: { code: string; message: string; [detail: string]: unknown } };
