// A charger's configuration as this CSMS last learnt it: 1.6 configuration keys and the 2.0.1 device model.
//
// Both versions are kept in one shape. A 1.6 key is a variable with no component; a 2.0.1
// variable is named by its component (name, instance, EVSE, connector), its own name and
// instance, and the attribute type (Actual, Target, MinSet, MaxSet).

import { keptValue, type WriteOnlyLookup } from './secrets';
import type * as V16 from './v16/schemas.generated';
import type * as V201 from './v201/schemas.generated';

export interface Setting {
  component: string;
  componentInstance: string;
  evseId: number | null;
  connectorId: number | null;
  variable: string;
  variableInstance: string;
  attributeType: string;
  value: string | null;
  /** 1.6 readonly → 'ReadOnly'; 2.0.1 mutability as reported. */
  mutability: string | null;
  /** 2.0.1 VariableCharacteristics, when reported: unit, dataType, limits, values list. */
  characteristics: Record<string, unknown> | null;
  /** The message it was learnt from: GetConfiguration, ChangeConfiguration, NotifyReport, GetVariables, SetVariables. */
  source: string;
  updatedAt: string;
}

type Target = Pick<Setting, 'component' | 'componentInstance' | 'evseId' | 'connectorId' | 'variable' | 'variableInstance'>;

/**
 * What a CSMS-initiated command's successful answer tells about the charger's configuration.
 * Secret values (see secrets.ts; `writeOnly` adds the variables the charger reported WriteOnly)
 * are kept redacted: the row says the value was set, and when, not what it is.
 */
export function settingsFromCommand(action: string, request: unknown, result: unknown, now: string, writeOnly?: WriteOnlyLookup): Setting[] {
  switch (action) {
    case 'GetConfiguration': {
      const res = result as V16.GetConfigurationResponse;
      return (res.configurationKey ?? []).map((k) =>
        setting(key16(k.key), 'Actual', k.value ?? null, k.readonly ? 'ReadOnly' : 'ReadWrite', null, action, now, writeOnly),
      );
    }
    case 'ChangeConfiguration': {
      const req = request as V16.ChangeConfigurationRequest;
      const res = result as V16.ChangeConfigurationResponse;
      // RebootRequired: the value is stored and takes effect after a reboot.
      if (res.status !== 'Accepted' && res.status !== 'RebootRequired') return [];
      return [setting(key16(req.key), 'Actual', req.value, null, null, action, now, writeOnly)];
    }
    case 'GetVariables': {
      const res = result as V201.GetVariablesResponse;
      return res.getVariableResult
        .filter((r) => r.attributeStatus === 'Accepted')
        .map((r) =>
          setting(target201(r.component, r.variable), r.attributeType ?? 'Actual', r.attributeValue ?? null, null, null, action, now, writeOnly),
        );
    }
    case 'SetVariables': {
      const req = request as V201.SetVariablesRequest;
      const res = result as V201.SetVariablesResponse;
      return res.setVariableResult
        .filter((r) => r.attributeStatus === 'Accepted' || r.attributeStatus === 'RebootRequired')
        .flatMap((r) => {
          const sent = req.setVariableData.find((d) => sameTarget(d, r));
          return sent
            ? [setting(target201(r.component, r.variable), r.attributeType ?? 'Actual', sent.attributeValue, null, null, action, now, writeOnly)]
            : [];
        });
    }
    default:
      return [];
  }
}

/** The variables one part of a 2.0.1 NotifyReport describes. */
export function settingsFromReport(report: V201.NotifyReportRequest, now: string): Setting[] {
  return (report.reportData ?? []).flatMap((data) =>
    data.variableAttribute.map((attribute) =>
      setting(
        target201(data.component, data.variable),
        attribute.type ?? 'Actual',
        attribute.value ?? null,
        attribute.mutability ?? null,
        data.variableCharacteristics ? (stripCustomData(data.variableCharacteristics) as Record<string, unknown>) : null,
        'NotifyReport',
        now,
      ),
    ),
  );
}

function key16(key: string): Target {
  return { component: '', componentInstance: '', evseId: null, connectorId: null, variable: key, variableInstance: '' };
}

function target201(component: V201.ComponentType, variable: V201.VariableType): Target {
  return {
    component: component.name,
    componentInstance: component.instance ?? '',
    evseId: component.evse?.id ?? null,
    connectorId: component.evse?.connectorId ?? null,
    variable: variable.name,
    variableInstance: variable.instance ?? '',
  };
}

function sameTarget(a: V201.SetVariableDataType, b: V201.SetVariableResultType): boolean {
  return (
    JSON.stringify(target201(a.component, a.variable)) === JSON.stringify(target201(b.component, b.variable)) &&
    (a.attributeType ?? 'Actual') === (b.attributeType ?? 'Actual')
  );
}

function setting(
  target: Target,
  attributeType: string,
  value: string | null,
  mutability: string | null,
  characteristics: Record<string, unknown> | null,
  source: string,
  updatedAt: string,
  writeOnly?: WriteOnlyLookup,
): Setting {
  const kept = keptValue(target.component, target.variable, value, mutability, writeOnly);
  return { ...target, attributeType, value: kept, mutability, characteristics, source, updatedAt };
}

function stripCustomData(value: object): object {
  const { customData: _ignored, ...rest } = value as { customData?: unknown };
  return rest;
}
