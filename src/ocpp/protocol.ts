// One profile per OCPP version: its actions, who sends each, their schemas and our handlers.

import type { GenericSchema } from 'valibot';
import type { HandlerTable } from './handlers';
import type { OcppVersion } from './versions';
import * as v16Actions from './v16/actions';
import * as v16Schemas from './v16/schemas.generated';
import { handlers as v16Handlers } from './v16/handlers';
import * as v201Actions from './v201/actions';
import * as v201Schemas from './v201/schemas.generated';
import { handlers as v201Handlers } from './v201/handlers';
import * as v21Actions from './v21/actions';
import * as v21Schemas from './v21/schemas.generated';
import { handlers as v21Handlers } from './v21/handlers';

export interface VersionProfile {
  version: OcppVersion;
  /** Every action the version defines, in either direction. */
  actions: ReadonlySet<string>;
  chargerInitiated: ReadonlySet<string>;
  csmsInitiated: ReadonlySet<string>;
  /** Actions sent with SEND (2.1): a request never answered, so with no response schema. */
  unconfirmed: ReadonlySet<string>;
  requestSchemas: Readonly<Record<string, GenericSchema>>;
  responseSchemas: Readonly<Record<string, GenericSchema>>;
  handlers: HandlerTable;
}

export const PROFILES: Record<OcppVersion, VersionProfile> = {
  'ocpp1.6': {
    version: 'ocpp1.6',
    actions: new Set(v16Schemas.ACTIONS),
    chargerInitiated: new Set(v16Actions.CHARGER_INITIATED),
    csmsInitiated: new Set(v16Actions.CSMS_INITIATED),
    unconfirmed: new Set(),
    requestSchemas: v16Schemas.requestSchemas,
    responseSchemas: v16Schemas.responseSchemas,
    handlers: v16Handlers,
  },
  'ocpp2.0.1': {
    version: 'ocpp2.0.1',
    actions: new Set(v201Schemas.ACTIONS),
    chargerInitiated: new Set(v201Actions.CHARGER_INITIATED),
    csmsInitiated: new Set(v201Actions.CSMS_INITIATED),
    unconfirmed: new Set(),
    requestSchemas: v201Schemas.requestSchemas,
    responseSchemas: v201Schemas.responseSchemas,
    handlers: v201Handlers,
  },
  'ocpp2.1': {
    version: 'ocpp2.1',
    actions: new Set(v21Schemas.ACTIONS),
    chargerInitiated: new Set(v21Actions.CHARGER_INITIATED),
    csmsInitiated: new Set(v21Actions.CSMS_INITIATED),
    unconfirmed: new Set(v21Schemas.UNCONFIRMED_ACTIONS),
    requestSchemas: v21Schemas.requestSchemas,
    responseSchemas: v21Schemas.responseSchemas,
    handlers: v21Handlers,
  },
};

/** Own-property lookup, so that an action named "constructor" or "__proto__" finds nothing. */
export function schemaFor(table: Readonly<Record<string, GenericSchema>>, action: string): GenericSchema | undefined {
  return Object.hasOwn(table, action) ? table[action] : undefined;
}
