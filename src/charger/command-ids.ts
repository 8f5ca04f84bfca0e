// Queued command ids: they name their charger, so a command is found without a fleet-wide index.

/** `<charger id, base64url>.<uuid>` */
export function newCommandId(chargerId: string): string {
  return `${toBase64Url(chargerId)}.${crypto.randomUUID()}`;
}

/** The charger a command id belongs to, or undefined when it is not one of ours. */
export function chargerOfCommand(commandId: string): string | undefined {
  const match = /^([A-Za-z0-9_-]+)\.[0-9a-f-]{36}$/.exec(commandId);
  if (!match?.[1]) return undefined;
  try {
    return fromBase64Url(match[1]);
  } catch {
    return undefined;
  }
}

function toBase64Url(text: string): string {
  return btoa(text).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string {
  return atob(text.replaceAll('-', '+').replaceAll('_', '/'));
}
