// The OCPP 2.1 rules for a SetDERControl the CSMS sends, beyond its schema (use case R04; see outbound-rules.ts).
//
// The schema lets a request carry any of eight setting fields, or none, whatever its controlType;
// a charger rejects one that does not carry exactly the field its type names, a default control
// with a schedule, a scheduled EnterService or Gradients, or a curve in the wrong unit. Refused
// here, the operator learns which rule, instead of a bare Rejected.

import type { Payload, Rule } from '../outbound-rules';
import { SETTING_FIELD, SETTING_FIELDS, type DerControlType } from './der-control';

function fieldsPresent(p: Payload): string[] {
  return SETTING_FIELDS.filter((f) => p[f] !== undefined);
}

/** The setting the request carries for its type, if it does. */
function setting(p: Payload): Payload | undefined {
  return p[SETTING_FIELD[p.controlType as DerControlType]] as Payload | undefined;
}

/** The units a curve of each curve type may use (R04.FR.50–R04.FR.55), with the requirement that says so. */
const CURVE_UNITS: Array<{ requirement: string; types: DerControlType[]; units: string[] }> = [
  { requirement: 'R04.FR.50', types: ['FreqWatt'], units: ['PctMaxW', 'PctWAvail'] },
  {
    requirement: 'R04.FR.51',
    types: ['HFMustTrip', 'HFMayTrip', 'HVMustTrip', 'HVMomCess', 'HVMayTrip', 'LFMustTrip', 'LVMustTrip', 'LVMomCess', 'LVMayTrip', 'PowerMonitoringMustTrip'],
    units: ['Not_Applicable'],
  },
  { requirement: 'R04.FR.52', types: ['VoltVar'], units: ['PctMaxVar', 'PctVarAvail'] },
  { requirement: 'R04.FR.53', types: ['VoltWatt'], units: ['PctMaxW', 'PctWAvail'] },
  { requirement: 'R04.FR.54', types: ['WattPF'], units: ['Not_Applicable'] },
  { requirement: 'R04.FR.55', types: ['WattVar'], units: ['PctMaxVar', 'PctVarAvail'] },
];

const curveUnitRules: Rule[] = CURVE_UNITS.map(({ requirement, types, units }) => ({
  requirement,
  check: (p) => {
    if (!types.includes(p.controlType) || !p.curve) return undefined;
    const unit = p.curve.yUnit;
    return units.includes(unit) ? undefined : `A ${p.controlType} curve's yUnit must be ${units.join(' or ')} (it is ${unit})`;
  },
}));

const setDERControl: Rule[] = [
  {
    requirement: 'R04.FR.17',
    check: (p) => {
      const present = fieldsPresent(p);
      return present.length > 1 ? `Send one setting, not ${present.length} (${present.join(', ')})` : undefined;
    },
  },
  {
    requirement: 'R04.FR.16',
    check: (p) => {
      const field = SETTING_FIELD[p.controlType as DerControlType];
      return p[field] === undefined ? `A ${p.controlType} control carries its setting in ${field}` : undefined;
    },
  },
  {
    requirement: 'R04.FR.15',
    check: (p) =>
      !p.isDefault && (p.controlType === 'EnterService' || p.controlType === 'Gradients')
        ? `${p.controlType} exists only as a default control: isDefault must be true`
        : undefined,
  },
  {
    requirement: 'R04.FR.13',
    check: (p) => {
      const s = setting(p);
      if (!p.isDefault || !s) return undefined;
      return s.startTime !== undefined || s.duration !== undefined ? 'A default control has no startTime or duration: those make a scheduled one (isDefault false)' : undefined;
    },
  },
  {
    // DERCurveType.startTime / duration: "Only absent when default is true".
    requirement: 'R04 DERCurveType.startTime/duration',
    check: (p) => {
      if (p.isDefault || !p.curve) return undefined;
      return p.curve.startTime === undefined || p.curve.duration === undefined ? 'A scheduled curve (isDefault false) needs its startTime and duration' : undefined;
    },
  },
  ...curveUnitRules,
  {
    requirement: 'R04.FR.56',
    check: (p) => {
      const trip = p.limitMaxDischarge?.powerMonitoringMustTrip as Payload | undefined;
      if (!trip || trip.yUnit === 'Not_Applicable') return undefined;
      return `limitMaxDischarge.powerMonitoringMustTrip is a trip curve: its yUnit must be Not_Applicable (it is ${trip.yUnit})`;
    },
  },
];

/** The 2.1-only rules, by action. */
export const DER_RULES_21: Record<string, Rule[]> = { SetDERControl: setDERControl };
