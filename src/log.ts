// Structured JSON logs, one object per line, fit for Workers Logs.

export function logError(what: string, chargerId: string | undefined, error: unknown): void {
  console.error(JSON.stringify({ level: 'error', what, chargerId, error: String(error) }));
}

export function logDropped(chargerId: string, why: string): void {
  console.warn(JSON.stringify({ level: 'warn', what: 'frame dropped', chargerId, why }));
}

export function logWarning(what: string, chargerId: string | undefined, why: string): void {
  console.warn(JSON.stringify({ level: 'warn', what, chargerId, why }));
}
