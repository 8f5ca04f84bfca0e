// An operator's registration decision for a charger (PUT /chargers/{id}/registration): what it
// means for the charger's object now, and what it tells the charger. D1 holds the decision
// already; it answers the charger's next boot (store/chargers.ts recordBoot).

import type { RegistrationStatus } from '../ocpp/records';
import type { CommandOutcome, RegistrationDecision, RegistrationEffect } from './types';

/** What a decision needs of the charger's object. */
export interface RegistrationDeps {
  getRegistration: () => Promise<RegistrationStatus | null>;
  setRegistration: (status: RegistrationStatus) => Promise<void>;
  connected: () => boolean;
  /** Sends a command as the operator's route would (OperatorCommands.sendCommand). */
  sendCommand: (action: string, payload: unknown, timeoutSeconds: number) => Promise<CommandOutcome>;
}

/**
 * The operator changed the charger's registration decision; D1 holds it already, and it answers
 * the charger's next boot. A connected charger held Pending that is now Accepted is asked to boot
 * again at once (TriggerMessage BootNotification: 2.0.1 F06, 1.6 §5.17) rather than after its
 * retry interval. Nothing is sent to an Accepted charger set Pending: it stays Accepted until it
 * boots again (a charger already Accepted answers a BootNotification trigger Rejected), nor to a
 * Rejected one (the CSMS sends a rejected charger nothing).
 *
 * Rejected: the next boot is answered Rejected (2.0.1 B03, 1.6 §4.2). A charger whose boot was
 * answered Pending is treated as rejected at once, connected or not: it is sent nothing more
 * (neither commands nor the queue: B03.FR.03, 1.6 §4.2 "the Central System SHOULD NOT initiate
 * any messages"), and its requests but BootNotification are refused with SecurityError
 * (B03.FR.07), what it was asked for while Pending included. An Accepted charger stays Accepted
 * until it boots again, like one set Pending: its transactions go on (send Reset to make it boot
 * now). The connection is not closed: either side may close it (1.6 §4.2) but nothing requires
 * it, and a charger that reconnects does not boot again for that, so closing would only cut a
 * charger that must stay silent anyway, or an Accepted one's transactions.
 */
export async function registrationDecided(deps: RegistrationDeps, decision: RegistrationDecision, timeoutSeconds: number): Promise<RegistrationEffect> {
  const registrationStatus = await deps.getRegistration();
  const connected = deps.connected();
  const effect = (kind: RegistrationEffect['effect'], message: string, trigger?: CommandOutcome): RegistrationEffect => ({
    effect: kind,
    message,
    registrationStatus,
    ...(trigger ? { trigger } : {}),
  });
  if (registrationStatus === decision) return effect('Unchanged', `The charger's boot was already answered ${decision}`);
  if (decision === 'Rejected') {
    if (registrationStatus === 'Pending') {
      await deps.setRegistration('Rejected');
      return {
        ...effect('RejectedNow', 'The charger was Pending: it is rejected from now on (sent nothing, its requests refused with SecurityError) and its next boot is answered Rejected'),
        registrationStatus: 'Rejected',
      };
    }
    return effect(
      'AtNextBoot',
      registrationStatus === 'Accepted'
        ? 'The charger stays Accepted until it boots again; its next boot is answered Rejected (send Reset to make it boot now)'
        : 'The charger\'s next boot is answered Rejected',
    );
  }
  if (decision === 'Pending') {
    return effect(
      'AtNextBoot',
      registrationStatus === 'Accepted'
        ? 'The charger stays Accepted until it boots again; its next boot is answered Pending (send Reset to make it boot now)'
        : 'The charger\'s next boot is answered Pending',
    );
  }
  if (!connected || registrationStatus !== 'Pending') {
    const why = !connected ? 'The charger is not connected' : registrationStatus === 'Rejected' ? 'The charger was rejected and is sent nothing' : 'The charger has not booted on this connection';
    return effect('AtNextBoot', `${why}: its next boot is answered Accepted`);
  }
  const trigger = await deps.sendCommand('TriggerMessage', { requestedMessage: 'BootNotification' }, timeoutSeconds);
  if (trigger.ok && trigger.result.status === 'Accepted') {
    return effect('BootTriggered', 'The charger was asked to boot again now (TriggerMessage BootNotification) and accepted: its boot is answered Accepted', trigger);
  }
  return effect('TriggerRefused', 'The charger did not accept TriggerMessage BootNotification: its next boot (after the interval it was given) is answered Accepted', trigger);
}
