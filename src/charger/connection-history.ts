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
}

export class ConnectionHistory {
  constructor(private readonly deps: ConnectionHistoryDeps) {}

  /** A connection opened at `now`; `replacedReason` when it replaced one still open, which ends with it. */
  async opened(chargerId: string, protocol: OcppVersion, now: number, replacedReason: string | undefined): Promise<void> {
    if (replacedReason !== undefined) await this.append({ at: new Date(now).toISOString(), event: 'offline', reason: replacedReason });
    await this.append({ at: new Date(now).toISOString(), event: 'online' });
    await this.tryStore('record connection', (store) =>
      store.recordConnection(chargerId, protocol, true, new Date(now).toISOString()),
    );
  }

  /** The connection of `attachment` ended, for `reason`. */
  async ended(attachment: OcppAttachment, reason: string): Promise<void> {
    await this.append({ at: new Date().toISOString(), event: 'offline', reason });
    await this.tryStore('record disconnection', (store) =>
      store.recordConnection(attachment.chargerId, attachment.protocol, false, new Date(attachment.lastSeen).toISOString()),
    );
  }

  /** Records the end of a connection whose socket is gone without a close event. */
  async lost(): Promise<void> {
    const chargerId = await this.deps.chargerId();
    if (!chargerId) return;
    const at = new Date().toISOString();
    await this.append({ at, event: 'offline', reason: 'The connection was lost without a close (the session restarted)' });
    // D1's last_seen stays as it was: the exact time went with the socket.
    await this.tryStore('record lost connection', (store) => store.recordConnectionLost(chargerId, at));
  }

  private async append(event: ConnectionEvent): Promise<void> {
    const chargerId = await this.deps.chargerId();
    if (!chargerId) return;
    this.deps.outbox.append(chargerId, 'connection', event);
    await this.deps.handover.schedule(event.event === 'offline' ? 'soon' : 'batched');
  }

  /** For bookkeeping that no charger waits on: a failure is logged, not thrown. */
  private async tryStore(what: string, write: (store: ChargerStore) => Promise<void>): Promise<void> {
    try {
      await write(new ChargerStore(this.deps.db()));
    } catch (error) {
      logError(what, undefined, error);
    }
  }
}
