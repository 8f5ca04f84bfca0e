// POST /api/v1/id-tags/import and /api/v1/chargers/import — bulk creation and update from a CSV file, with a per-row report.
//
// The body is `text/csv` (RFC 4180, see csv.ts) whose header row names the columns: the fields of
// the matching PUT body, plus the row's key (`idTag`, `id`). Every row is checked as PUT checks its
// body; a bad row is reported `failed` and never stops the others. A row is one D1 row written
// whole or not at all, and the good rows are written together in one D1 batch (a few hundred rows
// a statement): a D1 failure writes none of them and answers 500, so a retry is safe. Each row
// follows PUT semantics (a cell left empty clears that field, for id tags) and is reported
// `created`, `updated` or `unchanged` (already so: not written). `?dryRun=true` checks and
// reports without writing. Chargers get no credentials this way: a `password` column is refused
// (passwords go through PUT /chargers/{id} or POST /chargers/{id}/password, admin only).

import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import type { Env } from '../env';
import type { CredentialPolicy } from '../charger/credential-policy';
import { isValidIdTag, MAX_ID_TOKEN_LENGTH, type IdTagRecord } from '../ocpp/authorization';
import { isValidChargerId, MAX_CHARGER_ID_LENGTH } from '../ocpp/charger-id';
import { formatIssue, summarizeIssues } from '../ocpp/validation';
import { ChargerStore } from '../store/chargers';
import { IdTagStore, type IdTagInput } from '../store/id-tags';
import { passwordId } from './charger-auth';
import { parseCsv, type CsvRecord } from './csv';
import { readTextBody } from './body';
import { apiError } from './errors';
import { IdTagBody } from './id-tags';

type AppContext = Context<{ Bindings: Env }>;

/** Data rows an import takes (the header not counted); more is refused whole with 413 TooManyRows. */
export const MAX_IMPORT_ROWS = 5_000;
/** Largest CSV body (bytes): 5,000 rows of the longest id tags fit with room to spare. */
export const MAX_IMPORT_BYTES = 2 * 1024 * 1024;

export const ID_TAG_COLUMNS = ['idTag', 'status', 'expiryDate', 'parentIdTag', 'type', 'language'] as const;
export const CHARGER_COLUMNS = ['id', 'securityProfile'] as const;

export type RowOutcome = 'created' | 'updated' | 'unchanged' | 'failed';

export interface RowReport {
  /** The line of the file the row starts on (the header is line 1). */
  line: number;
  /** The row's key as written in it (idTag, or charger id); null when the row has no such cell. */
  id: string | null;
  outcome: RowOutcome;
  error?: { code: string; message: string; issues?: unknown };
}

export const idTagImportRoutes = new Hono<{ Bindings: Env }>();
export const chargerImportRoutes = new Hono<{ Bindings: Env }>();

/** A row read against the header: its line, its key, and its non-empty cells by column. */
interface Row {
  line: number;
  id: string | null;
  cells: Record<string, string>;
}

type Prepared = { ok: true; rows: Row[]; failed: RowReport[]; dryRun: boolean; columns: string[] } | { ok: false; response: Response };

/** Reads and checks what every import checks: the query, the media type, the size, the CSV and its header. */
async function readImport(c: AppContext, columns: readonly string[], key: string, refused: Record<string, string> = {}): Promise<Prepared> {
  const fail = (response: Response) => ({ ok: false as const, response });
  for (const name of new URL(c.req.url).searchParams.keys()) {
    if (name !== 'dryRun') return fail(apiError(c, 400, 'InvalidParameter', `Unknown query parameter "${name}": only dryRun is taken`));
  }
  const dryRunText = c.req.query('dryRun');
  if (dryRunText !== undefined && dryRunText !== 'true' && dryRunText !== 'false') {
    return fail(apiError(c, 400, 'InvalidParameter', 'dryRun must be true or false'));
  }
  const mediaType = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType !== 'text/csv') {
    return fail(apiError(c, 415, 'UnsupportedMediaType', 'Send the rows as text/csv (a header row naming the columns, then one row per line)'));
  }
  const read = await readTextBody(c, MAX_IMPORT_BYTES);
  if (!read.ok) return read;
  const parsed = parseCsv(read.text, MAX_IMPORT_ROWS + 1);
  if (!parsed.ok) {
    return fail(apiError(c, 400, 'InvalidCsv', `The CSV cannot be read at line ${parsed.line}: ${parsed.message}; nothing was imported`, { line: parsed.line }));
  }
  if (parsed.truncated) {
    return fail(
      apiError(c, 413, 'TooManyRows', `An import takes at most ${MAX_IMPORT_ROWS} rows; split the file. Nothing was imported`, { limit: MAX_IMPORT_ROWS }),
    );
  }
  const [header, ...records] = parsed.records;
  const columnList = `the columns are ${columns.join(', ')} (${key} and the PUT body's fields)`;
  if (!header) return fail(apiError(c, 400, 'InvalidCsv', `The CSV is empty: it needs a header row; ${columnList}`));
  const names = header.fields.map((name) => name.trim());
  for (const name of names) {
    if (refused[name] !== undefined) return fail(apiError(c, 400, 'ColumnRefused', refused[name]!, { column: name }));
    if (!columns.includes(name)) return fail(apiError(c, 400, 'InvalidCsv', `Unknown column "${name}" in the header: ${columnList}`, { column: name }));
  }
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated !== undefined) return fail(apiError(c, 400, 'InvalidCsv', `The column "${repeated}" is named twice in the header`, { column: repeated }));
  if (!names.includes(key)) return fail(apiError(c, 400, 'InvalidCsv', `The header has no "${key}" column: ${columnList}`));

  const rows: Row[] = [];
  const failed: RowReport[] = [];
  for (const record of records) {
    const row = toRow(record, names, key);
    if (record.fields.length !== names.length) {
      failed.push(rowFailed(row, `The row has ${record.fields.length} fields; the header has ${names.length}`));
    } else rows.push(row);
  }
  return { ok: true, rows, failed, dryRun: dryRunText === 'true', columns: names };
}

