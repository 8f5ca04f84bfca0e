// A charger for the site tests: it sends its own CALLs and answers the CSMS's at the same time, as
// a real charger does (answeringCharger cannot send CALLs once it answers). Answers come from
// `answer`; every CALL the CSMS sent is kept in `received`, in order.
import type { OcppVersion } from '../../src/ocpp/versions';
import { RawCharger } from './helpers';

export interface ReceivedCall {
  action: string;
  payload: any;
  /** Its place among every CALL any SiteTestCharger received or answered: which came first, across chargers. */
  seq: number;
  /** The same count when it was answered (answers may be delayed: `answer` may return a promise). */
  answeredSeq?: number;
}

let received = 0;

export class SiteTestCharger {
  readonly received: ReceivedCall[] = [];
  private readonly waiting = new Map<string, (frame: unknown[]) => void>();
  private nextId = 0;

  private constructor(
    readonly cp: RawCharger,
    public answer: (action: string, payload: any) => unknown | Promise<unknown>,
  ) {
    cp.ws.addEventListener('message', (event) => {
      const frame = JSON.parse(event.data as string) as unknown[];
      if (frame[0] === 2) {
        const call: ReceivedCall = { action: frame[2] as string, payload: frame[3], seq: ++received };
        this.received.push(call);
        void Promise.resolve(this.answer(call.action, call.payload)).then((result) => {
          call.answeredSeq = ++received;
          cp.sendRaw(JSON.stringify([3, frame[1], result]));
        });
      } else {
        this.waiting.get(frame[1] as string)?.(frame);
        this.waiting.delete(frame[1] as string);
      }
    });
  }

  /** Connects and boots; the CSMS's CALLs are answered by `answer` from the start. */
  static async connect(id: string, version: OcppVersion, answer: (action: string, payload: any) => unknown | Promise<unknown>): Promise<SiteTestCharger> {
    const charger = new SiteTestCharger(await RawCharger.connect(id, version), answer);
    const boot = version === 'ocpp1.6'
      ? await charger.call('BootNotification', { chargePointVendor: 'Acme', chargePointModel: 'Volt' })
      : await charger.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'Acme', model: 'Volt' } });
    if (boot[0] !== 3) throw new Error(`boot: ${JSON.stringify(boot)}`);
    return charger;
  }

  get id(): string {
    return this.cp.id;
  }

  /** Sends a CALL and returns the CSMS's answer frame. */
  call(action: string, payload: unknown, ms = 5_000): Promise<unknown[]> {
    const id = `s${++this.nextId}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${action} within ${ms} ms`)), ms);
      this.waiting.set(id, (frame) => {
        clearTimeout(timer);
        resolve(frame);
      });
      this.cp.sendRaw(JSON.stringify([2, id, action, payload]));
    });
  }

  /** The SetChargingProfile requests received so far. */
  profiles(): ReceivedCall[] {
    return this.received.filter((c) => c.action === 'SetChargingProfile');
  }

  close(): void {
    this.cp.close();
  }
}

/** Waits until `check` returns a value (not undefined/false), polling; throws after `ms`. */
export async function until<T>(check: () => T | Promise<T>, ms = 5_000, what = 'condition'): Promise<Exclude<T, false | undefined | null>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false && value !== null) return value as Exclude<T, false | undefined | null>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
