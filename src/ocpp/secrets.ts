// What is secret in OCPP traffic, in one place: which values are redacted wherever the CSMS keeps or shows them, and which commands change credentials.
//
// Used by the message journal, the stored configuration and reports, queued commands, command
// answers, events and logs. Keys are matched case-insensitively: the specs spell them one way,
// chargers are not all strict about it, and a mis-cased secret is still a secret.

import { PNC_COMMAND_PREFIX, pncCommandMessage } from './pnc16';

/** What a secret value is replaced with; a string, so a redacted frame stays valid JSON of the same shape. */
export const REDACTED = '<redacted>';

/** 1.6 configuration keys whose value is a credential (AuthorizationKey is the Basic-auth password, hex-encoded). */
const SECRET_KEYS_16 = new Set(['authorizationkey']);
/** 2.0.1 variables (component.variable) whose value is a credential; the spec also marks BasicAuthPassword WriteOnly. */
const SECRET_VARIABLES_201 = new Set(['securityctrlr.basicauthpassword']);
/**
 * Configuration keys (1.6) and variables (2.0.1, 2.1) whose name says they hold a credential,
 * whatever the vendor: `WifiPassword`, `ApnPassword`, `WebSocketPassword`, `MqttSecret`,
 * `TlsPrivateKey`… and the network-profile credentials 2.1 lets SetVariables write (its
 * NetworkConfiguration component: `BasicAuthPassword`, `ApnPassword`, `VpnPassword`, `VpnKey`, `SimPin`).
 */
const SECRET_NAME = /password|passwd|secret|privatekey|vpnkey|simpin/i;
/**
 * Properties whose value is secret wherever they appear (the NetworkConnectionProfile's APN and
 * VPN credentials, 2.1's basicAuthPassword, any password). A SIM PIN is an integer in 2.0.1 and
 * 2.1, and is a secret all the same: numbers under these names are redacted too.
 */
const SECRET_PROPERTY = /^(?:[a-z]*password|simpin|privatekey)$/i;
/** A PEM private key block (PKCS#8, RSA, EC, encrypted…); a cut-off block is redacted to its end. */
const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[^"]*?(?:-----END \1PRIVATE KEY-----|(?="|$))/g;
/**
 * An upload URL the CSMS signed for a charger's log or diagnostics file (api/log-upload-urls.ts):
 * the signature after charger, request and expiry is a credential until it expires, so it is
 * redacted wherever the URL is kept or shown (the charger alone needs it). The request id may be
 * below zero (a GetLog requestId is any integer), and a charger echoing the URL in JSON text may
 * escape its slashes (`\/`, as JSON allows): both still match.
 */
