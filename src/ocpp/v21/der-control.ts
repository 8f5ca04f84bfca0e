// OCPP 2.1 DER control (use cases R04, R05): what the CSMS learns of a charger's DER controls and alarms, as facts.
//
// The inventory is built from three sources, in the order they happen: the charger's answers to
// the CSMS's SetDERControl / ClearDERControl / GetDERControl (commandEffects), the ReportDERControl
// parts that answer a GetDERControl (the charger's truth for what was asked), and its
// NotifyDERStartStop / NotifyDERAlarm. Each becomes a DerChange; store/der-controls.ts applies them.

import { normaliseTimestamp } from '../handlers';
import { redactSecrets } from '../secrets';
import type * as V21 from './schemas.generated';

export type DerControlType = V21.DERControlEnumType;

/** The SetDERControlRequest field that carries each type's setting (R04.FR.16). */
export const SETTING_FIELD: Readonly<Record<DerControlType, SettingField>> = {
  EnterService: 'enterService',
  FreqDroop: 'freqDroop',
  FreqWatt: 'curve',
  FixedPFAbsorb: 'fixedPFAbsorb',
  FixedPFInject: 'fixedPFInject',
  FixedVar: 'fixedVar',
  Gradients: 'gradient',
  HFMustTrip: 'curve',
  HFMayTrip: 'curve',
  HVMustTrip: 'curve',
  HVMomCess: 'curve',
  HVMayTrip: 'curve',
  LimitMaxDischarge: 'limitMaxDischarge',
  LFMustTrip: 'curve',
  LVMustTrip: 'curve',
  LVMomCess: 'curve',
  LVMayTrip: 'curve',
  PowerMonitoringMustTrip: 'curve',
  VoltVar: 'curve',
  VoltWatt: 'curve',
  WattPF: 'curve',
  WattVar: 'curve',
};

export type SettingField = 'curve' | 'enterService' | 'fixedPFAbsorb' | 'fixedPFInject' | 'fixedVar' | 'freqDroop' | 'gradient' | 'limitMaxDischarge';

/** Every setting field, in the order SetDERControlRequest lists them. */
export const SETTING_FIELDS: readonly SettingField[] = ['curve', 'enterService', 'fixedPFAbsorb', 'fixedPFInject', 'fixedVar', 'freqDroop', 'gradient', 'limitMaxDischarge'];

/** One DER control as the CSMS knows it. */
export interface DerControl {
  controlId: string;
  controlType: DerControlType;
  isDefault: boolean;
  isSuperseded: boolean;
  /** 0 is the highest. */
  priority: number;
  /** A scheduled control's window; null for a default one (and for types without one). */
  startTime: string | null;
  /** Seconds. */
  duration: number | null;
  /** The setting as OCPP carried it, under its field: `{"curve": {...}}`, `{"fixedVar": {...}}`. */
  setting: Partial<Record<SettingField, Record<string, unknown>>>;
}

export type DerChange =
  /** SetDERControl answered Accepted: the control is installed; `supersededIds` (the answer's) are superseded, itself included when named. */
  | { op: 'set'; control: DerControl; supersededIds: string[]; at: string }
  /**
   * Controls gone: ClearDERControl answered Accepted (by id, else by isDefault and type), or a
   * GetDERControl answered NotFound (there are none of what it asked for). Absent criteria match all.
   */
  | { op: 'clear'; isDefault?: boolean; controlType?: DerControlType; controlId?: string; at: string }
  /** GetDERControl answered Accepted: what its ReportDERControl parts (requestId) will be the whole truth about. */
  | { op: 'requested'; requestId: number; isDefault?: boolean; controlType?: DerControlType; controlId?: string; at: string }
  /** One ReportDERControl part; `final` on the one without tbc, which ends the report. */
  | { op: 'reported'; requestId: number; controls: DerControl[]; final: boolean; at: string }
  /** NotifyDERStartStop: a control started or stopped at `timestamp`; starting, it superseded `supersededIds`. */
  | { op: 'startStop'; controlId: string; started: boolean; timestamp: string; supersededIds: string[]; at: string }
  /** NotifyDERAlarm: an alarm began, or (alarmEnded) the open one of its type ended, at `timestamp`. */
  | {
      op: 'alarm';
      controlType: DerControlType;
      gridEventFault: string | null;
      alarmEnded: boolean;
      timestamp: string;
      extraInfo: string | null;
      at: string;
    };

/** Timestamps are kept as UTC ISO strings (normaliseTimestamp), so that SQL compares them as text. */
type Setting = { priority: number; startTime?: string; duration?: number };

/** The control a SetDERControlRequest describes, or undefined when it carries no setting for its type. */
export function controlFromSet(req: V21.SetDERControlRequest): DerControl | undefined {
  const field = SETTING_FIELD[req.controlType];
  const setting = req[field] as Setting | undefined;
  if (!setting) return undefined;
  return control(req.controlId, req.controlType, req.isDefault, false, field, setting);
}

