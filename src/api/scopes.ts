// What each operator token may do: read, command chargers, or administer.

export const SCOPES = ['read', 'command', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/**
 * The scope a request needs. Reading needs `read`; talking to chargers (commands, local lists)
 * and setting a site's external limit need `command`; changing sites and who may do what
 * (chargers' registration and credentials, id tags, tokens) needs `admin`, and so does reading the tokens and the audit log (who did what).
 * `admin` includes the others, `command` includes `read`.
 */
export function requiredScope(method: string, path: string): Scope {
  if (/^\/api\/v1\/(tokens|audit)(\/|$)/.test(path)) return 'admin';
  if (method === 'GET' || method === 'HEAD') return 'read';
  // A live feed ticket only lets its holder read what it could read already.
  if (method === 'POST' && path === '/api/v1/live/tickets') return 'read';
  if (/^\/api\/v1\/chargers\/[^/]+\/(commands\/[^/]+|local-list)$/.test(path)) return 'command';
  // OCPP 2.1 tariffs sent to a charger (api/ocpp21-tariffs.ts): commands too.
  if (/^\/api\/v1\/chargers\/[^/]+\/(tariffs(\/default|\/installed)?|transactions\/[^/]+\/tariff)$/.test(path)) return 'command';
  // Setting a dynamic profile's values sends them to the charger: a command.
  if (method === 'PUT' && /^\/api\/v1\/chargers\/[^/]+\/charging-profiles\/[^/]+\/dynamic$/.test(path)) return 'command';
  // A site's external limit (a building meter's feed, api/sites.ts) is operation, not configuration:
  // the meter's token need not administer. Every other change to a site falls to `admin` below.
  if (/^\/api\/v1\/sites\/[^/]+\/external-limit$/.test(path)) return 'command';
  return 'admin';
}

export function grants(scopes: readonly Scope[], needed: Scope): boolean {
  if (scopes.includes('admin')) return true;
  if (needed === 'read') return scopes.includes('read') || scopes.includes('command');
  return scopes.includes(needed);
}
