// Multi-part 2.0.1 reports (NotifyReport, NotifyMonitoringReport, NotifyCustomerInformation, …) put together per requestId.
//
// A station answers GetBaseReport, GetReport, GetMonitoringReport, CustomerInformation and the
// like with one or more messages sharing a requestId: `seqNo` numbers them from 0 and `tbc`
// ("to be continued") is true on all but the last. Parts may arrive out of order or twice.

export interface ReportPart {
  receivedAt: string;
  payload: Record<string, unknown>;
}

export interface AssembledReport {
  requestId: number;
  action: string;
  /** True once the last part (tbc false) and every part before it have arrived. */
  complete: boolean;
  /** seqNo values below the highest one seen that have not arrived. */
  missingSeqNos: number[];
  parts: Array<{ seqNo: number | null; tbc: boolean; receivedAt: string; payload: Record<string, unknown> }>;
}

export function assembleReport(action: string, requestId: number, received: readonly ReportPart[]): AssembledReport {
  // A part received twice (same seqNo) counts once: the first one kept.
  const bySeq = new Map<string, ReportPart>();
  for (const part of received) {
    const seqNo = typeof part.payload.seqNo === 'number' ? part.payload.seqNo : null;
    const key = seqNo === null ? `#${bySeq.size}` : String(seqNo);
    if (!bySeq.has(key)) bySeq.set(key, part);
  }
  const parts = [...bySeq.values()]
    .map((p) => ({
      seqNo: typeof p.payload.seqNo === 'number' ? p.payload.seqNo : null,
      tbc: p.payload.tbc === true,
      receivedAt: p.receivedAt,
      payload: p.payload,
    }))
    .sort((a, b) => (a.seqNo ?? 0) - (b.seqNo ?? 0) || a.receivedAt.localeCompare(b.receivedAt));
  const seqNos = parts.flatMap((p) => (p.seqNo === null ? [] : [p.seqNo]));
  const highest = seqNos.length > 0 ? Math.max(...seqNos) : -1;
  const missingSeqNos: number[] = [];
  for (let n = 0; n < highest; n++) if (!seqNos.includes(n)) missingSeqNos.push(n);
  const last = parts.find((p) => !p.tbc && (p.seqNo === null || p.seqNo === highest));
  return { requestId, action, complete: last !== undefined && missingSeqNos.length === 0, missingSeqNos, parts };
}
