// Answers to every command a CSMS may send, per OCPP version: sessions start and stop, Reset
// reconnects and boots, TriggerMessage sends what was asked, configuration is read and changed;
// anything else gets a minimal schema-valid answer built from the official schema. A 2.1 charger
// answers as a 2.0.1 one does (2.1 keeps those messages' shapes).

import rpc from 'ocpp-rpc';
import { changeConfiguration, getConfiguration, getVariables, reportData, setVariables } from './device-config.mjs';
import { ProfileError } from './profiles.mjs';
import { minimalPayload } from './schemas.mjs';
import { clearChargingProfile, remoteStartProfile, setChargingProfile } from './smart-charging.mjs';

const { createRPCError } = rpc;

const CSMS_INITIATED_201 = [
  'CancelReservation', 'CertificateSigned', 'ChangeAvailability', 'ClearCache', 'ClearChargingProfile', 'ClearDisplayMessage',
  'ClearVariableMonitoring', 'CostUpdated', 'CustomerInformation', 'DataTransfer', 'DeleteCertificate', 'GetBaseReport',
  'GetChargingProfiles', 'GetCompositeSchedule', 'GetDisplayMessages', 'GetInstalledCertificateIds', 'GetLocalListVersion',
  'GetLog', 'GetMonitoringReport', 'GetReport', 'GetTransactionStatus', 'GetVariables', 'InstallCertificate', 'PublishFirmware',
  'RequestStartTransaction', 'RequestStopTransaction', 'ReserveNow', 'Reset', 'SendLocalList', 'SetChargingProfile',
  'SetDisplayMessage', 'SetMonitoringBase', 'SetMonitoringLevel', 'SetNetworkProfile', 'SetVariableMonitoring', 'SetVariables',
  'TriggerMessage', 'UnlockConnector', 'UnpublishFirmware', 'UpdateFirmware',
];

/**
 * The actions each version lets the CSMS send (src/ocpp/v16/actions.ts, src/ocpp/v201/actions.ts,
 * src/ocpp/v21/actions.ts): 2.1 keeps every 2.0.1 one and adds its own, which get minimal answers.
 */
export const CSMS_INITIATED = {
  'ocpp1.6': [
    'CancelReservation', 'ChangeAvailability', 'ChangeConfiguration', 'ClearCache', 'ClearChargingProfile', 'DataTransfer',
    'GetCompositeSchedule', 'GetConfiguration', 'GetDiagnostics', 'GetLocalListVersion', 'RemoteStartTransaction',
    'RemoteStopTransaction', 'ReserveNow', 'Reset', 'SendLocalList', 'SetChargingProfile', 'TriggerMessage', 'UnlockConnector',
    'UpdateFirmware', 'CertificateSigned', 'DeleteCertificate', 'ExtendedTriggerMessage', 'GetInstalledCertificateIds', 'GetLog',
    'InstallCertificate', 'SignedUpdateFirmware',
  ],
  'ocpp2.0.1': CSMS_INITIATED_201,
  'ocpp2.1': [
    ...CSMS_INITIATED_201,
    'AFRRSignal', 'AdjustPeriodicEventStream', 'ChangeTransactionTariff', 'ClearDERControl', 'ClearTariffs', 'GetDERControl',
    'GetPeriodicEventStream', 'GetTariffs', 'NotifyAllowedEnergyTransfer', 'NotifyWebPaymentStarted', 'RequestBatterySwap',
    'SetDERControl', 'SetDefaultTariff', 'UpdateDynamicSchedule', 'UsePriorityCharging',
  ].sort(),
};

/** Resolves once the answer to `messageId` has been written to the socket. */
function afterReply(client, messageId) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('response', onResponse);
      reject(new Error(`no answer to ${messageId} went out`));
    }, 10_000);
    const onResponse = ({ outbound, payload }) => {
      if (!outbound || payload[1] !== messageId) return;
      clearTimeout(timer);
      client.off('response', onResponse);
      setImmediate(resolve); // 'response' comes just before the frame is written
    };
    client.on('response', onResponse);
  });
}

