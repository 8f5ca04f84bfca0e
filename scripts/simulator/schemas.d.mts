// Types for schemas.mjs, so TypeScript tests can import it.

import type { Validator } from 'ocpp-rpc/lib/validator';

export type OcppVersion = 'ocpp1.6' | 'ocpp2.0.1' | 'ocpp2.1';
type Schema = Record<string, unknown>;

/** `urn:<Action>.req` / `urn:<Action>.conf` for a schema id of any version. */
export declare function rpcSchemaId(id: string): string;

/** A copy of a schema without `additionalProperties` on nodes that are not objects. */
export declare function withoutIdleKeywords<T>(node: T): T;

/** The schema of `<action>.req` or `<action>.conf`, or undefined. */
export declare function messageSchema(version: OcppVersion, action: string, kind: 'req' | 'conf'): Schema | undefined;

/** ocpp-rpc validators the simulator adds (2.1). */
export declare function strictValidators(): Validator[];

/** A payload with only the required fields of the action's `kind` schema. */
export declare function minimalPayload(version: OcppVersion, action: string, kind?: 'req' | 'conf'): Record<string, unknown>;
