// Types for options.mjs, so TypeScript tests can import it.

export declare const USAGE: string;

export declare class OptionError extends Error {}

export interface SimulatorOptions {
  url: string;
  chargers: number;
  protocol: '1.6' | '2.0.1' | '2.1' | 'mixed';
  duration: number;
  idPrefix: string;
  meterInterval: number;
  password?: string;
  tag: string;
  ramp: number;
  api?: string;
  token?: string;
  ids: string[];
  /** Each charger's rating, amps per phase. */
  maxAmps: number;
  /** Every car's maximum, amps per phase; undefined: 16 or 32 at random. */
  carAmps?: number;
  rejectProfiles: boolean;
  help?: undefined;
}

/** Parses argv (without node and the script); returns the options, or { help: true }. */
export declare function parseOptions(argv: string[]): SimulatorOptions | { help: true };

/** The versions `mixed` takes in turn. */
export declare const MIXED: readonly string[];

/** The OCPP subprotocol of the charger at `index` (0-based). */
export declare function protocolOf(options: Pick<SimulatorOptions, 'protocol'>, index: number): string;
