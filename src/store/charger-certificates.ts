// D1 access for chargers' certificate inventories; all of their SQL lives here.

import type { ChargerFact } from '../fleet/outbox';
import { certificateKey, installedCertificateKey, type CertificateHash } from '../ocpp/certificate-inventory';

export interface StoredCertificate {
  certificateType: string;
  /** Null for a certificate the CSMS installed whose hash data the charger has not reported yet. */
  certificateHashData: CertificateHash | null;
  childCertificateHashData: CertificateHash[];
  /** The PEM the CSMS installed; null for what the charger reported. */
  certificate: string | null;
  source: 'reported' | 'installed';
  updatedAt: string;
}

type Row = {
  certificate_key: string;
  certificate_type: string;
  hash_algorithm: string | null;
  issuer_name_hash: string | null;
  issuer_key_hash: string | null;
  serial_number: string | null;
  child_certificates: string | null;
  certificate: string | null;
  source: StoredCertificate['source'];
  updated_at: string;
};

const UPSERT = `INSERT INTO charger_certificates (charger_id, certificate_key, certificate_type, hash_algorithm, issuer_name_hash,
     issuer_key_hash, serial_number, child_certificates, certificate, source, updated_at)
   VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
   ON CONFLICT (charger_id, certificate_key) DO UPDATE SET certificate_type = ?3, hash_algorithm = ?4, issuer_name_hash = ?5,
     issuer_key_hash = ?6, serial_number = ?7, child_certificates = ?8, certificate = COALESCE(?9, certificate), source = ?10, updated_at = ?11
   WHERE charger_certificates.updated_at <= ?11`;

export class ChargerCertificateStore {
  constructor(private readonly db: D1Database) {}

  /** Forgets the charger's certificate inventory (DELETE /chargers/{id}). */
  forgetChargerStatements(chargerId: string): D1PreparedStatement[] {
    return [this.db.prepare('DELETE FROM charger_certificates WHERE charger_id = ?').bind(chargerId)];
  }

  /**
   * The statements for `changes`, in order. Idempotent: a change applies only over rows no newer
   * than it, so a batch flushed twice leaves the same rows.
   */
  changeStatements(changes: readonly ChargerFact<'certificate'>[]): D1PreparedStatement[] {
    return changes.flatMap(({ chargerId, fact: c }) => {
      if (c.op === 'installed') {
        return [this.db.prepare(UPSERT).bind(chargerId, installedCertificateKey(c.certificate), c.certificateType, null, null, null, null, null, c.certificate, 'installed', c.at)];
      }
      if (c.op === 'deleted') {
        return [
          this.db
            .prepare('DELETE FROM charger_certificates WHERE charger_id = ?1 AND certificate_key = ?2 AND updated_at <= ?3')
            .bind(chargerId, certificateKey(c.hash), c.at),
        ];
      }
      // A report replaces everything known of the types it covers, what the CSMS installed included.
      return [
        this.db
          .prepare(
            `DELETE FROM charger_certificates WHERE charger_id = ?1 AND updated_at <= ?3
               AND (?2 IS NULL OR certificate_type IN (SELECT value FROM json_each(?2)))`,
          )
          .bind(chargerId, c.types ? JSON.stringify(c.types) : null, c.at),
        ...c.certificates.map((r) =>
          this.db
            .prepare(UPSERT)
            .bind(
              chargerId,
              certificateKey(r.hash),
              r.certificateType,
              r.hash.hashAlgorithm,
              r.hash.issuerNameHash,
              r.hash.issuerKeyHash,
              r.hash.serialNumber,
              r.children.length > 0 ? JSON.stringify(r.children) : null,
              null,
              'reported',
              c.at,
            ),
        ),
      ];
    });
  }

  /** A charger's certificates in key order, `limit` at a time, optionally of one type. */
  async list(chargerId: string, query: { certificateType?: string; limit: number; cursor?: string }): Promise<{ certificates: StoredCertificate[]; nextCursor: string | null }> {
    const { results } = await this.db
      .prepare(
        `SELECT certificate_key, certificate_type, hash_algorithm, issuer_name_hash, issuer_key_hash, serial_number,
           child_certificates, certificate, source, updated_at
         FROM charger_certificates
         WHERE charger_id = ?1 AND (?2 IS NULL OR certificate_type = ?2) AND (?3 IS NULL OR certificate_key > ?3)
         ORDER BY certificate_key LIMIT ?4`,
      )
      .bind(chargerId, query.certificateType ?? null, query.cursor ?? null, query.limit + 1)
      .all<Row>();
    const page = results.slice(0, query.limit);
    return {
      certificates: page.map((r) => ({
        certificateType: r.certificate_type,
        certificateHashData:
          r.hash_algorithm === null
            ? null
            : { hashAlgorithm: r.hash_algorithm, issuerNameHash: r.issuer_name_hash!, issuerKeyHash: r.issuer_key_hash!, serialNumber: r.serial_number! },
        childCertificateHashData: r.child_certificates ? (JSON.parse(r.child_certificates) as CertificateHash[]) : [],
        certificate: r.certificate,
        source: r.source,
        updatedAt: r.updated_at,
      })),
      nextCursor: results.length > query.limit ? page[page.length - 1]!.certificate_key : null,
    };
  }
}
