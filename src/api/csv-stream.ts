// A CSV export streamed from D1 one page at a time (GET /cdrs, GET /transactions with format=csv).

/** Rows one D1 read of a CSV export brings: a few hundred keep each read small and the export's memory to about one page. */
export const CSV_PAGE_ROWS = 200;

/** One page of an export: its lines (each ending in CRLF) and what reads the next page, or null on the last. */
export interface CsvPage {
  text: string;
  next: (() => Promise<CsvPage>) | null;
}

/**
 * A CSV response whose body reads the next page each time the client has taken the previous one
 * (pull, high-water mark 0: nothing is read ahead), so 100,000 rows never sit in memory; any range
 * is allowed for that reason. The first page is read before the response, so a D1 failure then is
 * a plain 500; a failure later can no longer change the status, so the stream errors and the client
 * sees a broken transfer, not a short file that looks whole.
 */
export async function csvResponse(header: string, first: () => Promise<CsvPage>, filename: string): Promise<Response> {
  const encoder = new TextEncoder();
  let page: CsvPage | null = await first();
  let text = header + page.text;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (page === null) return controller.close();
        if (text === '') {
          page = await page.next!();
          text = page.text;
        }
        controller.enqueue(encoder.encode(text));
        text = '';
        if (page.next === null) {
          page = null;
          controller.close();
        }
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, {
    headers: {
      'content-type': 'text/csv; charset=utf-8; header=present',
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'no-store',
    },
  });
}
