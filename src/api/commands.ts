// GET /api/v1/commands/:commandId — the status and result of a queued command.

import { Hono } from 'hono';
import type { QueuedCommand } from '../charger/command-queue';
import type { Env } from '../env';
import { isValidChargerId } from '../ocpp/charger-id';
import { chargerOfCommand } from '../charger/command-ids';
import { apiError } from './errors';

export const commandRoutes = new Hono<{ Bindings: Env }>();

commandRoutes.get('/:commandId', async (c) => {
  const commandId = c.req.param('commandId');
  const chargerId = chargerOfCommand(commandId);
  const unknown = () => apiError(c, 404, 'UnknownCommand', `No queued command "${commandId}"`);
  if (!chargerId || !isValidChargerId(chargerId)) return unknown();
  // RPC typing cannot see through the command's `unknown` payload and result.
  const command = (await c.env.CHARGERS.getByName(chargerId).queuedCommand(commandId)) as unknown as QueuedCommand | null;
  if (!command) return unknown();
  return c.json({ command: { ...command, chargerId } });
});
