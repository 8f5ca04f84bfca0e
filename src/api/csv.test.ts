// The CSV reader of the bulk imports: RFC 4180 quoting, line breaks, BOM, and the errors that refuse a file.
import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv';

const fields = (text: string) => {
  const parsed = parseCsv(text);
  if (!parsed.ok) throw new Error(`line ${parsed.line}: ${parsed.message}`);
  return parsed.records.map((r) => r.fields);
};

describe('parseCsv (RFC 4180)', () => {
  it('reads plain records with CRLF, LF and a missing final line break', () => {
    expect(fields('a,b\r\n1,2\r\n')).toEqual([['a', 'b'], ['1', '2']]);
    expect(fields('a,b\n1,2')).toEqual([['a', 'b'], ['1', '2']]);
    expect(fields('a,b\r1,2\r')).toEqual([['a', 'b'], ['1', '2']]);
  });

  it('keeps empty fields, leading, trailing and between commas', () => {
    expect(fields(',x,\n,,\n')).toEqual([['', 'x', ''], ['', '', '']]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks inside', () => {
    expect(fields('"a,b","say ""hi""","two\r\nlines"\r\nnext,"",x')).toEqual([
      ['a,b', 'say "hi"', 'two\r\nlines'],
      ['next', '', 'x'],
    ]);
  });

  it('drops a UTF-8 byte order mark and keeps other non-ASCII text', () => {
    expect(fields('\uFEFFidTag,status\nÄ1,Accepted\n')).toEqual([['idTag', 'status'], ['Ä1', 'Accepted']]);
  });

  it('skips blank lines and numbers records by the line they start on, quoted line breaks counted', () => {
    const parsed = parseCsv('h1,h2\n\n"x\ny",1\r\n\r\nlast,2\n');
    expect(parsed).toEqual({
      ok: true,
      records: [
        { line: 1, fields: ['h1', 'h2'] },
        { line: 3, fields: ['x\ny', '1'] },
        { line: 6, fields: ['last', '2'] },
      ],
    });
  });

  it('keeps spaces as data (RFC 4180: spaces are part of a field)', () => {
    expect(fields(' a , b \n')).toEqual([[' a ', ' b ']]);
  });

  it('refuses an unclosed quote, a quote inside an unquoted field, and text after a closing quote, naming the line', () => {
    expect(parseCsv('a,b\n1,"open\n2,3\n')).toMatchObject({ ok: false, line: 2, message: expect.stringMatching(/not closed/) });
    expect(parseCsv('a,b\n1,2\n3,x"y\n')).toMatchObject({ ok: false, line: 3, message: expect.stringMatching(/quote inside an unquoted field/) });
    expect(parseCsv('a,b\n"1"x,2\n')).toMatchObject({ ok: false, line: 2, message: expect.stringMatching(/follows a closing quote/) });
  });

  it('reads an empty text (or only a BOM and blank lines) as no records', () => {
    expect(fields('')).toEqual([]);
    expect(fields('\uFEFF\r\n\n')).toEqual([]);
  });

  it('stops once more than maxRecords records were read, and says so', () => {
    const parsed = parseCsv('h\n1\n2\n3\n4\n', 2);
    expect(parsed.ok).toBe(true);
    expect(parsed).toMatchObject({ truncated: true });
    expect(parsed.ok && parsed.records.length).toBe(3);
    expect(parseCsv('h\n1\n', 2)).not.toHaveProperty('truncated');
  });
});
