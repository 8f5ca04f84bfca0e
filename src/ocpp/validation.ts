// Checks an OCPP payload against its valibot schema and turns the failures into one OcppError.

import * as v from 'valibot';
import { OcppError, MAX_ERROR_DESCRIPTION, truncate, type OcppErrorKind } from './errors';
import { sampledValueIssues } from './meter-values';
import type { OcppVersion } from './versions';

export type Validation<T> = { ok: true; value: T } | { ok: false; error: OcppError };

/** How many issues `details.issues` (and `summarizeIssues` by default) report. */
export const MAX_REPORTED_ISSUES = 10;

/** One schema failure in words: `path` is like "evse.connectorId" or "meterValue[0].timestamp" ("" for the whole payload). */
export interface IssueSummary {
  path: string;
  /** A predicate about the value at `path`, e.g. "is required", "is longer than 20 characters". */
  message: string;
}

export interface ExplainedIssue extends IssueSummary {
  kind: OcppErrorKind;
}

type Issue = v.BaseIssue<unknown>;

const OBJECT_SCHEMAS = new Set(['object', 'strict_object', 'loose_object', 'object_with_rest']);

/**
 * Validates `payload` against `schema`. On failure the error's kind comes from the most
 * significant issue (see `explainIssue`), its description is that issue in words, and
 * `details.issues` lists up to MAX_REPORTED_ISSUES issues, most significant first.
 */
export function validatePayload<T>(schema: v.GenericSchema<unknown, T>, payload: unknown): Validation<T> {
  // valibot's object schemas accept arrays (`typeof [] === 'object'`), so an array payload for an
  // action without required fields, such as Heartbeat, would pass; catch it here.
  if (OBJECT_SCHEMAS.has(schema.type) && Array.isArray(payload)) {
    const issue: ExplainedIssue = { path: '', message: 'must be an object, got array', kind: 'FormatViolation' };
    return { ok: false, error: new OcppError(issue.kind, formatIssue(issue), { issues: [issue] }) };
  }
  const result = v.safeParse(schema, payload, { abortEarly: false });
  if (result.success) return { ok: true, value: result.output };
  return { ok: false, error: refusal(result.issues.map(explainIssue)) };
}

/**
 * Checks a charger's schema-valid request for values OCPP rules out but its JSON schema cannot
 * express (see `sampledValueIssues`: 1.6 numbers as text, values beyond a finite number once
 * scaled). Null when there are none; else the PropertyConstraintViolation to answer with,
 * naming each field like `validatePayload` does.
 */
export function checkRequestValues(version: OcppVersion, payload: unknown): OcppError | null {
  const issues = sampledValueIssues(version, payload);
  if (issues.length === 0) return null;
  return refusal(issues.map((issue) => ({ ...issue, kind: 'PropertyConstraintViolation' as const })));
}

/** One error for the issues: its kind and description from the most significant, up to MAX_REPORTED_ISSUES in `details.issues`. */
function refusal(explained: ExplainedIssue[]): OcppError {
  const issues = rank(explained).slice(0, MAX_REPORTED_ISSUES);
  const first = issues[0] ?? { path: '', message: 'is invalid', kind: 'FormatViolation' as const };
  return new OcppError(first.kind, formatIssue(first), { issues });
}

/**
 * The issues as `{ path, message }`, most significant first, at most `limit` of them. The HTTP
 * API reports operator payloads with these, and OCPP errors carry the same in `details.issues`.
 */
export function summarizeIssues(issues: readonly Issue[], limit = MAX_REPORTED_ISSUES): IssueSummary[] {
  return rank(issues.map(explainIssue))
    .slice(0, limit)
    .map(({ path, message }) => ({ path, message }));
}

/** One issue as a sentence: `"idTag" is longer than 20 characters`, `payload must be an object, got array`. */
export function formatIssue(issue: IssueSummary): string {
  const subject = issue.path === '' ? 'payload' : `"${issue.path}"`;
  return truncate(`${subject} ${issue.message}`, MAX_ERROR_DESCRIPTION);
}

/**
 * Which OCPP error an issue is, with its path and message:
 *
 * | valibot issue                                               | kind                          |
 * |-------------------------------------------------------------|-------------------------------|
 * | object key issue, expected `"key"` (required key missing)   | OccurrenceConstraintViolation |
 * | object key issue, expected `never` (strictObject extra key) | OccurrenceConstraintViolation |
 * | picklist / enum / literal, value not allowed                | PropertyConstraintViolation   |
 * | picklist of strings given a non-string                      | TypeConstraintViolation       |
 * | any other schema issue (string, number, boolean, object …)  | TypeConstraintViolation       |
 * | integer / safe_integer action                               | TypeConstraintViolation       |
 * | any other action (max_length, min_value, iso_timestamp …)   | PropertyConstraintViolation   |
 *
 * A type failure of the payload itself (path "") is a FormatViolation, not a
 * TypeConstraintViolation: OCPP-J calls a payload that is "not conform the PDU structure"
 * a FormatViolation, while TypeConstraintViolation is about "at least one of the fields", and
 * a payload that is not a JSON object has no fields.
 */
