// The form renderer's pure parts (schema-form.ts is browser JavaScript in a string): run here on
// their own, without a DOM. What the generated forms send is checked in a real browser
// (test/e2e/console-commands.browser.test.ts).
import { describe, expect, it } from 'vitest';
import { SCHEMA_FORM } from './schema-form';

type Schema = Record<string, unknown>;
const form = new Function(`${SCHEMA_FORM}; return { deref, fieldKind, fieldPath, parentPath, schemaHint, localToUtc, utcToLocal, numberValue };`)() as {
  deref(root: Schema, schema: Schema): Schema;
  fieldKind(schema: Schema): string;
  fieldPath(base: string, key: string | number): string;
  parentPath(path: string): string;
  schemaHint(schema: Schema): string;
  localToUtc(text: string): string;
  utcToLocal(iso: unknown): string;
  numberValue(text: string): unknown;
};

describe('the schema form renderer', () => {
  it('resolves $ref through the schema\'s own $defs, chains included; an unknown one is an empty schema', () => {
    const root = { $defs: { A: { $ref: '#/$defs/B' }, B: { type: 'integer' } } };
    expect(form.deref(root, { $ref: '#/$defs/A' })).toEqual({ type: 'integer' });
    expect(form.deref(root, { $ref: '#/components/schemas/B' })).toEqual({});
    expect(form.deref({ $defs: { L: { $ref: '#/$defs/L' } } }, { $ref: '#/$defs/L' })).toEqual({}); // a loop ends
  });

  it('picks an editor per schema: enum, date-time, scalars, objects, arrays, and JSON for the rest', () => {
    expect(form.fieldKind({ type: 'string', enum: ['Hard', 'Soft'] })).toBe('enum');
    expect(form.fieldKind({ type: 'string', format: 'date-time' })).toBe('date-time');
    expect(form.fieldKind({ type: 'string', maxLength: 20 })).toBe('string');
    for (const type of ['integer', 'number', 'boolean', 'array']) expect(form.fieldKind({ type })).toBe(type);
    expect(form.fieldKind({ type: 'object', properties: {} })).toBe('object');
    // A loose object without properties (2.0.1 CustomDataType), a union, anything else: edited as JSON.
    expect(form.fieldKind({ type: 'object' })).toBe('json');
    expect(form.fieldKind({ anyOf: [{ type: 'string' }, { type: 'integer' }] })).toBe('json');
  });

  it('names fields as the API\'s issues name them, and walks up to the nearest field shown', () => {
    expect(form.fieldPath('', 'chargingProfile')).toBe('chargingProfile');
    expect(form.fieldPath('chargingProfile', 'chargingSchedule')).toBe('chargingProfile.chargingSchedule');
    expect(form.fieldPath('chargingProfile.chargingSchedule', 0)).toBe('chargingProfile.chargingSchedule[0]');
    expect(form.parentPath('chargingProfile.chargingSchedule[0].chargingSchedulePeriod[1].limit')).toBe('chargingProfile.chargingSchedule[0].chargingSchedulePeriod[1]');
    expect(form.parentPath('chargingProfile.chargingSchedule[0]')).toBe('chargingProfile.chargingSchedule');
    expect(form.parentPath('evseId')).toBe('');
  });

  it('says what a schema allows in words', () => {
    expect(form.schemaHint({ type: 'string', maxLength: 20 })).toBe('up to 20 characters');
    expect(form.schemaHint({ type: 'number', minimum: 0, maximum: 10, multipleOf: 0.1 })).toBe('at least 0, at most 10, a multiple of 0.1');
    expect(form.schemaHint({ type: 'array', minItems: 1, maxItems: 3 })).toBe('at least 1, at most 3');
    expect(form.schemaHint({ type: 'string', format: 'date-time' })).toBe('your local time, sent as UTC');
  });

  it('sends a local date-time as UTC, shows UTC as local time, and leaves text that is no date for the API to refuse', () => {
    const local = '2026-12-01T10:30:05';
    const utc = form.localToUtc(local);
    expect(utc).toBe(new Date(local).toISOString().replace('.000Z', 'Z'));
    expect(utc).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(form.utcToLocal(utc)).toBe(local);
    expect(form.localToUtc('soon')).toBe('soon');
    expect(form.utcToLocal(undefined)).toBe('');
  });

  it('reads a number field: a number, nothing when empty (omitted, so a required one is reported missing), else the text', () => {
    expect(form.numberValue('16')).toBe(16);
    expect(form.numberValue('0.5')).toBe(0.5);
    expect(form.numberValue('  ')).toBeUndefined();
    expect(form.numberValue('12a')).toBe('12a');
  });
});
