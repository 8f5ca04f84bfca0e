// How a charger's connection was admitted, and whether it still may stay once its credentials change.
//
// The Worker authenticates the upgrade (api/charger-auth.ts) and tells the charger's object how,
// in a header it sets itself; the object keeps that on the socket's attachment. When an operator
// changes the charger's credentials, the object closes the connections that would no longer be
// admitted.

/** How a live connection got in. `passwordId` names the stored hash its password matched, not the password. */
export interface SocketAdmission {
  how: 'open' | 'password' | 'certificate';
  /** The upgrade came over TLS (wss). */
  tls: boolean;
  passwordId?: string;
}

/** What a connection must have used to be admitted now. */
export interface CredentialPolicy {
  securityProfile: 0 | 1 | 2 | 3;
  /** Ids of the password hashes that open the door now (the current one, and a pending one). */
  passwordIds: string[];
}

/** The header the Worker sets on the upgrade it forwards to the object (and overwrites if a client sent one). */
export const ADMISSION_HEADER = 'x-charger-admission';

export function readAdmissionHeader(value: string | null): SocketAdmission | undefined {
  if (!value) return undefined;
  try {
    const parsed = JSON.parse(value) as Partial<SocketAdmission>;
    if (parsed.how !== 'open' && parsed.how !== 'password' && parsed.how !== 'certificate') return undefined;
    return { how: parsed.how, tls: parsed.tls === true, ...(typeof parsed.passwordId === 'string' ? { passwordId: parsed.passwordId } : {}) };
  } catch {
    return undefined;
  }
}

/**
 * Whether a connection admitted as `admission` would be admitted under `policy`. A connection
 * with no recorded admission (opened before admissions were recorded) qualifies only where
 * nothing is asked.
 */
export function stillQualifies(admission: SocketAdmission | undefined, policy: CredentialPolicy): boolean {
  switch (policy.securityProfile) {
    case 0:
      return true;
    case 3:
      return admission?.how === 'certificate';
    default:
      return (
        admission?.how === 'password' &&
        admission.passwordId !== undefined &&
        policy.passwordIds.includes(admission.passwordId) &&
        (policy.securityProfile !== 2 || admission.tls)
      );
  }
}