export function explainIssue(issue: Issue): ExplainedIssue {
  const pathItems = issue.path ?? [];
  const last = pathItems[pathItems.length - 1];
  if (issue.kind === 'schema' && OBJECT_SCHEMAS.has(issue.type) && last?.origin === 'key') {
    const parentPath = formatPath(pathItems.slice(0, -1));
    // An array where an object belongs shows up as key issues about the array; it is a type error.
    if (Array.isArray(last.input)) return typeIssue(parentPath, 'must be an object, got array');
    const path = formatPath(pathItems);
    if (issue.expected === 'never') return { path, message: 'is not an allowed property', kind: 'OccurrenceConstraintViolation' };
    return { path, message: 'is required', kind: 'OccurrenceConstraintViolation' };
  }
  const path = formatPath(pathItems);
  const message = truncate(messageFor(issue), MAX_ERROR_DESCRIPTION);
  if (issue.kind === 'schema') {
    if (issue.type === 'picklist' || issue.type === 'enum' || issue.type === 'literal') {
      // A number or null where one of some strings belongs is a wrong type, not a wrong value.
      const stringOptions = /^\(?"/.test(issue.expected ?? '');
      if (stringOptions && typeof issue.input !== 'string') return typeIssue(path, message);
      return { path, message, kind: 'PropertyConstraintViolation' };
    }
    return typeIssue(path, message);
  }
  if (issue.type === 'integer' || issue.type === 'safe_integer') return typeIssue(path, message);
  return { path, message, kind: 'PropertyConstraintViolation' };
}

function typeIssue(path: string, message: string): ExplainedIssue {
  return { path, message, kind: path === '' ? 'FormatViolation' : 'TypeConstraintViolation' };
}

/** Structural problems first, then types, then values; valibot's order within each. */
const SIGNIFICANCE: Record<OcppErrorKind, number> = {
  FormatViolation: 0,
  OccurrenceConstraintViolation: 1,
  TypeConstraintViolation: 2,
  PropertyConstraintViolation: 3,
  GenericError: 4,
  InternalError: 4,
  MessageTypeNotSupported: 4,
  NotImplemented: 4,
  NotSupported: 4,
  ProtocolError: 4,
  RpcFrameworkError: 4,
  SecurityError: 4,
};

function rank(issues: ExplainedIssue[]): ExplainedIssue[] {
  // Array.prototype.sort is stable, so issues of one kind keep valibot's (document) order.
  return [...issues].sort((a, b) => SIGNIFICANCE[a.kind] - SIGNIFICANCE[b.kind]);
}

/** "chargingStation.model", "meterValue[0].sampledValue[2].value"; "" for the root. */
export function formatPath(items: readonly v.IssuePathItem[]): string {
  let out = '';
  for (const item of items) {
    const key = item.key;
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string') out += out === '' ? key : `.${key}`;
    else out += `[${String(key)}]`;
  }
  return out;
}

/**
 * The message of a non-key issue. A message set on the schema or action (the generated schemas
 * set them, phrased like "is longer than 20 characters") is used as is; valibot's defaults all
 * start with "Invalid " and are rephrased here from the issue's type and requirement.
 */
function messageFor(issue: Issue): string {
  const custom = !issue.message.startsWith('Invalid ');
  if (issue.kind === 'schema') {
    if (issue.type === 'picklist' || issue.type === 'enum' || issue.type === 'literal') {
      const allowed = (issue.expected ?? '').replace(/^\((.*)\)$/, '$1');
      if (typeof issue.input !== 'string' && typeof issue.input !== 'number') {
        return `must be one of ${allowed}, got ${jsonType(issue.input)}`;
      }
      return `has value ${preview(issue.input)}, which is not one of ${allowed}`;
    }
    const got = `got ${jsonType(issue.input)}`;
    if (custom) return `${issue.message}, ${got}`;
    return `must be ${typeName(issue.expected)}, ${got}`;
  }
  if (custom) return issue.message;
  const requirement = issue.requirement;
  switch (issue.type) {
    case 'max_length':
      return typeof issue.input === 'string'
        ? `is longer than ${plural(requirement, 'character')}`
        : `must have at most ${plural(requirement, 'item')}`;
    case 'min_length':
      return typeof issue.input === 'string'
        ? `is shorter than ${plural(requirement, 'character')}`
        : `must have at least ${plural(requirement, 'item')}`;
    case 'min_value':
      return `must be at least ${String(requirement)}`;
    case 'max_value':
      return `must be at most ${String(requirement)}`;
    case 'integer':
      return 'must be an integer';
    case 'multiple_of':
      return `must be a multiple of ${String(requirement)}`;
    case 'iso_timestamp':
      return 'must be an RFC 3339 date-time such as 2024-01-01T12:00:00Z';
    default:
      return issue.message;
  }
}

function plural(n: unknown, word: string): string {
  return `${String(n)} ${word}${n === 1 ? '' : 's'}`;
}

function typeName(expected: string | null): string {
  switch (expected) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'Object':
      return 'an object';
    case 'Array':
      return 'an array';
    default:
      return expected ?? 'something else';
  }
}

/** The JSON type of a value, as a person would name it. */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value === 'undefined' ? 'nothing' : typeof value;
}

function preview(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return truncate(text, 40);
}
