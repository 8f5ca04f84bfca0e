// The bench's charger traffic: each simulated charger boots, then repeats a charging session in
// a closed loop. Most of a real charger's messages are meter values during a session.

/** MeterValues (1.6) or TransactionEvent Updated (2.0.1) messages per session. */
export const METER_MESSAGES_PER_SESSION = 10;
export const BENCH_ID_TAG = 'BENCH-TAG';

const iso = () => new Date().toISOString();

function sampled16(wh) {
  return [
    { value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
    { value: '11000', measurand: 'Power.Active.Import', unit: 'W' },
    { value: '16', measurand: 'Current.Import', unit: 'A', phase: 'L1' },
    { value: '230', measurand: 'Voltage', unit: 'V', phase: 'L1-N' },
  ];
}

function sampled201(wh, context) {
  return [
    { value: wh, context, measurand: 'Energy.Active.Import.Register' },
    { value: 11000, context, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W' } },
    { value: 16, context, measurand: 'Current.Import', phase: 'L1', unitOfMeasure: { unit: 'A' } },
    { value: 230, context, measurand: 'Voltage', phase: 'L1-N', unitOfMeasure: { unit: 'V' } },
  ];
}

export function bootNotification(protocol) {
  return protocol === 'ocpp1.6'
    ? { chargePointVendor: 'Bench', chargePointModel: 'Loop' }
    : { reason: 'PowerUp', chargingStation: { vendorName: 'Bench', model: 'Loop' } };
}

function status(protocol, state201, state16) {
  return protocol === 'ocpp1.6'
    ? ['StatusNotification', { connectorId: 1, errorCode: 'NoError', status: state16 }]
    : ['StatusNotification', { timestamp: iso(), connectorStatus: state201, evseId: 1, connectorId: 1 }];
}

/**
 * One charging session as a list of steps. A step is [action, payload] or a function of the
 * session's state returning one (a 1.6 transactionId comes from the StartTransaction answer).
 * `session` counts this charger's sessions, so 2.0.1 transaction ids are unique.
 */
export function chargingSession(protocol, chargerId, session, meterWh) {
  if (protocol === 'ocpp1.6') {
    const steps = [
      status(protocol, 'Occupied', 'Preparing'),
      () => ['StartTransaction', { connectorId: 1, idTag: BENCH_ID_TAG, meterStart: meterWh.value, timestamp: iso() }],
      status(protocol, 'Occupied', 'Charging'),
    ];
    for (let i = 0; i < METER_MESSAGES_PER_SESSION; i++) {
      steps.push((state) => {
        meterWh.value += 183;
        return ['MeterValues', { connectorId: 1, transactionId: state.transactionId, meterValue: [{ timestamp: iso(), sampledValue: sampled16(meterWh.value) }] }];
      });
    }
    steps.push(
      ['Heartbeat', {}],
      (state) => ['StopTransaction', { transactionId: state.transactionId, meterStop: meterWh.value, timestamp: iso(), idTag: BENCH_ID_TAG, reason: 'EVDisconnected' }],
      status(protocol, 'Available', 'Available'),
    );
    return steps;
  }
  const transactionId = `${chargerId}-${session}`;
  let seqNo = 0;
  const event = (eventType, triggerReason, context, extra = {}) => ({
    eventType,
    timestamp: iso(),
    triggerReason,
    seqNo: seqNo++,
    transactionInfo: { transactionId, ...extra },
    meterValue: [{ timestamp: iso(), sampledValue: sampled201(meterWh.value, context) }],
  });
  const steps = [
    status(protocol, 'Occupied', 'Preparing'),
    () => [
      'TransactionEvent',
      {
        ...event('Started', 'Authorized', 'Transaction.Begin', { chargingState: 'Charging' }),
        evse: { id: 1, connectorId: 1 },
        idToken: { idToken: BENCH_ID_TAG, type: 'ISO14443' },
      },
    ],
  ];
  for (let i = 0; i < METER_MESSAGES_PER_SESSION; i++) {
    steps.push(() => {
      meterWh.value += 183;
      return ['TransactionEvent', event('Updated', 'MeterValuePeriodic', 'Sample.Periodic')];
    });
  }
  steps.push(
    ['Heartbeat', {}],
    () => ['TransactionEvent', event('Ended', 'EVCommunicationLost', 'Transaction.End', { stoppedReason: 'EVDisconnected' })],
    status(protocol, 'Available', 'Available'),
  );
  return steps;
}
