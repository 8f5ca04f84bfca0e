// What the protocol layer asks the CSMS to keep about a charger; the store decides how.

export interface BootFacts {
  vendor: string;
  model: string;
  serialNumber?: string;
  chargeBoxSerialNumber?: string;
  firmwareVersion?: string;
  iccid?: string;
  imsi?: string;
  meterType?: string;
  meterSerialNumber?: string;
}

export interface ConnectorState {
  evseId: number;
  connectorId: number;
  status: string;
  errorCode?: string;
  info?: string;
  vendorId?: string;
  vendorErrorCode?: string;
  reportedAt?: string;
}

export type RegistrationStatus = 'Accepted' | 'Pending' | 'Rejected';

/**
 * The durable side effects a charger's messages cause. The Durable Object implements it
 * over D1 and its own storage; unit tests implement it in memory. Each method resolves
 * only once what it recorded is durable, and throws when storage fails.
 */
export interface ChargerRecords {
  /** Stores the boot facts and returns the registration status to answer with. */
  recordBoot(facts: BootFacts): Promise<RegistrationStatus>;
  recordConnectorStatus(state: ConnectorState): Promise<void>;
}
