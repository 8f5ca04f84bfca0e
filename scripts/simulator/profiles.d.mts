// Types for profiles.mjs, so TypeScript tests can import it.

export declare const VOLTS: number;
export declare const DEFAULT_PHASES: number;

export declare class ProfileError extends Error {}

export type Purpose = 'ChargePointMaxProfile' | 'TxDefaultProfile' | 'TxProfile';

export interface Period {
  startPeriod: number;
  /** In the profile's unit; absent where a 2.1 period gives none. */
  limit?: number;
  numberPhases?: number;
}

/** A profile as the store keeps it: times in ms since the epoch. */
export interface Profile {
  id: number;
  stackLevel: number;
  purpose: Purpose;
  kind: 'Absolute' | 'Recurring' | 'Relative';
  recurrencyKind?: 'Daily' | 'Weekly';
  validFrom?: number;
  validTo?: number;
  transactionId?: string;
  evseId: number;
  unit: 'A' | 'W';
  startSchedule?: number;
  duration?: number;
  periods: Period[];
  receivedAt: number;
}

export declare function fromV16(connectorId: number, profile: Record<string, any>, receivedAt: number): Profile;
export declare function fromV201(evseId: number, profile: Record<string, any>, receivedAt: number): Profile;

export declare function refusal(
  profile: Profile,
  state?: { connectors?: number; transactions?: Array<{ id: string | number; evseId: number }> },
): string | undefined;

export declare class ProfileStore {
  profiles: Profile[];
  install(profile: Profile, options?: { version?: string; transactionId?: string | number }): Profile;
  clear(criteria?: { id?: number; evseId?: number; purpose?: string; stackLevel?: number }): number;
  endTransaction(transactionId: string | number): void;
  readonly size: number;
}

export declare function purposeName(purpose: Purpose, version: string): string;

export declare function periodAt(profile: Profile, t: number, relativeStart: number): Period | undefined;

export interface Limit {
  /** Amps per phase; null when nothing limits. */
  amps: number | null;
  numberPhases: number | null;
  session: number | null;
  station: number | null;
}

export declare function limitAt(
  profiles: Profile[],
  context: { at: number; evseId?: number; transaction?: { id: string | number; startedAt: number } | null; voltage?: number },
): Limit;

export declare function carDraw(input: {
  carAmps: number;
  ratingAmps: number;
  limit?: Pick<Limit, 'amps' | 'numberPhases'> | null;
  phases: number;
}): { amps: number; phases: number };
