// The local authorization list sent to a charger (D01/D02, 1.6 §5.15): its version, kept in the
// charger's object, and a list too long for one message sent in parts.

import { splitLocalList, type PartOutcome } from '../ocpp/charger-limits';
import { localListPayload, type LocalListEntry, type LocalListUpdate, type SkippedEntry } from '../ocpp/local-list';
import type { OcppVersion } from '../ocpp/versions';
import { itemCount, limitRefusal, partFailure } from './command-parts';
import { commandFailure } from './commands';
import type { ReportedLimits } from './reported-limits';
import type { CommandOutcome } from './types';

/** Where the local list the charger last accepted is kept in the object's storage. */
const LOCAL_LIST_KEYS = {
  version: 'localListVersion',
  syncedAt: 'localListSyncedAt',
  /**
   * The highest version of a list sent in parts that the charger accepted a part of, while the
   * whole list was not: it may hold that version, so the next list is numbered past it.
   */
  partVersion: 'localListPartVersion',
} as const;

export interface LocalListDeps {
  /** The object's storage: the list's version is kept there. */
  storage: DurableObjectStorage;
  protocol: () => Promise<OcppVersion | undefined>;
  limits: ReportedLimits;
  /** Sends a command as the operator's route would (OperatorCommands.sendCommand). */
  sendCommand: (action: string, payload: unknown, timeoutSeconds: number) => Promise<CommandOutcome>;
}

export class LocalListSender {
  constructor(private readonly deps: LocalListDeps) {}

  /**
   * Sends the charger a local authorization list built from `entries`, numbered one past the
   * last version it accepted; the new version is kept once it accepts this one. A list longer
   * than the charger takes in one message goes in parts (D01.FR.11, see splitLocalList): the
   * version is kept only once every part was accepted.
   */
  async send(
    updateType: LocalListUpdate,
    entries: LocalListEntry[],
    timeoutSeconds: number,
  ): Promise<CommandOutcome & { listVersion?: number; skipped?: SkippedEntry[] }> {
    const protocol = await this.deps.protocol();
    if (!protocol) return commandFailure(409, 'ChargerOffline', 'The charger has never connected');
    const accepted = (await this.deps.storage.get<number>(LOCAL_LIST_KEYS.version)) ?? 0;
    const partVersion = (await this.deps.storage.get<number>(LOCAL_LIST_KEYS.partVersion)) ?? 0;
    const version = Math.max(accepted, partVersion) + 1;
    const { payload, skipped } = localListPayload(protocol, version, updateType, entries);
    const split = splitLocalList(protocol, payload as Record<string, unknown>, await this.deps.limits.read());
    if ('refusal' in split) return { ...limitRefusal(split.refusal), skipped };
    if (split.requests.length > 1) return { ...(await this.sendParts(protocol, split.requests, timeoutSeconds)), skipped };
    const outcome = await this.deps.sendCommand('SendLocalList', payload, timeoutSeconds);
    if (outcome.ok && outcome.result.status === 'Accepted') {
      await this.deps.storage.put({
        [LOCAL_LIST_KEYS.version]: version,
        [LOCAL_LIST_KEYS.syncedAt]: new Date().toISOString(),
      });
    }
    return { ...outcome, listVersion: version, skipped };
  }

  /** A local list in parts, each numbered one past the one before; see sendLocalList. */
  private async sendParts(
    protocol: OcppVersion,
    requests: Record<string, unknown>[],
    timeoutSeconds: number,
  ): Promise<CommandOutcome & { listVersion: number }> {
    const versionOf = (request: Record<string, unknown>) => (protocol === 'ocpp1.6' ? request.listVersion : request.versionNumber) as number;
    const listVersion = versionOf(requests[requests.length - 1]!);
    const parts: Array<PartOutcome & { updateType: unknown; version: number }> = [];
    let failed: CommandOutcome | undefined;
    let acceptedUpTo = 0;
    for (const [index, request] of requests.entries()) {
      const outcome = await this.deps.sendCommand('SendLocalList', request, timeoutSeconds);
      const part = { part: index + 1, items: itemCount(request), updateType: request.updateType, version: versionOf(request) };
      if (!outcome.ok) {
        parts.push({ ...part, error: outcome.error });
        failed = partFailure(outcome, parts, requests.length);
        break;
      }
      parts.push({ ...part, result: outcome.result });
      if (outcome.result.status !== 'Accepted') {
        failed = { ok: true, result: outcome.result, parts };
        break;
      }
      acceptedUpTo = part.version;
    }
    if (!failed) {
      await this.deps.storage.put({
        [LOCAL_LIST_KEYS.version]: listVersion,
        [LOCAL_LIST_KEYS.syncedAt]: new Date().toISOString(),
      });
      await this.deps.storage.delete(LOCAL_LIST_KEYS.partVersion);
      return { ok: true, result: { status: 'Accepted' }, parts: parts.map(({ result: _r, ...rest }) => rest), listVersion };
    }
    // Some parts may have been taken: the charger may now say it holds their version.
    if (acceptedUpTo > 0) await this.deps.storage.put(LOCAL_LIST_KEYS.partVersion, acceptedUpTo);
    return { ...failed, listVersion };
  }

  /** The local list version the charger last accepted from us, and when. */
  async state(): Promise<{ listVersion: number; syncedAt: string | null }> {
    return {
      listVersion: (await this.deps.storage.get<number>(LOCAL_LIST_KEYS.version)) ?? 0,
      syncedAt: (await this.deps.storage.get<string>(LOCAL_LIST_KEYS.syncedAt)) ?? null,
    };
  }
}
