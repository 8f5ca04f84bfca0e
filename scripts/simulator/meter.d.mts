// Types for meter.mjs, so TypeScript tests can import it.

export declare const ENERGY: string;
export declare const POWER: string;
export declare const CURRENT: string;

export declare function chargerPhases(index: number): 1 | 3;
export declare function modelName(phases: number, ratingAmps: number): string;

export declare class ChargingCurve {
  constructor(durationMs: number);
  factorAt(elapsedMs: number): number;
}

export interface Reading {
  measurand: string;
  phase?: string;
  value: number;
  unit: string;
}

export declare class Meter {
  constructor(initialWh: number, phases: number, at?: number);
  registerWh: number;
  phases: number;
  amps: number;
  phasesInUse: number;
  readonly powerW: number;
  advance(now?: number): this;
  draw(amps: number, phasesInUse?: number, now?: number): void;
  wholeWh(): number;
  readings(context: string): Reading[];
  meterValue16(context: string, timestamp?: string): { timestamp: string; sampledValue: Array<Record<string, any>> };
  meterValue201(context: string, timestamp?: string): { timestamp: string; sampledValue: Array<Record<string, any>> };
}
