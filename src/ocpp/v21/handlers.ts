// OCPP 2.1 handlers: the 2.0.1 handlers for the actions 2.1 keeps (their messages only gained optional
// fields), and the ones only 2.1 has, by action name. An action with no handler here is answered
// NotSupported.

import type { HandlerTable } from '../handlers';
import { handlers as v201Handlers } from '../v201/handlers';
import { certificateChainHandlers } from './certificate-chain';
import { derHandlers } from './der-handlers';
import { eventStreamHandlers } from './event-stream-handlers';
import { gridHandlers } from './grid-handlers';
import { paymentHandlers } from './payments';
import { v2xHandlers } from './v2x';

export const handlers: HandlerTable = {
  ...v201Handlers,
  // DER control: ReportDERControl, NotifyDERAlarm, NotifyDERStartStop.
  ...derHandlers,
  // Tariffs and payment: NotifySettlement, VatNumberValidation.
  ...paymentHandlers,
  // Periodic event streams: Open/ClosePeriodicEventStream, NotifyPeriodicEventStream (SEND).
  ...eventStreamHandlers,
  // Dynamic schedules, priority charging, battery swap.
  ...gridHandlers,
  // Certificate chain status (M-section).
  ...certificateChainHandlers,
  // Bidirectional charging: 2.1's NotifyEVChargingNeeds carries V2X parameters, kept with the transaction.
  ...v2xHandlers,
};
