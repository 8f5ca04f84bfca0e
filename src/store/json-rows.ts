// Many rows in one D1 statement: rows travel as one JSON parameter and SQL reads them with json_each.
//
// D1 allows 100 bound parameters per statement, so a multi-row VALUES list holds only a few
// rows; a JSON array holds hundreds. Each row is an array, and SQL reads column i as
// json_extract(j.value, '$[i]').

/** Rows per statement: keeps each JSON parameter far below D1's statement size limits. */
export const ROWS_PER_STATEMENT = 200;

export function chunk<T>(rows: readonly T[], size = ROWS_PER_STATEMENT): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}

/** `json_extract(j.value, '$[0]') AS a, json_extract(j.value, '$[1]') AS b, …` for the given column names. */
export function columnsOf(names: readonly string[]): string {
  return names.map((name, i) => `json_extract(j.value, '$[${i}]') AS ${name}`).join(', ');
}

/** JSON parameters are kept under this many bytes: far below D1's 100 KB statement and 2 MB value limits. */
export const MAX_JSON_BYTES = 90_000;

/**
 * Splits rows into parts whose JSON stays under `maxBytes` (and `maxRows` rows): for tables
 * whose rows are small and many (meter values), so a statement stores as many as fit rather
 * than a fixed count. A row bigger than `maxBytes` on its own gets a part of its own.
 */
export function chunkByBytes<T>(rows: readonly T[], maxBytes = MAX_JSON_BYTES, maxRows = Infinity): T[][] {
  return splitByBytes(rows, maxBytes, maxRows).map((part) => part.rows);
}

/**
 * The same parts as `chunkByBytes`, each as the JSON array to bind: every row is serialised once,
 * for its size and for the parameter both.
 */
export function jsonChunks(rows: readonly unknown[], maxBytes = MAX_JSON_BYTES, maxRows = Infinity): string[] {
  return splitByBytes(rows, maxBytes, maxRows).map((part) => `[${part.json.join(',')}]`);
}

function splitByBytes<T>(rows: readonly T[], maxBytes: number, maxRows: number): Array<{ rows: T[]; json: string[] }> {
  const encoder = new TextEncoder();
  const parts: Array<{ rows: T[]; json: string[] }> = [];
  let current: { rows: T[]; json: string[] } = { rows: [], json: [] };
  // The brackets; each row adds its JSON and a comma.
  let bytes = 2;
  for (const row of rows) {
    const json = JSON.stringify(row);
    const size = encoder.encode(json).length;
    if (current.rows.length > 0 && (bytes + 1 + size > maxBytes || current.rows.length >= maxRows)) {
      parts.push(current);
      current = { rows: [], json: [] };
      bytes = 2;
    }
    bytes += size + (current.rows.length > 0 ? 1 : 0);
    current.rows.push(row);
    current.json.push(json);
  }
  if (current.rows.length > 0) parts.push(current);
  return parts;
}