export function registerCommandHandlers(charger, client) {
  const version = charger.protocol;
  const answers = charger.v16 ? answers16(charger) : answers201(charger);
  for (const action of CSMS_INITIATED[version]) {
    client.handle(action, ({ params, messageId }) => {
      const reply = answers[action]?.(params ?? {}, client, messageId) ?? { result: minimalPayload(version, action) };
      charger.stats.commandAnswered(action);
      if (reply.then) charger.track(afterReply(client, messageId).then(reply.then));
      return reply.result;
    });
  }
  client.handle(({ method }) => {
    throw createRPCError('NotImplemented', `${method} is not an action the CSMS sends in ${version}`);
  });
}

const now = () => new Date().toISOString();

/** A remote start's session: automatic sessions' length, or open-ended for a fleet a test drives. */
function remotePlan(charger, idToken, extra = {}) {
  return { idToken, lengthMs: charger.manual ? Infinity : charger.sessionLengthMs(), remote: true, ...(charger.manual ? { curve: false } : {}), ...extra };
}

/** The remote start's TxProfile read, or undefined when it is refused (so is the start). */
function startProfile(charger, raw) {
  try {
    return remoteStartProfile(charger, raw);
  } catch (error) {
    if (error instanceof ProfileError) return undefined;
    throw error;
  }
}

/** Changing availability: at once when the connector is free, after the session otherwise. */
function changeAvailability(charger, operative, statuses) {
  if (charger.session) {
    if (operative === charger.available) {
      charger.pendingAvailability = undefined;
      return { result: { status: 'Accepted' } };
    }
    charger.pendingAvailability = operative ? 'Operative' : 'Inoperative';
    return { result: { status: 'Scheduled' } };
  }
  charger.available = operative;
  return { result: { status: 'Accepted' }, then: () => statuses() };
}

function answers16(charger) {
  const call = (action, params) => charger.call(action, params);
  const triggered = {
    BootNotification: () => call('BootNotification', charger.bootParams()),
    Heartbeat: () => call('Heartbeat', {}),
    // No connectorId: every connector, the charge point (0) included.
    StatusNotification: async (connectorId) => {
      if (connectorId !== 1) await call('StatusNotification', charger.statusParams(charger.idleStatus(), 0));
      if (connectorId === 0) return;
      const session = charger.session;
      await call('StatusNotification', charger.statusParams(session ? (session.charging ? 'Charging' : 'Preparing') : charger.idleStatus()));
    },
    MeterValues: () => {
      charger.session?.retarget();
      charger.meter.advance();
      const txId = charger.session?.charging ? charger.session.txId : undefined;
      return call('MeterValues', { connectorId: 1, ...(txId !== undefined ? { transactionId: txId } : {}), meterValue: [charger.meter.meterValue16('Trigger')] });
    },
    DiagnosticsStatusNotification: () => call('DiagnosticsStatusNotification', { status: 'Idle' }),
    FirmwareStatusNotification: () => call('FirmwareStatusNotification', { status: 'Idle' }),
    LogStatusNotification: () => call('LogStatusNotification', { status: 'Idle' }),
  };
  const trigger = ({ requestedMessage, connectorId }) => {
    if (connectorId !== undefined && connectorId !== 0 && connectorId !== 1) return { result: { status: 'Rejected' } };
    const send = triggered[requestedMessage];
    if (!send) return { result: { status: 'NotImplemented' } };
    // Not booted yet (Pending): boot again now rather than after the interval.
    if (requestedMessage === 'BootNotification' && !charger.online) return { result: { status: 'Accepted' }, then: () => charger.wake() };
    return { result: { status: 'Accepted' }, then: () => send(connectorId) };
  };
  return {
    RemoteStartTransaction: ({ connectorId, idTag, chargingProfile }, client, messageId) => {
      const profile = startProfile(charger, chargingProfile);
      if ((connectorId !== undefined && connectorId !== 1) || charger.session || !charger.available || !charger.online || profile === undefined) {
        return { result: { status: 'Rejected' } };
      }
      const plan = remotePlan(charger, { idToken: idTag, type: 'ISO14443' }, profile ? { chargingProfile: profile } : {});
      charger.startSession(plan, afterReply(client, messageId));
      return { result: { status: 'Accepted' } };
    },
    RemoteStopTransaction: ({ transactionId }) => {
      const session = charger.session;
      if (!session?.charging || session.txId !== transactionId) return { result: { status: 'Rejected' } };
      return { result: { status: 'Accepted' }, then: () => session.requestStop('remote') };
    },
    Reset: ({ type }) => ({ result: { status: 'Accepted' }, then: () => charger.reset(type) }),
    TriggerMessage: trigger,
    ExtendedTriggerMessage: trigger,
    GetConfiguration: (params) => ({ result: getConfiguration(charger.config, params) }),
    ChangeConfiguration: (params) => ({ result: changeConfiguration(charger.config, params) }),
    ChangeAvailability: ({ connectorId, type }) => {
      if (connectorId !== 0 && connectorId !== 1) return { result: { status: 'Rejected' } };
      return changeAvailability(charger, type === 'Operative', async () => {
        if (connectorId === 0) await call('StatusNotification', charger.statusParams(charger.idleStatus(), 0));
        await call('StatusNotification', charger.statusParams(charger.idleStatus()));
      });
    },
    UnlockConnector: ({ connectorId }) => {
      if (connectorId !== 1) return { result: { status: 'NotSupported' } };
      const session = charger.session;
      // 1.6: unlocking a connector in use ends its transaction first.
      return { result: { status: 'Unlocked' }, ...(session ? { then: () => session.requestStop('unlock') } : {}) };
    },
    GetLocalListVersion: () => ({ result: { listVersion: charger.localListVersion } }),
    SendLocalList: ({ listVersion }) => {
      charger.localListVersion = listVersion;
      return { result: { status: 'Accepted' } };
    },
    SetChargingProfile: ({ connectorId, csChargingProfiles }) => setChargingProfile(charger, connectorId, csChargingProfiles),
    ClearChargingProfile: ({ id, connectorId, chargingProfilePurpose, stackLevel }) =>
      clearChargingProfile(charger, id !== undefined ? { id } : { evseId: connectorId, purpose: chargingProfilePurpose, stackLevel }),
    GetCompositeSchedule: () => ({ result: { status: 'Rejected' } }), // the simulator keeps no schedule
    DataTransfer: () => ({ result: { status: 'UnknownVendorId' } }),
    GetInstalledCertificateIds: () => ({ result: { status: 'NotFound' } }),
    DeleteCertificate: () => ({ result: { status: 'NotFound' } }),
  };
}

