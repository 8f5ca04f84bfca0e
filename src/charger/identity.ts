// Who the object serves and what was decided of it: the charger id, its OCPP version and its registration status.
//
// All three live in the object's key-value storage, because they must outlive an instance (the
// runtime evicts a hibernating object between frames). Each is read at most once per instance:
// an object's charger never changes, and the version and registration change only through here.

import type { RegistrationStatus } from '../ocpp/records';
import type { OcppVersion } from '../ocpp/versions';

const STORAGE_KEYS = {
  chargerId: 'chargerId',
  protocol: 'protocol',
  registration: 'registrationStatus',
} as const;

export class ChargerIdentity {
  /** The charger id stored, once read or written. */
  private knownChargerId: string | undefined;
  /** The registration decision: undefined until read, null when there is none. */
  private registration: RegistrationStatus | null | undefined;

  constructor(
    private readonly storage: DurableObjectStorage,
    /** Called when a Pending charger stops being Pending: what it was let send ends with it. */
    private readonly pendingEnded: () => Promise<void>,
  ) {}

  /**
   * A connection opened for `chargerId` speaking `protocol`: one storage read for what the
   * connection checks (the registration included), and a write only when the id or version is
   * new. A charger that changed version must boot again under the new one. `alsoRead`: keys other
   * parts of the object want at each connection, read in the same call (their values are returned).
   */
  async connected(chargerId: string, protocol: OcppVersion, alsoRead: string[] = []): Promise<Map<string, unknown>> {
    const stored = await this.storage.get([STORAGE_KEYS.chargerId, STORAGE_KEYS.protocol, STORAGE_KEYS.registration, ...alsoRead]);
    this.registration ??= (stored.get(STORAGE_KEYS.registration) as RegistrationStatus | undefined) ?? null;
    const previousProtocol = stored.get(STORAGE_KEYS.protocol) as OcppVersion | undefined;
    if (previousProtocol !== undefined && previousProtocol !== protocol) await this.setRegistration(null);
    // A reconnection with the same version rewrites nothing.
    if (stored.get(STORAGE_KEYS.chargerId) !== chargerId || previousProtocol !== protocol) {
      await this.storage.put({ [STORAGE_KEYS.chargerId]: chargerId, [STORAGE_KEYS.protocol]: protocol });
    }
    this.knownChargerId = chargerId;
    return stored;
  }

  /** The charger this object serves, as its first connection stored it (every flush asks: read once). */
  async chargerId(): Promise<string | undefined> {
    this.knownChargerId ??= await this.storage.get<string>(STORAGE_KEYS.chargerId);
    return this.knownChargerId;
  }

  /** The OCPP version of the charger's last connection. */
  async protocol(): Promise<OcppVersion | undefined> {
    return this.storage.get<OcppVersion>(STORAGE_KEYS.protocol);
  }

  async getRegistration(): Promise<RegistrationStatus | null> {
    if (this.registration === undefined) {
      this.registration = (await this.storage.get<RegistrationStatus>(STORAGE_KEYS.registration)) ?? null;
    }
    return this.registration;
  }

  async setRegistration(status: RegistrationStatus | null): Promise<void> {
    // Most boots repeat the decision stored (every reconnection of many chargers): a row rewritten
    // with its own value is billed all the same.
    const previous = await this.getRegistration();
    if (previous === status) return;
    if (previous === 'Pending') await this.pendingEnded();
    if (status === null) await this.storage.delete(STORAGE_KEYS.registration);
    else await this.storage.put(STORAGE_KEYS.registration, status);
    this.registration = status;
  }
}
