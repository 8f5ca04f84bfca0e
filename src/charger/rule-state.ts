// What the spec's stateful rules for outbound calls need to know of the charger (ocpp/outbound-rules.ts).
//
// The object knows the transactions it saw start (1.6: transaction-ids.ts, seeded from D1 once;
// 2.0.1: evse-transactions.ts, only those whose events named an EVSE). D1 adds the ones it shows
// running that the object never saw, minus those the object saw end (D1 learns of an end a batch
// later). Installed charging profiles are only in D1 (store/charging-profiles.ts): one read, only
// for a SetChargingProfile. The object's outbox is copied to D1 first, like before an operator's
// read (api/charger-views.ts freshCharger), so a profile a command installed moments ago counts.

import type { ChargerState, InstalledProfile, RunningTransaction, StateNeeded } from '../ocpp/outbound-rules';
import type { OcppVersion } from '../ocpp/versions';
import { ChargingProfileStore } from '../store/charging-profiles';
import { TransactionStore } from '../store/transactions';
import type { EvseTransactions } from './evse-transactions';
import type { TransactionIds } from './transaction-ids';

export interface RuleStateDeps {
  db: () => D1Database;
  chargerId: () => Promise<string | undefined>;
  transactionIds: TransactionIds;
  evseTransactions: EvseTransactions;
  /** Copies what waits in the object's outbox to D1. */
  flushToD1: () => Promise<void>;
}

export async function chargerRuleState(deps: RuleStateDeps, protocol: OcppVersion, needed: StateNeeded): Promise<ChargerState> {
  const chargerId = await deps.chargerId();
  if (!chargerId) return { running: [], profiles: [] };
  // Copied once, and only when D1 is read.
  let flushed: Promise<void> | undefined;
  const fresh = () => (flushed ??= deps.flushToD1());
  const running = needed.running ? await runningTransactions(deps, fresh, chargerId, protocol) : [];
  const profiles = needed.profiles ? await installedProfiles(deps, fresh, chargerId, protocol) : [];
  return { running, profiles };
}

async function runningTransactions(deps: RuleStateDeps, fresh: () => Promise<void>, chargerId: string, protocol: OcppVersion): Promise<RunningTransaction[]> {
  if (protocol === 'ocpp1.6') {
    const own = deps.transactionIds.running().map((t) => ({ transactionId: String(t.transactionId), evseId: t.connectorId }));
    // Once seeded, the object knows every running 1.6 transaction of its charger: D1 may only lag behind it.
    if (deps.transactionIds.seeded) return own;
    await fresh();
    return merge(own, await new TransactionStore(deps.db()).runningOn(chargerId), new Set());
  }
  const { running, ended } = deps.evseTransactions.snapshot();
  await fresh();
  return merge(running, await new TransactionStore(deps.db()).runningOn(chargerId), ended);
}

function merge(own: RunningTransaction[], stored: RunningTransaction[], endedHere: Set<string>): RunningTransaction[] {
  const known = new Set(own.map((t) => t.transactionId));
  return [...own, ...stored.filter((t) => !known.has(t.transactionId) && !endedHere.has(t.transactionId))];
}

async function installedProfiles(deps: RuleStateDeps, fresh: () => Promise<void>, chargerId: string, protocol: OcppVersion): Promise<InstalledProfile[]> {
  await fresh();
  const stored = await new ChargingProfileStore(deps.db()).list(chargerId);
  return stored
    .filter((p) => p.protocol === protocol)
    .map((p) => ({
      profileId: p.profileId,
      evseId: p.evseId,
      stackLevel: p.stackLevel,
      purpose: p.purpose,
      transactionId: p.transactionId,
      validFrom: typeof p.profile.validFrom === 'string' ? p.profile.validFrom : undefined,
      validTo: typeof p.profile.validTo === 'string' ? p.profile.validTo : undefined,
      kind: typeof p.profile.chargingProfileKind === 'string' ? p.profile.chargingProfileKind : undefined,
    }));
}
