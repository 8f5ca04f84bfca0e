// The OpenAPI paths and shapes of a 2.1 charger's DER control inventory and alarms (src/api/der-controls.ts).

import { DERControlEnumType, GridEventFaultEnumType } from '../ocpp/v21/schemas.generated';
import { BAD_CHARGER_ID, BAD_PARAMETER, errorResponse, jsonResponse, type Json, objectOf, operation, page, parameterRef, query, UNKNOWN_CHARGER } from './openapi-operations';

const CONTROL_TYPE: Json = { type: 'string', enum: [...DERControlEnumType.options] };
const DATE_TIME: Json = { type: 'string', format: 'date-time' };
const nullable = (schema: Json, description: string): Json => ({ oneOf: [schema, { type: 'null' }], description });

const DER_CONTROL: Json = objectOf({
  controlId: { type: 'string', maxLength: 36 },
  controlType: CONTROL_TYPE,
  isDefault: { type: 'boolean', description: 'A default control (always in force unless a scheduled one overrides it), else a scheduled one' },
  isSuperseded: { type: 'boolean', description: 'Overruled by a control of higher priority: the charger does not execute it' },
  priority: { type: 'integer', minimum: 0, description: '0 is the highest' },
  startTime: nullable(DATE_TIME, "A scheduled control's start; null for a default one"),
  duration: nullable({ type: 'number' }, 'Seconds a scheduled control lasts; null for a default one'),
  setting: {
    type: 'object',
    description:
      'The setting as OCPP carried it, under its SetDERControlRequest field: `curve` (the curve types), `enterService`, `fixedPFAbsorb`, ' +
      '`fixedPFInject`, `fixedVar`, `freqDroop`, `gradient` or `limitMaxDischarge`',
  },
  source: { type: 'string', enum: ['set', 'reported'], description: 'Accepted from a SetDERControl, or listed by a ReportDERControl' },
  requestId: nullable({ type: 'integer' }, 'The requestId of the ReportDERControl that listed it; null for `set`'),
  state: nullable({ type: 'string', enum: ['started', 'stopped'] }, 'As the last NotifyDERStartStop said; null before any'),
  stateAt: nullable(DATE_TIME, "That notification's timestamp"),
  updatedAt: DATE_TIME,
});

const DER_ALARM: Json = objectOf({
  id: { type: 'integer', description: 'Increases with each alarm the CSMS records' },
  controlType: CONTROL_TYPE,
  gridEventFault: nullable({ type: 'string', enum: [...GridEventFaultEnumType.options] }, 'The grid event that caused it, when the charger said'),
  startedAt: nullable(DATE_TIME, "The charger's time the alarm began; null when the CSMS saw only its end"),
  endedAt: nullable(DATE_TIME, "The charger's time it ended (NotifyDERAlarm with alarmEnded); null while open"),
  open: { type: 'boolean', description: 'Begun and not ended' },
  extraInfo: nullable({ type: 'string' }, "The start's extraInfo"),
  endExtraInfo: nullable({ type: 'string' }, "The end's extraInfo"),
  receivedAt: DATE_TIME,
});

/** `components.schemas` entries. */
export function derSchemas(): Record<string, Json> {
  return { DerControl: DER_CONTROL, DerAlarm: DER_ALARM };
}

function read(operationId: string, summary: string, description: string, parameters: Json[], body: Json): Json {
  return {
    parameters: [parameterRef('chargerId')],
    get: operation({
      tags: ['Charger history'],
      operationId,
      summary,
      description,
      parameters,
      responses: {
        '200': jsonResponse('The records', body),
        '400': errorResponse({ ...BAD_CHARGER_ID, ...BAD_PARAMETER }),
        '404': errorResponse(UNKNOWN_CHARGER),
      },
    }),
  };
}

export function derPaths(): Record<string, Json> {
  return {
    '/chargers/{chargerId}/der-controls': read(
      'listDerControls',
      "The DER controls an OCPP 2.1 charger has (R04), as its answers, reports and notifications tell",
      'Kept from the answers to SetDERControl (Accepted: installed; the answer\'s supersededIds are marked superseded), ClearDERControl ' +
        '(Accepted: removed by controlId, else those of its isDefault and controlType), GetDERControl (NotFound: none of what it asked for) ' +
        'and the ReportDERControl parts that answer it: each part\'s controls are stored as reported; the last part (no tbc) removes what ' +
        'the GetDERControl asked about and no part listed. NotifyDERStartStop sets `state` and marks its supersededIds superseded. ' +
        "The charger's waiting facts are copied to D1 first. In controlId order, `limit` a page.",
      [
        query('controlType', CONTROL_TYPE, 'Only controls of this type'),
        query('isDefault', { type: 'string', enum: ['true', 'false'] }, 'true: only default controls; false: only scheduled ones'),
        parameterRef('limit'),
        query('cursor', { type: 'string' }, 'The `nextCursor` of the previous page'),
      ],
      page('controls', 'DerControl'),
    ),
    '/chargers/{chargerId}/der-alarms': read(
      'listDerAlarms',
      "An OCPP 2.1 charger's DER alarms (NotifyDERAlarm), newest first",
      'One per alarm: a NotifyDERAlarm starts one (the same start sent again is the same alarm); one with alarmEnded closes the open ' +
        'alarms of its controlType (and gridEventFault, when both name one) begun by its timestamp, or, none being open, is listed as an ' +
        'alarm seen ending only (startedAt null). Each message is also kept as sent (`/reports?action=NotifyDERAlarm`).',
      [
        query('controlType', CONTROL_TYPE, 'Only alarms of this control type'),
        query('open', { type: 'string', enum: ['true', 'false'] }, 'true: only open alarms; false: only ended ones'),
        parameterRef('limit'),
        query('cursor', { type: 'string' }, 'The `nextCursor` of the previous page'),
      ],
      page('alarms', 'DerAlarm'),
    ),
  };
}
