// /api/v1/chargers/{chargerId}/local-list — keep a charger's local authorization list in step with the id tags.

import { Hono } from 'hono';
import * as v from 'valibot';
import type { CommandOutcome } from '../charger/types';
import { readConfig } from '../config';
import type { Env } from '../env';
import { groupTokenType, isValidIdTag, type IdTagRecord } from '../ocpp/authorization';
import { isValidChargerId } from '../ocpp/charger-id';
import type { LocalListEntry, SkippedEntry } from '../ocpp/local-list';
import { IdTokenEnumType } from '../ocpp/v201/schemas.generated';
import { summarizeIssues } from '../ocpp/validation';
import { ChargerStore } from '../store/chargers';
import { IdTagStore } from '../store/id-tags';
import { apiError } from './errors';
import { readJsonBody } from './body';

export const localListRoutes = new Hono<{ Bindings: Env }>();

/** A Full list carries every id tag; past this many, chargers' list limits are exceeded anyway. */
const MAX_FULL_LIST = 10_000;

const IdTag = v.pipe(v.string(), v.check(isValidIdTag, 'is not a valid id tag'));

const SyncBody = v.strictObject({
  updateType: v.optional(v.picklist(['Full', 'Differential']), 'Full'),
  /**
   * Differential: the tags to add, update (they exist) or remove (they no longer do). A tag with
   * its 2.0.1 type names that one entry: how a 2.0.1 charger is told to remove one type's entry.
   */
  idTags: v.optional(
    v.pipe(
      v.array(v.union([IdTag, v.strictObject({ idTag: IdTag, type: IdTokenEnumType })])),
      v.minLength(1),
      v.maxLength(1000),
    ),
  ),
});

localListRoutes.use('/:chargerId/local-list', async (c, next) => {
  const chargerId = c.req.param('chargerId');
  if (!chargerId || !isValidChargerId(chargerId)) return apiError(c, 400, 'InvalidChargerId', 'Not a valid charger id');
  if (!(await new ChargerStore(c.env.DB).exists(chargerId))) {
    return apiError(c, 404, 'UnknownCharger', `No charger "${chargerId}" has connected or been registered`);
  }
  await next();
});

localListRoutes.get('/:chargerId/local-list', async (c) => {
  return c.json(await c.env.CHARGERS.getByName(c.req.param('chargerId')).localListState());
});

localListRoutes.post('/:chargerId/local-list', async (c) => {
  const read = await readJsonBody(c);
  if (!read.ok) return read.response;
  const parsed = v.safeParse(SyncBody, read.body);
  if (!parsed.success) {
    return apiError(c, 400, 'InvalidPayload', 'Send {"updateType": "Full"} or {"updateType": "Differential", "idTags": [...]} (each a tag, or {"idTag", "type"})', {
      issues: summarizeIssues(parsed.issues),
    });
  }
  const { updateType, idTags } = parsed.output;
  const store = new IdTagStore(c.env.DB);
  let entries: LocalListEntry[];
  if (updateType === 'Differential') {
    if (!idTags) return apiError(c, 400, 'InvalidPayload', 'A Differential update names its idTags');
    entries = await Promise.all(
      idTags.map(async (item) => {
        const { idTag, type } = typeof item === 'string' ? { idTag: item, type: undefined } : item;
        return { idTag, records: await store.find(idTag), ...(type === undefined ? {} : { type }) };
      }),
    );
  } else {
    if (idTags) return apiError(c, 400, 'InvalidPayload', 'A Full update carries every id tag; leave idTags out');
    const records: IdTagRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.list({ limit: 500, cursor });
      records.push(...page.idTags);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && records.length <= MAX_FULL_LIST);
    if (records.length > MAX_FULL_LIST) {
      return apiError(c, 400, 'ListTooLong', `A Full local list holds at most ${MAX_FULL_LIST} id tags`);
    }
    entries = byTag(records);
  }
  await addGroupTypes(entries, store);
  const outcome = (await c.env.CHARGERS.getByName(c.req.param('chargerId')).sendLocalList(
    updateType,
    entries,
    readConfig(c.env).commandTimeoutSeconds,
  )) as unknown as CommandOutcome & { listVersion?: number; skipped?: SkippedEntry[] };
  if (!outcome.ok) return c.json({ error: outcome.error }, outcome.status as 400);
  return c.json({
    result: outcome.result,
    listVersion: outcome.listVersion,
    entries: entries.length,
    skipped: outcome.skipped ?? [],
    ...(outcome.parts ? { parts: outcome.parts } : {}),
  });
});

/** Entries listed in (tag, type) order, gathered per tag (tags compare without regard to case, as in D1). */
function byTag(records: readonly IdTagRecord[]): LocalListEntry[] {
  const entries = new Map<string, LocalListEntry>();
  for (const record of records) {
    const key = record.idTag.toUpperCase();
    const entry = entries.get(key);
    if (entry) entry.records.push(record);
    else entries.set(key, { idTag: record.idTag, records: [record] });
  }
  return [...entries.values()];
}

/** Gives each entry the 2.0.1 groupIdToken type of the groups its records name, from the groups' own entries. */
async function addGroupTypes(entries: LocalListEntry[], store: IdTagStore): Promise<void> {
  const parents = new Set(entries.flatMap((e) => e.records.flatMap((r) => (r.parentIdTag ? [r.parentIdTag] : []))));
  const types = new Map<string, string>();
  for (const parent of parents) types.set(parent, groupTokenType(await store.find(parent)));
  for (const entry of entries) {
    const named = entry.records.flatMap((r) => (r.parentIdTag ? [r.parentIdTag] : []));
    if (named.length > 0) entry.groupTypes = Object.fromEntries(named.map((p) => [p, types.get(p) ?? 'Central']));
  }
}