const SIGNED_UPLOAD_URL = /(\/uploads\\?\/logs\\?\/[^/\\\s"?#]+\\?\/-?\d+\\?\/\d+\\?\/)[A-Za-z0-9_-]+/g;
/** Words without which a frame cannot carry a secret; frames without any are kept as they are, unparsed. */
const SECRET_MARKERS = /authorizationkey|password|passwd|secret|privatekey|writeonly|private key|simpin|vpnkey|"vpn"|\\u|\/uploads\\?\/logs/i;

/** Variables the charger itself marked WriteOnly (learnt from its reports), beyond the ones the spec names. */
export type WriteOnlyLookup = (component: string, variable: string) => boolean;

/**
 * Whether a configuration value is secret: a 1.6 key (component '') or a 2.0.1 variable named
 * above, one whose name says it holds a credential, or any variable the charger reports as WriteOnly.
 */
export function isSecretVariable(component: string, variable: string, mutability?: string | null, writeOnly?: WriteOnlyLookup): boolean {
  if (mutability?.toLowerCase() === 'writeonly') return true;
  if (component === '' && SECRET_KEYS_16.has(variable.toLowerCase())) return true;
  if (SECRET_NAME.test(variable)) return true;
  if (SECRET_VARIABLES_201.has(`${component}.${variable}`.toLowerCase())) return true;
  return writeOnly?.(component, variable) ?? false;
}

/** A configuration value as it may be kept: redacted when the variable is secret; PEM private keys cut out of any other. */
export function keptValue(
  component: string,
  variable: string,
  value: string | null,
  mutability?: string | null,
  writeOnly?: WriteOnlyLookup,
): string | null {
  if (value === null) return null;
  return isSecretVariable(component, variable, mutability, writeOnly) ? REDACTED : redactPrivateKeys(value);
}

export function redactPrivateKeys(text: string): string {
  const withoutKeys = text.includes('PRIVATE KEY') ? text.replace(PEM_PRIVATE_KEY, REDACTED) : text;
  return redactSignedUploadUrls(withoutKeys);
}

/** `text` with the signature of every upload URL the CSMS signed replaced by REDACTED. */
export function redactSignedUploadUrls(text: string): string {
  return text.includes('/uploads') ? text.replace(SIGNED_UPLOAD_URL, `$1${REDACTED}`) : text;
}

/**
 * A copy of an OCPP payload (request or answer, either version) with every secret replaced by
 * REDACTED. It recognises secrets by shape, not by action, so an answer needs no knowledge of its
 * request: `{key, value}` pairs (1.6 ChangeConfiguration, GetConfiguration), `{component, variable,
 * attributeValue}` (2.0.1 Set/GetVariables), `{component, variable, variableAttribute[]}`
 * (NotifyReport, including any attribute reported WriteOnly), `{component, variable, actualValue}`
 * (NotifyEvent), secret-named properties and PEM private keys anywhere.
 */
export function redactSecrets<T>(payload: T, writeOnly?: WriteOnlyLookup): T {
  return redact(payload, writeOnly, false) as T;
}

function redact(value: unknown, writeOnly: WriteOnlyLookup | undefined, inVpn: boolean): unknown {
  if (typeof value === 'string') return redactPrivateKeys(value);
  if (Array.isArray(value)) return value.map((item) => redact(item, writeOnly, false));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const secretFields = new Set<string>();
  if (typeof object.key === 'string' && isSecretVariable('', object.key)) secretFields.add('value');
  const target = variableTarget(object);
  const secretTarget = target !== undefined && isSecretVariable(target.component, target.variable, null, writeOnly);
  if (secretTarget) {
    secretFields.add('attributeValue');
    // A NotifyEvent reports the variable's value as actualValue.
    secretFields.add('actualValue');
  }
  // A DataTransfer's data (request: with vendorId; answer: with status) may be a payload as JSON
  // text: 1.6 Plug & Charge carries 2.0.1 messages so (pnc16.ts). Redacted inside like any payload.
  const jsonText = typeof object.data === 'string' && (typeof object.vendorId === 'string' || typeof object.status === 'string');
  const copy: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(object)) {
    if (name === 'data' && jsonText) {
      copy[name] = redactJsonText(field as string, writeOnly);
    } else if (
      (typeof field === 'string' && (secretFields.has(name) || SECRET_PROPERTY.test(name) || (inVpn && name === 'key'))) ||
      (typeof field === 'number' && SECRET_PROPERTY.test(name))
    ) {
      copy[name] = REDACTED;
    } else if (name === 'variableAttribute' && target && Array.isArray(field)) {
      copy[name] = field.map((attribute) => redactAttribute(attribute, secretTarget));
    } else {
      copy[name] = redact(field, writeOnly, name === 'vpn');
    }
  }
  return copy;
}

/** Text that may hold a JSON payload: parsed and redacted as one when it is JSON, else as any text. */
function redactJsonText(text: string, writeOnly: WriteOnlyLookup | undefined): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return redactPrivateKeys(text);
  }
  if (parsed === null || typeof parsed !== 'object') return redactPrivateKeys(text);
  const redacted = JSON.stringify(redact(parsed, writeOnly, false));
  // Unchanged, the text is kept as sent (its spacing and key order are the charger's).
  return redacted === JSON.stringify(parsed) ? text : redacted;
}

/** One NotifyReport variableAttribute: its value is secret when the variable is, or when it says WriteOnly. */
function redactAttribute(attribute: unknown, secretTarget: boolean): unknown {
  if (attribute === null || typeof attribute !== 'object' || Array.isArray(attribute)) return redact(attribute, undefined, false);
  const { value, ...rest } = attribute as Record<string, unknown>;
  const copy = redact(rest, undefined, false) as Record<string, unknown>;
  if (value === undefined) return copy;
  const writeOnly = typeof rest.mutability === 'string' && rest.mutability.toLowerCase() === 'writeonly';
  return { ...copy, value: typeof value === 'string' && (secretTarget || writeOnly) ? REDACTED : redact(value, undefined, false) };
}

