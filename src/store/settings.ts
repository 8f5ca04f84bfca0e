// D1 access for chargers' configuration keys and device-model variables; all of their SQL lives here.

import type { ChargerFact } from '../fleet/outbox';
import { REDACTED } from '../ocpp/secrets';
import type { Setting } from '../ocpp/settings';
import { chunk, columnsOf } from './json-rows';

const COLUMNS = [
  'charger_id',
  'component',
  'component_instance',
  'evse_id',
  'connector_id',
  'variable',
  'variable_instance',
  'attribute_type',
  'value',
  'mutability',
  'characteristics',
  'source',
  'updated_at',
] as const;

type Row = { [K in (typeof COLUMNS)[number]]: K extends 'evse_id' | 'connector_id' ? number : string | null };

export class SettingStore {
  constructor(private readonly db: D1Database) {}

  /** Forgets the charger's reported configuration (DELETE /chargers/{id}: a new registration reads it afresh). */
  forgetChargerStatements(chargerId: string): D1PreparedStatement[] {
    return [this.db.prepare('DELETE FROM charger_settings WHERE charger_id = ?').bind(chargerId)];
  }

  /**
   * Upserts settings; a newer report wins, and a report that names no mutability or
   * characteristics keeps the ones known before. Values arrive redacted (secrets.ts); a variable
   * the charger reported WriteOnly earlier stays redacted whatever a later command's value says.
   */
  upsertStatements(settings: readonly ChargerFact<'setting'>[]): D1PreparedStatement[] {
    return chunk(settings).map((part) =>
      this.db
        .prepare(
          `INSERT INTO charger_settings (${COLUMNS.join(', ')})
           SELECT ${COLUMNS.join(', ')} FROM (SELECT ${columnsOf(COLUMNS)} FROM json_each(?1) AS j) WHERE true
           ON CONFLICT (charger_id, component, component_instance, evse_id, connector_id, variable, variable_instance, attribute_type)
           DO UPDATE SET value = CASE WHEN COALESCE(excluded.mutability, charger_settings.mutability) = 'WriteOnly'
               THEN '${REDACTED}' ELSE excluded.value END,
             mutability = COALESCE(excluded.mutability, charger_settings.mutability),
             characteristics = COALESCE(excluded.characteristics, charger_settings.characteristics),
             source = excluded.source, updated_at = excluded.updated_at
           WHERE excluded.updated_at >= charger_settings.updated_at`,
        )
        .bind(
          JSON.stringify(
            part.map(({ chargerId, fact: s }) => [
              chargerId,
              s.component,
              s.componentInstance,
              s.evseId ?? -1,
              s.connectorId ?? -1,
              s.variable,
              s.variableInstance,
              s.attributeType,
              s.value,
              s.mutability,
              s.characteristics === null ? null : JSON.stringify(s.characteristics),
              s.source,
              s.updatedAt,
            ]),
          ),
        ),
    );
  }

  async list(chargerId: string, filter: { component?: string; variable?: string }): Promise<Setting[]> {
    const { results } = await this.db
      .prepare(
        `SELECT * FROM charger_settings
         WHERE charger_id = ?1 AND (?2 IS NULL OR component = ?2) AND (?3 IS NULL OR variable = ?3)
         ORDER BY component, component_instance, evse_id, connector_id, variable, variable_instance, attribute_type`,
      )
      .bind(chargerId, filter.component ?? null, filter.variable ?? null)
      .all<Row>();
    return results.map((r) => ({
      component: r.component ?? '',
      componentInstance: r.component_instance ?? '',
      evseId: r.evse_id === -1 ? null : r.evse_id,
      connectorId: r.connector_id === -1 ? null : r.connector_id,
      variable: r.variable ?? '',
      variableInstance: r.variable_instance ?? '',
      attributeType: r.attribute_type ?? 'Actual',
      value: r.value,
      mutability: r.mutability,
      characteristics: r.characteristics === null ? null : (JSON.parse(r.characteristics) as Record<string, unknown>),
      source: r.source ?? '',
      updatedAt: r.updated_at ?? '',
    }));
  }
}
