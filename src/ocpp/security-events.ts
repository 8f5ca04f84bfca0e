// Which security events a charger reports (SecurityEventNotification, A04) are critical, and so raise an alert.
//
// The list is the OCPP 2.0.1 Part 2 Appendices' "Security Events" table, entries marked critical.
// 1.6 chargers report the same event names (OCPP 1.6 Security Whitepaper); its critical list is the
// first seven below, and the later ones (certificate, TLS, firmware signature, maintenance login)
// are held critical for 1.6 chargers too: one rule for the fleet, on the side of telling the operator.
// A vendor's own event type is not critical unless it is named here.

export const CRITICAL_SECURITY_EVENTS: ReadonlySet<string> = new Set([
  'FirmwareUpdated',
  'SettingSystemTime',
  'StartupOfTheDevice',
  'ResetOrReboot',
  'SecurityLogWasCleared',
  'MemoryExhaustion',
  'TamperDetectionActivated',
  'InvalidFirmwareSignature',
  'InvalidFirmwareSigningCertificate',
  'InvalidCsmsCertificate',
  'InvalidChargingStationCertificate',
  'InvalidTLSVersion',
  'InvalidTLSCipherSuite',
  'MaintenanceLoginAccepted',
  'MaintenanceLoginFailed',
]);

export function isCriticalSecurityEvent(type: unknown): boolean {
  return typeof type === 'string' && CRITICAL_SECURITY_EVENTS.has(type);
}