function toRow(record: CsvRecord, names: readonly string[], key: string): Row {
  const cells: Record<string, string> = {};
  names.forEach((name, i) => {
    const value = record.fields[i];
    // An empty cell is a field left out: PUT clears it (or, for a charger's profile, keeps it).
    if (value !== undefined && value !== '') cells[name] = value;
  });
  return { line: record.line, id: cells[key] ?? null, cells };
}

function rowFailed(row: Pick<Row, 'line' | 'id'>, message: string, issues?: unknown, code = 'InvalidRow'): RowReport {
  return { line: row.line, id: row.id, outcome: 'failed', error: { code, message, ...(issues ? { issues } : {}) } };
}

/** The report, rows in file order. */
function report(c: AppContext, reports: RowReport[], dryRun: boolean, extra: Record<string, unknown> = {}): Response {
  const count = (outcome: RowOutcome) => reports.filter((r) => r.outcome === outcome).length;
  return c.json({
    dryRun,
    created: count('created'),
    updated: count('updated'),
    unchanged: count('unchanged'),
    failed: count('failed'),
    ...extra,
    rows: [...reports].sort((a, b) => a.line - b.line),
  });
}

/** A later row for a key an earlier row of the file has: failed, so the outcome does not depend on write order. */
function duplicateOf(seen: Map<string, number>, key: string, line: number): number | undefined {
  const first = seen.get(key);
  if (first === undefined) seen.set(key, line);
  return first;
}

idTagImportRoutes.post('/import', async (c) => {
  const prepared = await readImport(c, ID_TAG_COLUMNS, 'idTag');
  if (!prepared.ok) return prepared.response;
  const reports: RowReport[] = [...prepared.failed];
  const valid: Array<{ row: Row; input: IdTagInput }> = [];
  const seen = new Map<string, number>();
  for (const row of prepared.rows) {
    const { idTag, ...fields } = row.cells;
    if (idTag === undefined || !isValidIdTag(idTag)) {
      reports.push(rowFailed(row, `idTag must be 1-${MAX_ID_TOKEN_LENGTH} printable ASCII characters without spaces`, [{ path: 'idTag', message: 'is invalid' }]));
      continue;
    }
    const parsed = v.safeParse(IdTagBody, fields, { abortEarly: false });
    if (!parsed.success) {
      const issues = summarizeIssues(parsed.issues);
      reports.push(rowFailed(row, issues[0] ? formatIssue(issues[0]) : 'The row is invalid', issues));
      continue;
    }
    const tokenType = parsed.output.type ?? null;
    // Tags compare without regard to case, as the id_tags key does.
    const first = duplicateOf(seen, `${idTag.toLowerCase()} ${tokenType ?? ''}`, row.line);
    if (first !== undefined) {
      reports.push(rowFailed(row, `The same id tag${tokenType ? ` of type ${tokenType}` : ''} is on line ${first}: one row per entry`, undefined, 'DuplicateRow'));
      continue;
    }
    valid.push({
      row,
      input: {
        idTag,
        status: parsed.output.status,
        expiryDate: parsed.output.expiryDate ?? null,
        parentIdTag: parsed.output.parentIdTag ?? null,
        tokenType,
        language: parsed.output.language ?? null,
      },
    });
  }
  // A language column is optional: without it, each entry keeps its language (as imports did before it).
  const withLanguage = prepared.columns.includes('language');
  const store = new IdTagStore(c.env.DB);
  const existing = new Map<string, IdTagRecord>(
    (await store.findMany(valid.map((r) => r.input))).map((record) => [`${record.idTag.toLowerCase()} ${record.tokenType ?? ''}`, record]),
  );
  const writes: IdTagInput[] = [];
  for (const { row, input } of valid) {
    const before = existing.get(`${input.idTag.toLowerCase()} ${input.tokenType ?? ''}`);
    const same =
      before !== undefined &&
      before.status === input.status &&
      before.expiryDate === (input.expiryDate ?? null) &&
      before.parentIdTag === (input.parentIdTag ?? null) &&
      (!withLanguage || (before.language ?? null) === (input.language ?? null));
    reports.push({ line: row.line, id: row.id, outcome: before === undefined ? 'created' : same ? 'unchanged' : 'updated' });
    if (!same) writes.push(input);
  }
  if (!prepared.dryRun) await store.putMany(writes, new Date().toISOString(), { withLanguage });
  return report(c, reports, prepared.dryRun);
});

