// What a charger not (yet) Accepted may send because the CSMS asked: kept in the object's storage.
//
// Each CSMS request sent while the charger's boot is not Accepted that solicits messages (a
// TriggerMessage, a GetReport; see ocpp/solicited.ts) is noted before the CALL leaves, so a
// message the charger sends before its answer arrives is let through too; it is dropped when the
// charger's answer turns it down, when its window passes, or once a report's last part came.
// Kept in storage, not in memory: a Pending charger's object may hibernate between the request
// and the messages. An Accepted charger writes nothing here: its requests need no leave.

import { answersSolicitation, isLastPart, type Solicitation } from '../ocpp/solicited';

/** Where the solicitations are kept in the object's storage. */
const STORAGE_KEY = 'solicitedMessages';

/** At most this many are kept (the oldest go first): a Pending charger is provisioned with a few requests, not thousands. */
const MAX_KEPT = 64;

interface Kept extends Omit<Solicitation, 'windowMs'> {
  id: string;
  windowMs: number;
  /** Until when messages may come; moved on by each message that matches it. */
  until: number;
}

export class SolicitedMessages {
  /** As stored; read once per instance. */
  private kept: Kept[] | undefined;

  constructor(private readonly storage: DurableObjectStorage) {}

  private async load(): Promise<Kept[]> {
    if (this.kept === undefined) {
      const stored = (await this.storage.get<Kept[]>(STORAGE_KEY)) ?? [];
      // A change made while this read was under way (an operator command beside an inbound frame) is newer.
      this.kept ??= stored;
    }
    return this.kept;
  }

  private async save(kept: Kept[], now: number): Promise<void> {
    const live = kept.filter((k) => k.until > now).slice(-MAX_KEPT);
    this.kept = live;
    if (live.length === 0) await this.storage.delete(STORAGE_KEY);
    else await this.storage.put(STORAGE_KEY, live);
  }

  /** Notes a request about to be sent; returns its id, for `answered`. Until the answer, its window runs from now. */
  async expect(solicitation: Solicitation, now: number): Promise<string> {
    const id = crypto.randomUUID();
    const kept = await this.load();
    await this.save([...kept, { ...solicitation, id, until: now + solicitation.windowMs }], now);
    return id;
  }

  /**
   * The charger answered the request: turned down, nothing follows; taken on, its window runs from now.
   * A request not answered (a timeout, a lost connection) keeps its window: the charger may have taken it on.
   */
  async answered(id: string, tookOn: boolean, now: number): Promise<void> {
    const kept = await this.load();
    const one = kept.find((k) => k.id === id);
    if (!one) return;
    await this.save(tookOn ? kept.map((k) => (k === one ? { ...k, until: now + k.windowMs } : k)) : kept.filter((k) => k !== one), now);
  }

  /** Whether a request from the charger answers a solicitation still open. Reads storage once per instance. */
  async matcher(now: number): Promise<(action: string, payload: unknown) => boolean> {
    const open = (await this.load()).filter((k) => k.until > now);
    return (action, payload) => open.some((k) => answersSolicitation(k, action, payload));
  }

  /** A solicited message was answered: a report's last part closes it, any other moves its window on. */
  async received(action: string, payload: unknown, now: number): Promise<void> {
    const kept = await this.load();
    const matching = kept.filter((k) => k.until > now && answersSolicitation(k, action, payload));
    if (matching.length === 0) return;
    const closes = (k: Kept) => k.parts && isLastPart(payload);
    await this.save(
      kept.flatMap((k) => (!matching.includes(k) ? [k] : closes(k) ? [] : [{ ...k, until: now + k.windowMs }])),
      now,
    );
  }

  /** The charger was accepted (or rejected): what it was let send while Pending no longer applies. */
  async clear(): Promise<void> {
    this.kept = [];
    await this.storage.delete(STORAGE_KEY);
  }
}
