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
