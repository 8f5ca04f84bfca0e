// A charger's connection history: each connection's start and end as outbox facts, and D1's
// connected flag and last_seen kept up to date (bookkeeping no charger waits on).

import type { Outbox } from '../fleet/outbox';
import { logError } from '../log';
import type { OcppVersion } from '../ocpp/versions';
import { ChargerStore, type ConnectionEvent } from '../store/chargers';
import type { OutboxHandover } from './handover';
import type { OcppAttachment } from './socket';

export interface ConnectionHistoryDeps {
  /** Read at each use: tests replace the object's `db` to simulate a D1 outage. */
  db: () => D1Database;
  chargerId: () => Promise<string | undefined>;
  outbox: Outbox;
  handover: OutboxHandover;
  /** The object's storage: a disconnection D1 did not take is remembered there until it does. */
  storage: DurableObjectStorage;
}

/** When the disconnection D1 has not taken yet was recorded (ISO 8601); absent when none waits. */
const PENDING_OFFLINE_KEY = 'pendingOfflineAt';

export class ConnectionHistory {
  constructor(private readonly deps: ConnectionHistoryDeps) {}

  /**
   * A connection opened at `now`; `replacedReason` when it replaced one still open, which ends with
   * it. Its events go to D1 with the connected flag, in the one D1 batch the flag costs anyway:
   * through the outbox they cost an outbox row, its removal and a flush's alarm (a reconnecting
   * fleet pays that for every charger at once). History rows are keyed by their time, so they
   * need not wait behind facts older in the outbox. Should D1 fail, they wait in the outbox.
   */
  async opened(chargerId: string, protocol: OcppVersion, now: number, replacedReason: string | undefined): Promise<void> {
    const at = new Date(now).toISOString();
    const events: ConnectionEvent[] = [
      ...(replacedReason === undefined ? [] : [{ at, event: 'offline' as const, reason: replacedReason }]),
      { at, event: 'online' },
    ];
    const stored = await this.tryStore('record connection', async (store) => {
      await this.deps.db().batch([
        store.recordConnectionStatement(chargerId, protocol, true, at),
        ...store.connectionHistoryStatements(events.map((fact) => ({ chargerId, fact }))),
      ]);
    });
    if (!stored) for (const event of events) await this.append(event);
  }

  /**
   * The connection of `attachment` ended, for `reason`. False when D1's flag could not be
   * cleared: it is remembered, for `copyDisconnection` to retry.
   */
  async ended(attachment: OcppAttachment, reason: string): Promise<boolean> {
    const at = new Date().toISOString();
    await this.append({ at, event: 'offline', reason });
    const stored = await this.tryStore('record disconnection', (store) =>
      store.recordConnection(attachment.chargerId, attachment.protocol, false, new Date(attachment.lastSeen).toISOString()),
    );
    if (!stored) await this.deps.storage.put(PENDING_OFFLINE_KEY, at);
    return stored;
  }

  /** Records the end of a connection whose socket is gone without a close event; false as `ended`. */
  async lost(): Promise<boolean> {
    const chargerId = await this.deps.chargerId();
    if (!chargerId) return true;
    const at = new Date().toISOString();
    await this.append({ at, event: 'offline', reason: 'The connection was lost without a close (the session restarted)' });
    // D1's last_seen stays as it was: the exact time went with the socket.
    const stored = await this.tryStore('record lost connection', (store) => store.recordConnectionLost(chargerId, at));
    if (!stored) await this.deps.storage.put(PENDING_OFFLINE_KEY, at);
    return stored;
  }

  /**
   * Clears D1's connected flag for a disconnection it did not take (see `ended`); a connection
   * D1 recorded since is left alone. True once nothing waits.
   */
  async copyDisconnection(): Promise<boolean> {
    const chargerId = await this.deps.chargerId();
    const at = await this.deps.storage.get<string>(PENDING_OFFLINE_KEY);
    if (!chargerId || at === undefined) return true;
    if (!(await this.tryStore('record disconnection (retry)', (store) => store.recordConnectionLost(chargerId, at)))) return false;
    await this.deps.storage.delete(PENDING_OFFLINE_KEY);
    return true;
  }

  /** A new connection: a disconnection still waiting for D1 is superseded by it. */
  async forgetPendingDisconnection(): Promise<void> {
    await this.deps.storage.delete(PENDING_OFFLINE_KEY);
  }

  private async append(event: ConnectionEvent): Promise<void> {
    const chargerId = await this.deps.chargerId();
    if (!chargerId) return;
    this.deps.outbox.append(chargerId, 'connection', event);
    await this.deps.handover.schedule(event.event === 'offline' ? 'soon' : 'batched');
  }

  /** For bookkeeping that no charger waits on: a failure is logged, not thrown. */
  private async tryStore(what: string, write: (store: ChargerStore) => Promise<void>): Promise<boolean> {
    try {
      await write(new ChargerStore(this.deps.db()));
      return true;
    } catch (error) {
      logError(what, undefined, error);
      return false;
    }
  }
}
