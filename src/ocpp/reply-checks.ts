// What the CSMS sends back about a charger's reply to one of its own calls: on 2.1, a CALLRESULTERROR
// when the CALLRESULT fails its action's response schema; otherwise (and on 1.6 / 2.0.1) nothing.

import { hasRpc21Frames, serializeCallResultError, type CallResult } from './frames';
import { schemaFor, type VersionProfile } from './protocol';
import { validatePayload } from './validation';

/**
 * The CALLRESULTERROR to send about `result`, the charger's answer to our `action`, or undefined
 * when it is valid or the version has no such frame. Its code is the validator's, as a CALLERROR
 * to an invalid CALL would carry (FormatViolation, OccurrenceConstraintViolation…). Sending it
 * changes nothing else: the call still settles with the payload, and the command reads it as an
 * invalid response as on any version.
 */
export function callResultError(profile: VersionProfile, action: string, result: CallResult): string | undefined {
  if (!hasRpc21Frames(profile.version)) return undefined;
  const schema = schemaFor(profile.responseSchemas, action);
  if (!schema) return undefined;
  const checked = validatePayload(schema, result.payload);
  return checked.ok ? undefined : serializeCallResultError(profile.version, result.id, checked.error);
}