chargerImportRoutes.post('/import', async (c) => {
  const prepared = await readImport(c, CHARGER_COLUMNS, 'id', {
    password:
      'Passwords are not imported: a CSV file is too easily kept, mailed or logged. Import the chargers without it, then set each ' +
      'password with PUT /api/v1/chargers/{chargerId} (before its first connection) or POST /api/v1/chargers/{chargerId}/password (admin). Nothing was imported',
  });
  if (!prepared.ok) return prepared.response;
  const reports: RowReport[] = [...prepared.failed];
  const valid: Array<{ row: Row; id: string; securityProfile?: 0 | 1 | 2 | 3 }> = [];
  const seen = new Map<string, number>();
  for (const row of prepared.rows) {
    const id = row.cells.id;
    if (id === undefined || !isValidChargerId(id)) {
      reports.push(
        rowFailed(row, `A charger id is 1-${MAX_CHARGER_ID_LENGTH} printable ASCII characters without ":" or spaces`, [{ path: 'id', message: 'is invalid' }]),
      );
      continue;
    }
    const profileText = row.cells.securityProfile;
    if (profileText !== undefined && !/^[0-3]$/.test(profileText)) {
      reports.push(rowFailed(row, 'securityProfile must be 0, 1, 2 or 3 (or empty to keep it)', [{ path: 'securityProfile', message: 'is invalid' }]));
      continue;
    }
    const first = duplicateOf(seen, id, row.line);
    if (first !== undefined) {
      reports.push(rowFailed(row, `The same charger is on line ${first}: one row per charger`, undefined, 'DuplicateRow'));
      continue;
    }
    valid.push({ row, id, ...(profileText !== undefined ? { securityProfile: Number(profileText) as 0 | 1 | 2 | 3 } : {}) });
  }
  const store = new ChargerStore(c.env.DB);
  const existing = await store.credentialsMany(valid.map((r) => r.id));
  const writes: Array<{ id: string; securityProfile?: number }> = [];
  const profileChanged: string[] = [];
  for (const { row, id, securityProfile } of valid) {
    const before = existing.get(id);
    const profile = securityProfile ?? before?.securityProfile ?? 0;
    if ((profile === 1 || profile === 2) && !before?.passwordHash) {
      reports.push(
        rowFailed(row, `Security Profile ${profile} needs a password, which an import does not set: import the charger without a profile, set its password with PUT /api/v1/chargers/{chargerId}, then its profile`, [
          { path: 'securityProfile', message: 'needs a password for Security Profiles 1 and 2' },
        ]),
      );
      continue;
    }
    const same = before !== undefined && before.registered && (securityProfile === undefined || securityProfile === before.securityProfile);
    reports.push({ line: row.line, id: row.id, outcome: before === undefined ? 'created' : same ? 'unchanged' : 'updated' });
    if (same) continue;
    writes.push({ id, securityProfile });
    if (before && securityProfile !== undefined && securityProfile !== before.securityProfile) profileChanged.push(id);
  }
  if (prepared.dryRun) return report(c, reports, true, { closedConnections: 0 });
  await store.registerMany(writes, new Date().toISOString());
  // As PUT does: a changed profile ends the connections that did not authenticate as now required.
  const after = await store.credentialsMany(profileChanged);
  let closedConnections = 0;
  await Promise.all(
    profileChanged.map(async (id) => {
      const credentials = after.get(id);
      if (!credentials) return;
      const policy: CredentialPolicy = {
        securityProfile: credentials.securityProfile,
        passwordIds: await Promise.all(
          [credentials.passwordHash, credentials.pendingPasswordHash].filter((h): h is string => Boolean(h)).map(passwordId),
        ),
      };
      closedConnections += (await c.env.CHARGERS.getByName(id).enforceCredentials(policy)).closed;
    }),
  );
  return report(c, reports, false, { closedConnections });
});
