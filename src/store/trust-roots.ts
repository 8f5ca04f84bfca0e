// D1 access for the operator's ISO 15118 trust store (migrations/0033_trust_roots.sql); all of its SQL lives here.

import type { TrustRootInfo } from '../ocpp/trust-chain';

/** One configured certificate, as the API shows it. */
export interface TrustRoot extends TrustRootInfo {
  id: string;
  updatedAt: string;
}

type Row = {
  id: string;
  certificate: string;
  subject: string;
  fingerprint: string;
  key_hash: string;
  not_before: string;
  not_after: string;
  self_signed: number;
  updated_at: string;
};

/** How many certificates the store holds at most: each Plug & Charge Authorize reads them all. */
export const MAX_TRUST_ROOTS = 100;

const fromRow = (row: Row): TrustRoot => ({
  id: row.id,
  pem: row.certificate,
  subject: row.subject,
  fingerprint: row.fingerprint,
  keyHash: row.key_hash,
  notBefore: row.not_before,
  notAfter: row.not_after,
  selfSigned: row.self_signed === 1,
  updatedAt: row.updated_at,
});

export class TrustRootStore {
  constructor(private readonly db: D1Database) {}

  /** Every entry, by id (at most MAX_TRUST_ROOTS). */
  async list(): Promise<TrustRoot[]> {
    const { results } = await this.db.prepare('SELECT * FROM trust_roots ORDER BY id LIMIT ?1').bind(MAX_TRUST_ROOTS).all<Row>();
    return results.map(fromRow);
  }

  /** The certificates alone (PEM), for validating chains and OCSP responses. */
  async pems(): Promise<string[]> {
    const { results } = await this.db.prepare('SELECT certificate FROM trust_roots ORDER BY id LIMIT ?1').bind(MAX_TRUST_ROOTS).all<{ certificate: string }>();
    return results.map((row) => row.certificate);
  }

  async get(id: string): Promise<TrustRoot | null> {
    const row = await this.db.prepare('SELECT * FROM trust_roots WHERE id = ?1').bind(id).first<Row>();
    return row ? fromRow(row) : null;
  }

  /**
   * Creates or replaces entry `id`. Refused ('full') when it is new and the store already holds
   * MAX_TRUST_ROOTS: the count and the insert are one statement, so two PUTs cannot both pass it.
   */
  async put(id: string, info: TrustRootInfo, at: string): Promise<{ created: boolean } | 'full'> {
    const existed = (await this.db.prepare('SELECT 1 FROM trust_roots WHERE id = ?1').bind(id).first()) !== null;
    const result = await this.db
      .prepare(
        `INSERT INTO trust_roots (id, certificate, subject, fingerprint, key_hash, not_before, not_after, self_signed, updated_at)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9
         WHERE EXISTS (SELECT 1 FROM trust_roots WHERE id = ?1) OR (SELECT COUNT(*) FROM trust_roots) < ?10
         ON CONFLICT (id) DO UPDATE SET certificate = ?2, subject = ?3, fingerprint = ?4, key_hash = ?5, not_before = ?6,
           not_after = ?7, self_signed = ?8, updated_at = ?9`,
      )
      .bind(id, info.pem, info.subject, info.fingerprint, info.keyHash, info.notBefore, info.notAfter, info.selfSigned ? 1 : 0, at, MAX_TRUST_ROOTS)
      .run();
    if (result.meta.changes === 0) return 'full';
    return { created: !existed };
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.prepare('DELETE FROM trust_roots WHERE id = ?1').bind(id).run();
    return result.meta.changes > 0;
  }
}
