// GET /api/v1/whoami — who the caller is and what they may do: the console shows it and hides what the caller may not do.

import { Hono } from 'hono';
import type { Env } from '../env';
import type { AuthVariables } from './auth';

export const whoamiRoutes = new Hono<{ Bindings: Env; Variables: AuthVariables }>();

whoamiRoutes.get('/', (c) => c.json({ actor: c.get('actor'), scopes: c.get('scopes') }));