function control(
  controlId: string,
  controlType: DerControlType,
  isDefault: boolean,
  isSuperseded: boolean,
  field: SettingField,
  setting: Setting,
): DerControl {
  return {
    controlId,
    controlType,
    isDefault,
    isSuperseded,
    priority: setting.priority,
    startTime: normaliseTimestamp(setting.startTime) ?? null,
    duration: setting.duration ?? null,
    // DER settings hold numbers and enums; customData is vendor-defined, so it goes through the same redaction as any kept payload.
    setting: { [field]: redactSecrets(setting as unknown as Record<string, unknown>) },
  };
}

/** What a DER command's answer changes in the inventory. */
export function derChangesFromCommand(action: string, request: unknown, result: unknown, at: string): DerChange[] {
  const status = (result as { status?: string }).status;
  switch (action) {
    case 'SetDERControl': {
      if (status !== 'Accepted') return [];
      const c = controlFromSet(request as V21.SetDERControlRequest);
      if (!c) return [];
      return [{ op: 'set', control: c, supersededIds: (result as V21.SetDERControlResponse).supersededIds ?? [], at }];
    }
    case 'ClearDERControl': {
      if (status !== 'Accepted') return [];
      const req = request as V21.ClearDERControlRequest;
      // The controlType is "not used when controlId is provided": the id alone names the control, and
      // the charger found it (Accepted), whatever the CSMS believed of its isDefault.
      if (req.controlId !== undefined) return [{ op: 'clear', controlId: req.controlId, at }];
      return [{ op: 'clear', isDefault: req.isDefault, ...(req.controlType ? { controlType: req.controlType } : {}), at }];
    }
    case 'GetDERControl': {
      const req = request as V21.GetDERControlRequest;
      const criteria = {
        ...(req.isDefault === undefined ? {} : { isDefault: req.isDefault }),
        ...(req.controlId !== undefined ? { controlId: req.controlId } : req.controlType ? { controlType: req.controlType } : {}),
      };
      if (status === 'Accepted') return [{ op: 'requested', requestId: req.requestId, ...criteria, at }];
      // NotFound: the charger has no control matching what was asked.
      if (status === 'NotFound') return [{ op: 'clear', ...criteria, at }];
      return [];
    }
    default:
      return [];
  }
}

/** The controls one ReportDERControl part lists, of every type, as the charger describes them. */
export function controlsFromReport(req: V21.ReportDERControlRequest): DerControl[] {
  const out: DerControl[] = [];
  for (const c of req.curve ?? []) out.push(control(c.id, c.curveType, c.isDefault, c.isSuperseded, 'curve', c.curve));
  // EnterService and Gradients exist only as defaults (R04.FR.15): their Get types carry no flags.
  for (const c of req.enterService ?? []) out.push(control(c.id, 'EnterService', true, false, 'enterService', c.enterService));
  for (const c of req.gradient ?? []) out.push(control(c.id, 'Gradients', true, false, 'gradient', c.gradient));
  for (const c of req.fixedPFAbsorb ?? []) out.push(control(c.id, 'FixedPFAbsorb', c.isDefault, c.isSuperseded, 'fixedPFAbsorb', c.fixedPF));
  for (const c of req.fixedPFInject ?? []) out.push(control(c.id, 'FixedPFInject', c.isDefault, c.isSuperseded, 'fixedPFInject', c.fixedPF));
  for (const c of req.fixedVar ?? []) out.push(control(c.id, 'FixedVar', c.isDefault, c.isSuperseded, 'fixedVar', c.fixedVar));
  for (const c of req.freqDroop ?? []) out.push(control(c.id, 'FreqDroop', c.isDefault, c.isSuperseded, 'freqDroop', c.freqDroop));
  for (const c of req.limitMaxDischarge ?? []) {
    out.push(control(c.id, 'LimitMaxDischarge', c.isDefault, c.isSuperseded, 'limitMaxDischarge', c.limitMaxDischarge));
  }
  return out;
}

export function changeFromReport(req: V21.ReportDERControlRequest, at: string): DerChange {
  return { op: 'reported', requestId: req.requestId, controls: controlsFromReport(req), final: req.tbc !== true, at };
}

export function changeFromStartStop(req: V21.NotifyDERStartStopRequest, at: string): DerChange {
  return { op: 'startStop', controlId: req.controlId, started: req.started, timestamp: normaliseTimestamp(req.timestamp)!, supersededIds: req.supersededIds ?? [], at };
}

export function changeFromAlarm(req: V21.NotifyDERAlarmRequest, at: string): DerChange {
  return {
    op: 'alarm',
    controlType: req.controlType,
    gridEventFault: req.gridEventFault ?? null,
    alarmEnded: req.alarmEnded === true,
    timestamp: normaliseTimestamp(req.timestamp)!,
    extraInfo: req.extraInfo ?? null,
    at,
  };
}
