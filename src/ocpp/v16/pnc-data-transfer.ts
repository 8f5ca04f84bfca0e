// A 1.6 charger's Plug & Charge DataTransfer (vendorId org.openchargealliance.iso15118pnc): its 2.0.1 request unwrapped and answered by the 2.0.1 handler itself.
//
// See ocpp/pnc16.ts for the application note this follows. The DataTransfer itself is valid 1.6
// whatever its data holds, so it never gets a CALLERROR for its content: data that is no JSON
// object or breaks the 2.0.1 request schema is answered Rejected (DataTransfer's status for a
// message the recipient understood and refuses), a messageId the note does not define from a
// charger UnknownMessageId. A valid request runs the same handler a 2.0.1 charger's message runs
// (one function for both versions: the OCSP check of C07, the contract-certificate provider, the
// certificate authority), and its answer, checked against the 2.0.1 response schema, goes back
// as the JSON text of `data`. A failure of the CSMS itself (storage) still answers InternalError.

import type { HandlerContext } from '../handlers';
import { isPncChargerMessage, parsePncData, pncSchemas } from '../pnc16';
import { checkRequestValues, validatePayload } from '../validation';
import { handlers as v201Handlers } from '../v201/handlers';
import type { DataTransferResponse } from './schemas.generated';

export async function answerPncDataTransfer(
  req: { messageId?: string; data?: string },
  ctx: HandlerContext,
): Promise<DataTransferResponse> {
  const message = req.messageId;
  if (!isPncChargerMessage(message)) return { status: 'UnknownMessageId' };
  const schemas = pncSchemas(message);
  const parsed = parsePncData(req.data);
  if (!parsed) return { status: 'Rejected' };
  const request = validatePayload(schemas.request, parsed);
  if (!request.ok || checkRequestValues('ocpp2.0.1', request.value)) return { status: 'Rejected' };
  const handler = v201Handlers[message];
  if (!handler) throw new Error(`No 2.0.1 handler for ${message}`);
  // Calls the handler queues to the charger (CertificateSigned after a signed CSR) go wrapped too.
  const response = await handler(request.value as never, { ...ctx, viaPncDataTransfer: true });
  const checked = validatePayload(schemas.response, response);
  // Our own answer broke the schema: a bug here, never the charger's fault (InternalError).
  if (!checked.ok) throw new Error(`Plug & Charge ${message} response failed its 2.0.1 schema: ${checked.error.message}`);
  return { status: 'Accepted', data: JSON.stringify(checked.value) };
}
