// OCPP 2.1: which side may send each action. 2.1 keeps every 2.0.1 action in its direction and adds
// the ones below (OCPP 2.1 Edition 1, Part 2); a unit test checks the lists against the schemas.

import * as v201 from '../v201/actions';

/** New in 2.1, sent by the charging station. */
export const NEW_CHARGER_INITIATED = [
  'BatterySwap',
  'ClosePeriodicEventStream',
  'GetCertificateChainStatus',
  'NotifyDERAlarm',
  'NotifyDERStartStop',
  'NotifyPeriodicEventStream',
  'NotifyPriorityCharging',
  'NotifySettlement',
  'OpenPeriodicEventStream',
  'PullDynamicScheduleUpdate',
  'ReportDERControl',
  'VatNumberValidation',
] as const;

/** New in 2.1, sent by the CSMS. */
export const NEW_CSMS_INITIATED = [
  'AFRRSignal',
  'AdjustPeriodicEventStream',
  'ChangeTransactionTariff',
  'ClearDERControl',
  'ClearTariffs',
  'GetDERControl',
  'GetPeriodicEventStream',
  'GetTariffs',
  'NotifyAllowedEnergyTransfer',
  'NotifyWebPaymentStarted',
  'RequestBatterySwap',
  'SetDERControl',
  'SetDefaultTariff',
  'UpdateDynamicSchedule',
  'UsePriorityCharging',
] as const;

/** Sent by the charging station. NotifyPeriodicEventStream goes with SEND and is never answered. */
export const CHARGER_INITIATED = [...v201.CHARGER_INITIATED, ...NEW_CHARGER_INITIATED].sort();

/** Sent by the CSMS, answered by the charging station. */
export const CSMS_INITIATED = [...v201.CSMS_INITIATED, ...NEW_CSMS_INITIATED].sort();