function variableTarget(object: Record<string, unknown>): { component: string; variable: string } | undefined {
  const component = (object.component as { name?: unknown } | undefined)?.name;
  const variable = (object.variable as { name?: unknown } | undefined)?.name;
  return typeof component === 'string' && typeof variable === 'string' ? { component, variable } : undefined;
}

/**
 * An OCPP-J frame's text with its secrets redacted, for keeping (the message journal). A frame
 * that cannot hold one is returned as it is, unparsed; one that is not JSON is scrubbed as text.
 * `alsoMentions` are names (e.g. of variables the charger marked WriteOnly) that make a frame
 * worth parsing.
 */
export function redactFrameText(text: string, writeOnly?: WriteOnlyLookup, alsoMentions: readonly string[] = []): string {
  if (!mayHoldSecret(text, alsoMentions)) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return redactUnparsedText(text);
  }
  const redacted = JSON.stringify(redactSecrets(parsed, writeOnly));
  return redacted === JSON.stringify(parsed) ? text : redacted;
}

export function mayHoldSecret(text: string, alsoMentions: readonly string[] = []): boolean {
  if (SECRET_MARKERS.test(text)) return true;
  if (alsoMentions.length === 0) return false;
  const lower = text.toLowerCase();
  return alsoMentions.some((name) => lower.includes(name.toLowerCase()));
}

/**
 * Text that is not JSON (a malformed frame, a log message) but mentions a secret: private keys
 * are cut out, and every quoted value of a property that may hold one is replaced. It may take
 * more than the secret; that is the safe side.
 */
export function redactUnparsedText(text: string): string {
  const withoutKeys = redactPrivateKeys(text);
  if (!/authorizationkey|password|passwd|secret|privatekey|writeonly|simpin|vpnkey|"vpn"/i.test(withoutKeys)) return withoutKeys;
  return withoutKeys
    .replace(
      /("(?:value|attributeValue|actualValue|key|[A-Za-z]*[Pp]assword|simPin)"\s*:\s*)"(?:[^"\\]|\\.)*("|$)/g,
      (_match, head: string, end: string) => `${head}"${REDACTED}${end}`,
    )
    // A SIM PIN is sent as a number.
    .replace(/("simPin"\s*:\s*)-?\d+/gi, `$1"${REDACTED}"`);
}

// ---- Literal secrets echoed back ----

/**
 * Shorter values are not scrubbed as free text: they would match ordinary words and numbers in an
 * answer (their shaped positions are redacted all the same). Every password is at least 16.
 */
const MIN_LITERAL_LENGTH = 8;

/**
 * The secret values a request carries (what redactSecrets replaces in it), in every form a
 * charger may echo them in: as sent, hex-decoded (a 1.6 AuthorizationKey is the password in hex)
 * and hex-encoded (a 2.0.1 BasicAuthPassword is sent in clear). See scrubLiterals.
 */
export function secretLiterals(request: unknown, writeOnly?: WriteOnlyLookup): string[] {
  const found = new Set<string>();
  const add = (text: string) => {
    if (text.length >= MIN_LITERAL_LENGTH && text !== REDACTED) found.add(text);
  };
  const visit = (sent: unknown, kept: unknown): void => {
    if (typeof sent === 'string') {
      if (sent === kept) return;
      add(sent);
      if (/^(?:[0-9a-f]{2})+$/i.test(sent)) add(new TextDecoder().decode(Uint8Array.from(sent.match(/../g)!, (b) => parseInt(b, 16))));
      add([...new TextEncoder().encode(sent)].map((b) => b.toString(16).padStart(2, '0')).join(''));
      return;
    }
    if (Array.isArray(sent)) {
      sent.forEach((item, i) => visit(item, (kept as unknown[] | undefined)?.[i]));
      return;
    }
    if (sent === null || typeof sent !== 'object') return;
    for (const [name, field] of Object.entries(sent)) visit(field, (kept as Record<string, unknown> | undefined)?.[name]);
  };
  visit(request, redactSecrets(request, writeOnly));
  return [...found];
}