/** 2.0.1 answers, which 2.1 chargers give too. */
function answers201(charger) {
  const call = (action, params) => charger.call(action, params);
  const triggered = {
    Heartbeat: () => call('Heartbeat', {}),
    StatusNotification: () =>
      call('StatusNotification', charger.statusParams(charger.session ? 'Occupied' : charger.idleStatus())),
    MeterValues: () => {
      charger.session?.retarget();
      charger.meter.advance();
      return call('MeterValues', { evseId: 1, meterValue: [charger.meter.meterValue201('Trigger')] });
    },
    TransactionEvent: () => charger.session?.sendReading('Trigger'),
    FirmwareStatusNotification: () => call('FirmwareStatusNotification', { status: 'Idle' }),
    LogStatusNotification: () => call('LogStatusNotification', { status: 'Idle' }),
    PublishFirmwareStatusNotification: () => call('PublishFirmwareStatusNotification', { status: 'Idle' }),
  };
  const report = (requestId, componentVariable) => () =>
    call('NotifyReport', { requestId, generatedAt: now(), seqNo: 0, tbc: false, reportData: reportData(charger.config, componentVariable) });
  return {
    RequestStartTransaction: ({ evseId, remoteStartId, idToken, chargingProfile }, client, messageId) => {
      const profile = startProfile(charger, chargingProfile);
      if ((evseId !== undefined && evseId !== 1) || charger.session || !charger.available || !charger.online || profile === undefined) {
        return { result: { status: 'Rejected' } };
      }
      charger.startSession(remotePlan(charger, idToken, { remoteStartId, ...(profile ? { chargingProfile: profile } : {}) }), afterReply(client, messageId));
      return { result: { status: 'Accepted' } };
    },
    RequestStopTransaction: ({ transactionId }) => {
      const session = charger.session;
      if (!session?.charging || session.txId !== transactionId) return { result: { status: 'Rejected' } };
      return { result: { status: 'Accepted' }, then: () => session.requestStop('remote') };
    },
    Reset: ({ type, evseId }) => {
      if (evseId !== undefined) return { result: { status: 'Rejected' } }; // only the whole station resets
      if (type === 'OnIdle' && charger.session) {
        charger.pendingReset = type;
        return { result: { status: 'Scheduled' } };
      }
      return { result: { status: 'Accepted' }, then: () => charger.reset(type) };
    },
    TriggerMessage: ({ requestedMessage, evse }) => {
      if (evse && (evse.id !== 1 || (evse.connectorId ?? 1) !== 1)) return { result: { status: 'Rejected' } };
      // Pending: boot again now. Already Accepted: a triggered BootNotification is refused (F06.FR.17).
      if (requestedMessage === 'BootNotification') {
        return charger.online ? { result: { status: 'Rejected' } } : { result: { status: 'Accepted' }, then: () => charger.wake() };
      }
      if (requestedMessage === 'TransactionEvent' && !charger.session?.charging) return { result: { status: 'Rejected' } };
      const send = triggered[requestedMessage];
      if (!send) return { result: { status: 'NotImplemented' } };
      return { result: { status: 'Accepted' }, then: send };
    },
    GetVariables: (params) => ({ result: getVariables(charger.config, params) }),
    SetVariables: (params) => ({ result: setVariables(charger.config, params) }),
    GetBaseReport: ({ requestId }) => ({ result: { status: 'Accepted' }, then: report(requestId) }),
    GetReport: ({ requestId, componentVariable }) =>
      reportData(charger.config, componentVariable).length === 0
        ? { result: { status: 'EmptyResultSet' } }
        : { result: { status: 'Accepted' }, then: report(requestId, componentVariable) },
    ChangeAvailability: ({ operationalStatus, evse }) => {
      if (evse && (evse.id !== 1 || (evse.connectorId ?? 1) !== 1)) return { result: { status: 'Rejected' } };
      return changeAvailability(charger, operationalStatus === 'Operative', () =>
        call('StatusNotification', charger.statusParams(charger.idleStatus())));
    },
    UnlockConnector: ({ evseId, connectorId }) => {
      if (evseId !== 1 || connectorId !== 1) return { result: { status: 'UnknownConnector' } };
      return { result: { status: charger.session ? 'OngoingAuthorizedTransaction' : 'Unlocked' } };
    },
    GetLocalListVersion: () => ({ result: { versionNumber: charger.localListVersion } }),
    SendLocalList: ({ versionNumber }) => {
      charger.localListVersion = versionNumber;
      return { result: { status: 'Accepted' } };
    },
    SetChargingProfile: ({ evseId, chargingProfile }) => setChargingProfile(charger, evseId, chargingProfile),
    ClearChargingProfile: ({ chargingProfileId, chargingProfileCriteria: c }) =>
      clearChargingProfile(charger, chargingProfileId !== undefined ? { id: chargingProfileId } : { evseId: c?.evseId, purpose: c?.chargingProfilePurpose, stackLevel: c?.stackLevel }),
    GetCompositeSchedule: () => ({ result: { status: 'Rejected' } }), // the simulator keeps no schedule
    GetChargingProfiles: () => ({ result: { status: 'NoProfiles' } }),
    GetTransactionStatus: ({ transactionId }) => ({
      result: {
        messagesInQueue: false,
        ...(transactionId !== undefined ? { ongoingIndicator: charger.session?.txId === transactionId } : {}),
      },
    }),
    CustomerInformation: ({ requestId }) => ({
      result: { status: 'Accepted' },
      then: () => call('NotifyCustomerInformation', { data: 'No customer data is held', seqNo: 0, generatedAt: now(), requestId, tbc: false }),
    }),
    GetMonitoringReport: () => ({ result: { status: 'EmptyResultSet' } }),
    SetVariableMonitoring: ({ setMonitoringData }) => ({
      result: {
        setMonitoringResult: setMonitoringData.map(({ type, severity, component, variable }) => ({
          status: 'Rejected', type, severity, component, variable,
        })),
      },
    }),
    ClearVariableMonitoring: ({ id }) => ({ result: { clearMonitoringResult: id.map((monitorId) => ({ status: 'NotFound', id: monitorId })) } }),
    GetDisplayMessages: () => ({ result: { status: 'Unknown' } }),
    UnpublishFirmware: () => ({ result: { status: 'NoFirmware' } }),
    DataTransfer: () => ({ result: { status: 'UnknownVendorId' } }),
    GetInstalledCertificateIds: () => ({ result: { status: 'NotFound' } }),
    DeleteCertificate: () => ({ result: { status: 'NotFound' } }),
  };
}
