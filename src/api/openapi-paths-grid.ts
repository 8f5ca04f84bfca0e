// The OpenAPI paths of OCPP 2.1 grid features (src/api/grid.ts): dynamic profile values, battery swaps.

import {
  BAD_CHARGER_ID,
  BAD_PARAMETER,
  errorResponse,
  type Json,
  jsonResponse,
  objectOf,
  operation,
  parameterRef,
  query,
  UNKNOWN_CHARGER,
} from './openapi-operations';
import { MAX_COMMAND_TIMEOUT_SECONDS, DEFAULTS } from '../config';

const DYNAMIC_SCHEDULE: Json = {
  type: 'object',
  required: ['chargingProfileId', 'scheduleUpdate', 'setAt', 'chargerAnswer'],
  properties: {
    chargingProfileId: { type: 'integer' },
    scheduleUpdate: { type: 'object', description: 'The 2.1 ChargingScheduleUpdateType: limit, dischargeLimit, setpoint, setpointReactive (and their _L2, _L3)' },
    setAt: { type: 'string', format: 'date-time', description: 'When the CSMS took these values' },
    chargerAnswer: {
      type: ['object', 'null'],
      description:
        'The outcome of the UpdateDynamicSchedule that carried them: the charger\'s `status` (Accepted, Rejected) and `statusInfo`; ' +
        'or `status` null and `error` ({code, message}) when no usable answer came (timeout, CALLERROR…). Null when none was sent (the charger was offline).',
      properties: {
        status: { type: ['string', 'null'] },
        statusInfo: { type: 'object' },
        error: objectOf({ code: { type: 'string' }, message: { type: 'string' } }),
        answeredAt: { type: 'string', format: 'date-time' },
      },
      required: ['status', 'answeredAt'],
    },
  },
};

const BATTERY_SWAP: Json = {
  type: 'object',
  required: ['id', 'requestId', 'eventType', 'idToken', 'batteryData', 'receivedAt'],
  properties: {
    id: { type: 'integer' },
    requestId: { type: 'integer', description: 'Links the charger\'s events to the RequestBatterySwap that asked for them' },
    eventType: { type: 'string', enum: ['BatteryIn', 'BatteryOut', 'BatteryOutTimeout', 'Requested'], description: 'Requested: the CSMS sent RequestBatterySwap' },
    idToken: objectOf({ idToken: { type: 'string' }, type: { type: 'string' } }),
    authorization: { type: ['string', 'null'], description: "A charger's event: the token's status as the CSMS decided it (AuthorizationStatusEnumType)" },
    answer: { type: ['string', 'null'], description: "Requested: the charger's answer status" },
    batteryData: { type: 'array', items: { type: 'object' }, description: 'BatteryDataType as sent (evseId, serialNumber, soC, soH, productionDate, vendorInfo)' },
    receivedAt: { type: 'string', format: 'date-time' },
  },
};

const PROFILE_ID = {
  name: 'profileId',
  in: 'path',
  required: true,
  schema: { type: 'integer' },
  description: 'The chargingProfileId of a profile the charger installed with chargingProfileKind Dynamic',
};

export function gridPaths(): Record<string, Json> {
  return {
    '/chargers/{chargerId}/charging-profiles/{profileId}/dynamic': {
      parameters: [parameterRef('chargerId'), PROFILE_ID],
      get: operation({
        tags: ['Charger history'],
        operationId: 'getDynamicSchedule',
        summary: 'A dynamic profile\'s current values (OCPP 2.1 K28): what the charger is answered when it pulls (PullDynamicScheduleUpdate)',
        description:
          'Values set with PUT, or sent with the UpdateDynamicSchedule command and Accepted. A pull is answered Accepted with them while the profile, ' +
          'as the CSMS knows it installed, is Dynamic and the values are newer than its installation; otherwise Rejected (UnknownProfile, NotDynamic, NoUpdate).',
        responses: {
          '200': jsonResponse('The values', objectOf({ dynamicSchedule: DYNAMIC_SCHEDULE })),
          '400': errorResponse({ ...BAD_CHARGER_ID, ...BAD_PARAMETER }),
          '404': errorResponse({ ...UNKNOWN_CHARGER, NoDynamicValues: 'the CSMS holds no values for this profile' }),
        },
      }),
      put: operation({
        tags: ['Commands'],
        operationId: 'setDynamicSchedule',
        summary: 'Set a dynamic profile\'s values: kept for the charger\'s pulls, and sent at once in UpdateDynamicSchedule when it is connected',
        description:
          'Command scope. The values are stored before anything is sent, and replace the previous ones whole. The profile must be one the charger installed ' +
          'with chargingProfileKind Dynamic (SetChargingProfile Accepted, or reported). The answer shows the stored values with the charger\'s answer; ' +
          'a charger offline is not sent anything (`sent: false`): it gets the values at its next pull.',
        parameters: [
          query('timeoutSeconds', { type: 'number', exclusiveMinimum: 0, maximum: MAX_COMMAND_TIMEOUT_SECONDS, default: DEFAULTS.commandTimeoutSeconds }, 'How long to wait for the charger\'s answer'),
        ],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: objectOf({ scheduleUpdate: { type: 'object', description: 'The 2.1 ChargingScheduleUpdateType; at least one value' } }) } },
        },
        responses: {
          '200': jsonResponse(
            'Stored; sent or not, with the charger\'s answer',
            {
              type: 'object',
              required: ['dynamicSchedule', 'sent'],
              properties: {
                dynamicSchedule: DYNAMIC_SCHEDULE,
                sent: { type: 'boolean' },
                result: { type: 'object', description: 'The UpdateDynamicSchedule answer' },
                error: { type: 'object', description: 'Why no usable answer came (as for POST …/commands/{action})' },
              },
            },
          ),
          '400': errorResponse({ ...BAD_CHARGER_ID, ...BAD_PARAMETER, InvalidJson: 'the body is not JSON', InvalidPayload: 'the body is not {"scheduleUpdate": {…}} with at least one value' }),
          '404': errorResponse({ ...UNKNOWN_CHARGER, UnknownChargingProfile: 'the CSMS knows no such profile installed on the charger' }),
          '409': errorResponse({ NotDynamicProfile: 'the profile is not chargingProfileKind Dynamic' }),
        },
      }),
    },
    '/chargers/{chargerId}/battery-swaps': {
      parameters: [parameterRef('chargerId')],
      get: operation({
        tags: ['Charger history'],
        operationId: 'listBatterySwaps',
        summary: 'Battery swaps (OCPP 2.1): the charger\'s BatterySwap events with their token\'s authorization, and the RequestBatterySwap answers, newest first',
        parameters: [
          query('requestId', { type: 'integer' }, 'Only one swap: the request and the events that name its requestId'),
          parameterRef('limit'),
          query('cursor', { type: 'string' }, 'The `nextCursor` of the previous page'),
        ],
        responses: {
          '200': jsonResponse(
            'A page of battery swap events',
            objectOf({ batterySwaps: { type: 'array', items: BATTERY_SWAP }, nextCursor: { type: ['string', 'null'] } }),
          ),
          '400': errorResponse({ ...BAD_CHARGER_ID, ...BAD_PARAMETER }),
          '404': errorResponse(UNKNOWN_CHARGER),
        },
      }),
    },
  };
}
