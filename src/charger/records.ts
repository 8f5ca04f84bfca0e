// The Durable Object's ChargerRecords: boot and status facts written to D1 before the charger is answered.

import type { Config } from '../config';
import type { BootFacts, ChargerRecords, ConnectorState, RegistrationStatus } from '../ocpp/records';
import type { OcppVersion } from '../ocpp/versions';
import type { ChargerStore } from '../store/chargers';

export class D1ChargerRecords implements ChargerRecords {
  constructor(
    private readonly store: ChargerStore,
    private readonly chargerId: string,
    private readonly protocol: OcppVersion,
    private readonly config: Config,
    private readonly now: Date,
    /** Keeps the decision in the object's own storage, so it survives eviction. */
    private readonly rememberRegistration: (status: RegistrationStatus) => Promise<void>,
  ) {}

  async recordBoot(facts: BootFacts): Promise<RegistrationStatus> {
    const registered = await this.store.isRegistered(this.chargerId);
    const status = registered ? 'Accepted' : decideForUnknown(this.config.unknownChargerPolicy);
    await this.store.recordBoot(
      this.chargerId,
      this.protocol,
      facts,
      status,
      status === 'Accepted',
      this.now.toISOString(),
    );
    await this.rememberRegistration(status);
    return status;
  }

  async recordConnectorStatus(state: ConnectorState): Promise<void> {
    await this.store.recordConnectorStatus(this.chargerId, state, this.now.toISOString());
  }
}

function decideForUnknown(policy: Config['unknownChargerPolicy']): RegistrationStatus {
  if (policy === 'accept') return 'Accepted';
  return policy === 'pending' ? 'Pending' : 'Rejected';
}
