// A virtual charger's configuration: a few plausible settings, seen as 1.6 configuration keys
// and as 2.0.1 device-model variables, with the commands that read and change them.

const FEATURES = 'Core,FirmwareManagement,LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger';
const MEASURANDS = 'Energy.Active.Import.Register,Power.Active.Import,Current.Import';

/** Settings of one charger; `apply` (optional) makes a change take effect and may refuse it. */
export function deviceConfig(charger) {
  const integer = (apply) => (value) => (/^\d{1,9}$/.test(value) ? apply(Number(value)) : false);
  const boolean = (value) => value === 'true' || value === 'false';
  const entries = [
    { key: 'HeartbeatInterval', component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval', dataType: 'integer',
      value: () => String(charger.heartbeatS), apply: integer((n) => charger.setHeartbeatInterval(n)) },
    { key: 'MeterValueSampleInterval', component: 'SampledDataCtrlr', variable: 'TxUpdatedInterval', dataType: 'integer',
      value: () => String(charger.meterIntervalS), apply: integer((n) => n > 0 && charger.setMeterInterval(n)) },
    { key: 'MeterValuesSampledData', component: 'SampledDataCtrlr', variable: 'TxUpdatedMeasurands', dataType: 'MemberList', value: MEASURANDS },
    { key: 'StopTxnSampledData', component: 'SampledDataCtrlr', variable: 'TxEndedMeasurands', dataType: 'MemberList', value: 'Energy.Active.Import.Register' },
    { key: 'NumberOfConnectors', readonly: true, value: '1', dataType: 'integer' },
    { key: 'AuthorizeRemoteTxRequests', component: 'AuthCtrlr', variable: 'AuthorizeRemoteStart', dataType: 'boolean', value: 'false', apply: boolean },
    { key: 'LocalPreAuthorize', component: 'AuthCtrlr', variable: 'LocalPreAuthorize', dataType: 'boolean', value: 'false', apply: boolean },
    { key: 'ConnectionTimeOut', component: 'TxCtrlr', variable: 'EVConnectionTimeOut', dataType: 'integer', value: '60', apply: integer(() => true) },
    { key: 'StopTransactionOnEVSideDisconnect', component: 'TxCtrlr', variable: 'StopTxOnEVSideDisconnect', dataType: 'boolean', value: 'true', readonly: true },
    { key: 'LocalAuthListEnabled', component: 'LocalAuthListCtrlr', variable: 'Enabled', dataType: 'boolean', value: 'true', apply: boolean },
    { key: 'SupportedFeatureProfiles', readonly: true, dataType: 'MemberList', value: FEATURES },
    { key: 'SecurityProfile', component: 'SecurityCtrlr', variable: 'SecurityProfile', dataType: 'integer', readonly: true,
      value: () => (charger.password === undefined ? '0' : '1') },
    // Write-only: a new Basic-auth password, used from the next connection on. 1.6 sends it hex-encoded.
    { key: 'AuthorizationKey', component: 'SecurityCtrlr', variable: 'BasicAuthPassword', dataType: 'string', writeOnly: true,
      apply: (value, version) => {
        const password = version === 'ocpp1.6' && /^([0-9a-fA-F]{2})+$/.test(value) ? Buffer.from(value, 'hex').toString('utf8') : value;
        if (!/^[!-~]{16,40}$/.test(password)) return false;
        charger.password = password;
        return true;
      } },
    { component: 'ChargingStation', variable: 'Model', dataType: 'string', readonly: true, value: () => charger.kind.model },
    { component: 'ChargingStation', variable: 'VendorName', dataType: 'string', readonly: true, value: 'OCPP Simulator' },
  ];
  for (const e of entries) if (typeof e.value === 'string') { const v = e.value; e.value = () => v; }
  return entries;
}

function setValue(entry, value, version) {
  if (entry.readonly) return 'Rejected';
  const ok = entry.apply ? entry.apply(value, version) : true;
  if (ok === false) return 'Rejected';
  if (!entry.writeOnly) entry.value = () => value;
  return 'Accepted';
}

// ---- OCPP 1.6 ----

export function getConfiguration(config, params) {
  const known = config.filter((e) => e.key && !e.writeOnly);
  const wanted = params.key?.length ? params.key : known.map((e) => e.key);
  const configurationKey = [];
  const unknownKey = [];
  for (const key of wanted) {
    const entry = known.find((e) => e.key === key);
    if (entry) configurationKey.push({ key, readonly: Boolean(entry.readonly), value: entry.value().slice(0, 500) });
    else unknownKey.push(key.slice(0, 50));
  }
  return { configurationKey, ...(unknownKey.length ? { unknownKey } : {}) };
}

export function changeConfiguration(config, params) {
  const entry = config.find((e) => e.key === params.key);
  if (!entry) return { status: 'NotSupported' };
  return { status: setValue(entry, params.value, 'ocpp1.6') };
}

// ---- OCPP 2.0.1 ----

function lookup(config, component, variable) {
  const inComponent = config.filter((e) => e.component === component.name);
  if (inComponent.length === 0) return { status: 'UnknownComponent' };
  const entry = inComponent.find((e) => e.variable === variable.name);
  return entry ? { entry } : { status: 'UnknownVariable' };
}

export function getVariables(config, params) {
  return {
    getVariableResult: params.getVariableData.map(({ component, variable, attributeType }) => {
      const base = { component, variable, ...(attributeType ? { attributeType } : {}) };
      const { entry, status } = lookup(config, component, variable);
      if (!entry) return { ...base, attributeStatus: status };
      if ((attributeType ?? 'Actual') !== 'Actual') return { ...base, attributeStatus: 'NotSupportedAttributeType' };
      if (entry.writeOnly) return { ...base, attributeStatus: 'Rejected' };
      return { ...base, attributeStatus: 'Accepted', attributeValue: entry.value().slice(0, 2500) };
    }),
  };
}

export function setVariables(config, params) {
  return {
    setVariableResult: params.setVariableData.map(({ component, variable, attributeType, attributeValue }) => {
      const base = { component, variable, ...(attributeType ? { attributeType } : {}) };
      const { entry, status } = lookup(config, component, variable);
      if (!entry) return { ...base, attributeStatus: status };
      if ((attributeType ?? 'Actual') !== 'Actual') return { ...base, attributeStatus: 'NotSupportedAttributeType' };
      return { ...base, attributeStatus: setValue(entry, attributeValue, 'ocpp2.0.1') };
    }),
  };
}

/** The device model as NotifyReport reportData, optionally only the components / variables asked for. */
export function reportData(config, componentVariable) {
  return config
    .filter((e) => e.component)
    .filter((e) => !componentVariable?.length || componentVariable.some((cv) =>
      cv.component.name === e.component && (!cv.variable || cv.variable.name === e.variable)))
    .map((e) => ({
      component: { name: e.component },
      variable: { name: e.variable },
      variableAttribute: [{
        type: 'Actual',
        ...(e.writeOnly ? {} : { value: e.value().slice(0, 2500) }),
        mutability: e.readonly ? 'ReadOnly' : e.writeOnly ? 'WriteOnly' : 'ReadWrite',
      }],
      variableCharacteristics: { dataType: e.dataType, supportsMonitoring: false },
    }));
}
