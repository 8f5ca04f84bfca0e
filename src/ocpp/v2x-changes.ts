// OCPP 2.1 bidirectional charging (V2X) facts kept per transaction: the EV's charging needs with their V2X parameters, and the energy transfer modes the CSMS allowed.

/**
 * What one message said about a transaction's energy transfer. `needs` comes from a 2.1
 * NotifyEVChargingNeeds (its chargingNeeds as sent, schema-valid), `allowedEnergyTransfer` from a
 * NotifyAllowedEnergyTransfer the charger accepted. A later fact replaces the same part of an earlier one.
 */
export interface V2xChange {
  transactionId: string;
  /** When the CSMS received the needs, or got the charger's acceptance. */
  at: string;
  evseId?: number;
  needs?: Record<string, unknown>;
  allowedEnergyTransfer?: string[];
}

/** The energy transfer modes of ISO 15118-20 bidirectional power transfer (EnergyTransferModeEnumType *_BPT*). */
export const BIDIRECTIONAL_MODES: ReadonlySet<string> = new Set(['AC_BPT', 'AC_BPT_DER', 'DC_BPT', 'DC_ACDP_BPT']);

/**
 * What the answer to a CSMS command says about V2X: a NotifyAllowedEnergyTransfer the charger
 * Accepted becomes what the CSMS allowed for that transaction (2.1 Q: the station then renegotiates
 * with the EV within those modes). Rejected, or any other action, says nothing.
 */
export function v2xChangesFromCommand(action: string, request: unknown, result: unknown, now: string): V2xChange[] {
  if (action !== 'NotifyAllowedEnergyTransfer') return [];
  const req = request as { transactionId?: unknown; allowedEnergyTransfer?: unknown };
  const res = result as { status?: unknown } | null;
  if (res?.status !== 'Accepted' || typeof req.transactionId !== 'string' || !Array.isArray(req.allowedEnergyTransfer)) return [];
  return [{ transactionId: req.transactionId, at: now, allowedEnergyTransfer: req.allowedEnergyTransfer.filter((m): m is string => typeof m === 'string') }];
}
