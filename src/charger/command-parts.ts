// Commands that went to the charger in several CALLs (split to the limits it reported, see
// ocpp/charger-limits.ts), and commands refused for those limits: how their outcomes read.

import type { LimitRefusal, PartOutcome } from '../ocpp/charger-limits';
import { commandFailure } from './commands';
import type { CommandOutcome } from './types';

/** A 4xx naming the charger's limit a command exceeds; nothing was sent. */
export function limitRefusal(refusal: LimitRefusal): Extract<CommandOutcome, { ok: false }> {
  return commandFailure(400, 'ChargerLimitExceeded', refusal.message, {
    limit: { name: refusal.name, value: refusal.value },
  }) as Extract<CommandOutcome, { ok: false }>;
}

/** The failure of one part of a split command, with what each part sent was answered. */
export function partFailure(failure: Extract<CommandOutcome, { ok: false }>, parts: PartOutcome[], total: number): CommandOutcome {
  const failedPart = parts.length;
  return {
    ok: false,
    status: failure.status,
    error: {
      ...failure.error,
      message: `Part ${failedPart} of ${total}: ${failure.error.message}`,
      parts,
      partsNotSent: total - failedPart,
    },
  };
}

/** How many items a part carries: the length of its one list field. */
export function itemCount(request: Record<string, unknown>): number {
  const list = Object.values(request).find(Array.isArray);
  return list ? list.length : 0;
}
