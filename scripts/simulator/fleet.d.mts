// Types for fleet.mjs, so TypeScript tests can drive a fleet.

import type { Profile } from './profiles.mjs';

export interface ChargerSpec {
  id?: string;
  protocol?: '1.6' | '2.0.1' | '2.1';
  rejectProfiles?: boolean;
  /** The charger's rating, amps per phase. */
  maxAmps?: number;
  phases?: 1 | 3;
}

export interface FleetOptions {
  url: string;
  chargers: number | ChargerSpec[];
  protocols?: Array<'1.6' | '2.0.1' | '2.1'>;
  idPrefix?: string;
  tag?: string;
  maxAmps?: number;
  rejectProfiles?: boolean;
  phases?: 1 | 3;
  meterInterval?: number;
  password?: string;
  api?: string;
  token?: string;
  onlineTimeoutMs?: number;
}

export interface Draw {
  /** Amps per phase on each phase in use. */
  amps: number;
  phases: number;
  powerW: number;
  /** The profiles' limit in force, amps per phase; null when none limits. */
  limitAmps: number | null;
}

export declare class FleetCharger {
  readonly id: string;
  readonly protocol: 'ocpp1.6' | 'ocpp2.0.1' | 'ocpp2.1';
  readonly online: boolean;
  readonly transactionId: string | number | undefined;
  readonly profiles: Profile[];
  whenOnline(): Promise<void>;
  startSession(options?: { idTag?: string; carAmps?: number; curve?: boolean }): Promise<string | number>;
  stopSession(): Promise<void>;
  disconnect(): Promise<void>;
  reconnect(): Promise<void>;
  draw(): Draw;
}

export declare class Fleet {
  readonly tag: string;
  readonly chargers: FleetCharger[];
  charger(id: string): FleetCharger;
  errors(): Record<string, number>;
  stop(): Promise<boolean>;
}

export declare function startFleet(options: FleetOptions): Promise<Fleet>;
