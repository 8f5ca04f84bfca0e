// A small RFC 4180 CSV reader for the bulk imports (POST /id-tags/import, /chargers/import): pure, no dependencies.
//
// RFC 4180 with the leniencies spreadsheets need: records end in CRLF or a bare LF (or CR), a
// UTF-8 byte order mark at the start is dropped, blank lines are skipped, the last record may
// lack its line break. A field in double quotes may hold commas, line breaks and doubled quotes
// (""). A quote inside an unquoted field, text after a closing quote, or a quote left open are
// errors: such a file cannot be read unambiguously past that point, so the whole file is refused.

/** One record, with the line (1-based, as an editor counts them) its first field starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

export type CsvParse = { ok: true; records: CsvRecord[] } | { ok: false; line: number; message: string };

/**
 * Reads `text` into records. Stops early, returning `ok: false`, once more than `maxRecords`
 * records were read (so a huge file is not read whole): the caller says what the limit is.
 */
export function parseCsv(text: string, maxRecords = Infinity): CsvParse & { truncated?: boolean } {
  const records: CsvRecord[] = [];
  let at = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const length = text.length;
  while (at < length) {
    // A blank line (no field at all) is not a record.
    const c = text[at];
    if (c === '\n' || c === '\r') {
      at += c === '\r' && text[at + 1] === '\n' ? 2 : 1;
      line += 1;
      continue;
    }
    const startLine = line;
    const fields: string[] = [];
    for (;;) {
      let field = '';
      if (text[at] === '"') {
        at += 1;
        for (;;) {
          if (at >= length) return { ok: false, line: startLine, message: 'a quoted field is not closed' };
          const ch = text[at]!;
          if (ch === '"') {
            if (text[at + 1] === '"') {
              field += '"';
              at += 2;
              continue;
            }
            at += 1;
            break;
          }
          if (ch === '\n' || (ch === '\r' && text[at + 1] !== '\n')) line += 1;
          field += ch;
          at += 1;
        }
        const next = text[at];
        if (at < length && next !== ',' && next !== '\n' && next !== '\r') {
          return { ok: false, line, message: 'text follows a closing quote (a quote inside a field is written "")' };
        }
      } else {
        const from = at;
        while (at < length) {
          const ch = text[at];
          if (ch === ',' || ch === '\n' || ch === '\r') break;
          if (ch === '"') return { ok: false, line, message: 'a quote inside an unquoted field (quote the whole field and double the quote)' };
          at += 1;
        }
        field = text.slice(from, at);
      }
      fields.push(field);
      if (text[at] === ',') {
        at += 1;
        continue;
      }
      // End of the record: a line break or the end of the text.
      if (at < length) {
        at += text[at] === '\r' && text[at + 1] === '\n' ? 2 : 1;
        line += 1;
      }
      break;
    }
    records.push({ line: startLine, fields });
    if (records.length > maxRecords) return { ok: true, records, truncated: true };
  }
  return { ok: true, records };
}
