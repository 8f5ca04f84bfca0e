// Whether a charger's mirror of installed profiles may hold a TxProfile, kept in its object's storage.
//
// A TxProfile is bound to its transaction when it starts and removed when it ends (profile-changes.ts
// 'bind' / 'endTransaction'): one D1 statement more at each start and end. Most chargers are never
// sent one, and their sessions should not pay for it, so those facts are appended only once this
// charger was sent or reported a TxProfile: the mark is set then and never cleared (one storage
// row per charger that uses them), and read once per object instance.

import type { ProfileChange } from '../ocpp/profile-changes';

const KEY = 'txProfilesSeen';

export class TxProfileMarker {
  private seen: boolean | undefined;

  constructor(private readonly storage: DurableObjectStorage) {}

  /** True once a TxProfile was installed on this charger (by a command's answer or its report). */
  async mayHave(): Promise<boolean> {
    this.seen ??= (await this.storage.get<boolean>(KEY)) === true;
    return this.seen;
  }

  /** Marks the charger when `changes` install a TxProfile; resolves once the mark is durable. */
  async note(changes: readonly ProfileChange[]): Promise<void> {
    if (!changes.some((c) => c.op === 'install' && c.purpose === 'TxProfile')) return;
    if (await this.mayHave()) return;
    await this.storage.put(KEY, true);
    this.seen = true;
  }
}
