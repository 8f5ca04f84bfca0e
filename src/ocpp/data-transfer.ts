// DataTransfer: the hook for vendor extensions, routed by vendorId and messageId.
//
// OCPP leaves DataTransfer's meaning to each vendor. To handle a vendor's messages, register a
// handler for its vendorId (and optionally messageId) here; it answers with a status and
// optional data. Every DataTransfer is kept as a report either way. Unknown vendors are
// answered UnknownVendorId, unknown messages of a known vendor UnknownMessageId, as OCPP says.
// A 1.6 charger's ISO 15118 Plug & Charge (vendorId org.openchargealliance.iso15118pnc) is answered
// before any hook, by the 2.0.1 handlers (v16/pnc-data-transfer.ts).

export type DataTransferStatus = 'Accepted' | 'Rejected' | 'UnknownMessageId' | 'UnknownVendorId';

export interface DataTransferRequest {
  vendorId: string;
  messageId?: string;
  data?: unknown;
}

export interface DataTransferAnswer {
  status: DataTransferStatus;
  /** 1.6 carries data as a string; 2.0.1 as any JSON value. Each version's handler converts. */
  data?: unknown;
}

export type DataTransferHandler = (request: DataTransferRequest, chargerId: string) => DataTransferAnswer | Promise<DataTransferAnswer>;

/** vendorId → messageId ('*' for any) → handler. */
const vendors = new Map<string, Map<string, DataTransferHandler>>();

export function registerDataTransferHandler(vendorId: string, messageId: string | '*', handler: DataTransferHandler): void {
  const byMessage = vendors.get(vendorId) ?? new Map<string, DataTransferHandler>();
  byMessage.set(messageId, handler);
  vendors.set(vendorId, byMessage);
}

export async function answerDataTransfer(request: DataTransferRequest, chargerId: string): Promise<DataTransferAnswer> {
  const byMessage = vendors.get(request.vendorId);
  if (!byMessage) return { status: 'UnknownVendorId' };
  const handler = byMessage.get(request.messageId ?? '') ?? byMessage.get('*');
  if (!handler) return { status: 'UnknownMessageId' };
  return handler(request, chargerId);
}
