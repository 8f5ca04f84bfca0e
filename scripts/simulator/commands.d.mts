// Types for commands.mjs, so TypeScript tests can import its list of actions.

/** The actions each version lets the CSMS send, which a virtual charger answers. */
export declare const CSMS_INITIATED: Record<'ocpp1.6' | 'ocpp2.0.1' | 'ocpp2.1', readonly string[]>;

export declare function registerCommandHandlers(charger: unknown, client: unknown): void;