/**
 * A copy of `value` (an answer's payload, a CALLERROR's description or details) with each of
 * `literals` replaced by REDACTED wherever it appears inside a string, whatever the case: a
 * charger's error text may echo the value the CSMS sent it.
 */
export function scrubLiterals<T>(value: T, literals: readonly string[]): T {
  if (literals.length === 0) return value;
  const pattern = new RegExp([...literals].sort((a, b) => b.length - a.length).map((l) => l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gi');
  const scrub = (item: unknown): unknown => {
    if (typeof item === 'string') return item.replace(pattern, REDACTED);
    if (Array.isArray(item)) return item.map(scrub);
    if (item === null || typeof item !== 'object') return item;
    return Object.fromEntries(Object.entries(item).map(([name, field]) => [name, scrub(field)]));
  };
  return scrub(value) as T;
}

// ---- Commands that change how a charger authenticates or whom it trusts ----

/** Where an operator sends a credential- or security-affecting call instead of the generic command route. */
export const CREDENTIAL_ROUTES =
  'POST /api/v1/chargers/{chargerId}/security-commands (admin; the Basic-auth password only through POST /api/v1/chargers/{chargerId}/password)';

/** Where a password is changed: the only route that keeps the CSMS's hash in step with the charger. */
export const PASSWORD_ROUTE = 'POST /api/v1/chargers/{chargerId}/password';

/** 1.6 configuration keys that change how the charger authenticates. */
const CREDENTIAL_KEYS_16 = new Set(['authorizationkey', 'securityprofile']);
/**
 * 1.6 configuration keys that say where the charger connects (vendor-specific, but common:
 * `CentralSystemURL`, `CentralSystemUrl`, `OcppServerUrl`…): any key whose name holds "url".
 */
const REDIRECT_KEY_16 = /url/i;
/** 2.0.1 variables that change how the charger authenticates, or where and with what it connects. */
const CREDENTIAL_VARIABLES_201 = new Set([
  'securityctrlr.basicauthpassword',
  'securityctrlr.securityprofile',
  'securityctrlr.identity',
  'ocppcommctrlr.networkconfigurationpriority',
  'ocppcommctrlr.networkconfiguration',
]);
/**
 * Root certificates through which the charger trusts its CSMS (1.6 security extension, 2.0.1) or
 * its firmware: installing one lets whoever holds its key impersonate the CSMS or sign firmware.
 */
const TRUST_ROOTS = new Set(['centralsystemrootcertificate', 'csmsrootcertificate', 'manufacturerrootcertificate']);

/**
 * What credential- or security-affecting change a command would make (`ChangeConfiguration
 * AuthorizationKey`, `InstallCertificate CSMSRootCertificate`…), or undefined. These go only
 * through the admin routes (CREDENTIAL_ROUTES); the check needs no version, as each of these
 * actions and keys exists in one version only.
 *
 * - 1.6 ChangeConfiguration of AuthorizationKey, SecurityProfile, a key naming a URL (where the
 *   charger connects) or a credential (WifiPassword…);
 * - 2.0.1 SetVariables of the security and network-connection variables, or of a credential;
 * - SetNetworkProfile (the CSMS URL, security profile and APN/VPN credentials);
 * - InstallCertificate of a root the charger trusts the CSMS or firmware by;
 * - DeleteCertificate of any certificate: its hash does not say which certificate it is, and
 *   deleting the CSMS root or the charger's own client certificate cuts the charger off;
 * - CertificateSigned sent by hand: it replaces the certificate the charger connects with.
 */
export function credentialChange(action: string, payload: unknown): string | undefined {
  // A 1.6 Plug & Charge command (PnC.InstallCertificate...) is the 2.0.1 action in DataTransfer: the same rules.
  const pnc = pncCommandMessage(action);
  if (pnc) {
    const change = credentialChange(pnc, payload);
    return change && `${PNC_COMMAND_PREFIX}${change}`;
  }
  const body = (payload ?? {}) as Record<string, unknown>;
  switch (action) {
    case 'ChangeConfiguration': {
      const key = body.key;
      if (typeof key !== 'string') return undefined;
      const affects = CREDENTIAL_KEYS_16.has(key.toLowerCase()) || REDIRECT_KEY_16.test(key) || SECRET_NAME.test(key);
      return affects ? `ChangeConfiguration ${key}` : undefined;
    }
    case 'SetVariables': {
      const data = Array.isArray(body.setVariableData) ? (body.setVariableData as unknown[]) : [];
      for (const item of data) {
        const target = item && typeof item === 'object' ? variableTarget(item as Record<string, unknown>) : undefined;
        if (!target) continue;
        if (
          CREDENTIAL_VARIABLES_201.has(`${target.component}.${target.variable}`.toLowerCase()) ||
          SECRET_NAME.test(target.variable) ||
          // 2.1: each variable of a NetworkConfiguration instance is a field of a network connection profile, as SetNetworkProfile sets it.
          target.component.toLowerCase() === 'networkconfiguration'
        ) {
          return `SetVariables ${target.component}.${target.variable}`;
        }
      }
      return undefined;
    }
    case 'SetNetworkProfile':
      // A network connection profile carries the security profile, the CSMS URL and APN/VPN credentials.
      return 'SetNetworkProfile';
    case 'InstallCertificate': {
      const type = body.certificateType;
      return typeof type === 'string' && TRUST_ROOTS.has(type.toLowerCase()) ? `InstallCertificate ${type}` : undefined;
    }
    case 'DeleteCertificate':
    case 'CertificateSigned':
      return action;
    default:
      return undefined;
  }
}

/**
 * Whether a command changes the Basic-auth password: only POST /password may, as it keeps the
 * pending hash that makes the change crash-safe.
 */
export function passwordChange(action: string, payload: unknown): string | undefined {
  const body = (payload ?? {}) as Record<string, unknown>;
  if (action === 'ChangeConfiguration') {
    return typeof body.key === 'string' && body.key.toLowerCase() === 'authorizationkey' ? `ChangeConfiguration ${body.key}` : undefined;
  }
  if (action === 'SetVariables' && Array.isArray(body.setVariableData)) {
    for (const item of body.setVariableData as unknown[]) {
      const target = item && typeof item === 'object' ? variableTarget(item as Record<string, unknown>) : undefined;
      if (target && `${target.component}.${target.variable}`.toLowerCase() === 'securityctrlr.basicauthpassword') {
        return `SetVariables ${target.component}.${target.variable}`;
      }
    }
  }
  return undefined;
}

/** The variables a 2.0.1 report (NotifyReport) marks WriteOnly, so their values can be recognised in later messages. */
export function writeOnlyVariablesIn(payload: unknown): Array<{ component: string; variable: string }> {
  const found: Array<{ component: string; variable: string }> = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const object = value as Record<string, unknown>;
    const target = variableTarget(object);
    if (target && Array.isArray(object.variableAttribute)) {
      const writeOnly = object.variableAttribute.some(
        (a) => typeof (a as { mutability?: unknown })?.mutability === 'string' && (a as { mutability: string }).mutability.toLowerCase() === 'writeonly',
      );
      if (writeOnly) found.push(target);
    }
    for (const field of Object.values(object)) if (field !== null && typeof field === 'object') visit(field);
  };
  visit(payload);
  return found;
}

/**
 * The lists above, as data for the operator console (console/config-editor.ts), which offers no
 * edit of a key or variable that is a credential, or that the generic command route refuses
 * (credentialChange): it shows such a one redacted or read-only, and says where it is changed.
 */
export const CONSOLE_CREDENTIAL_RULES = {
  redacted: REDACTED,
  secretKeys16: [...SECRET_KEYS_16],
  secretVariables201: [...SECRET_VARIABLES_201],
  secretName: SECRET_NAME.source,
  credentialKeys16: [...CREDENTIAL_KEYS_16],
  redirectKey16: REDIRECT_KEY_16.source,
  credentialVariables201: [...CREDENTIAL_VARIABLES_201],
  passwordRoute: PASSWORD_ROUTE,
  credentialRoutes: CREDENTIAL_ROUTES,
};
