// Command-line options of the charger simulator: parsing, validation and the --help text.

export const USAGE = `Usage: npm run simulate -- [options]

Runs virtual OCPP chargers against a CSMS: they boot, report their status, heartbeat,
authorize a tag, charge with a realistic meter curve, answer every command the CSMS sends,
obey the charging profiles they accept, and stop cleanly at the end of the run (or on
Ctrl-C / SIGTERM).

  --url <ws-url>          the CSMS's OCPP endpoint; chargers connect to <url>/<id>
                          (default ws://127.0.0.1:8787/ocpp)
  --chargers <n>          number of chargers (default 10, at most 5000)
  --protocol <p>          1.6, 2.0.1, 2.1 or mixed (2.0.1, 1.6, 2.1 in turn) (default 2.0.1)
  --duration <s>          seconds to run before stopping every session (default 60)
  --id-prefix <text>      charger ids are <prefix>-0001, <prefix>-0002, … (default SIM)
  --meter-interval <s>    seconds between meter values while charging (default 5)
  --password <text>       HTTP Basic password of every charger (Security Profile 1)
  --tag <idTag>           the id tag the chargers present (default <prefix>-TAG, at most 20 chars)
  --ramp <n>              chargers started per second (default 10)
  --max-amps <n>          each charger's rating, amps per phase (default 32); a car draws
                          the lowest of its own maximum, this and the charging profiles' limit
  --car-amps <n>          every car's maximum, amps per phase (default: 16 or 32 at random)
  --reject-profiles       answer SetChargingProfile with Rejected and charge at full draw
  --api <http-url>        the CSMS's HTTP API base, e.g. http://127.0.0.1:8787; with --token,
  --token <token>         registers the chargers and an Accepted tag before starting
  --help                  this text

Exits 0 when the run had no errors, 1 when any protocol or connection error occurred,
2 on bad options or a failed registration.`;

const DEFAULTS = {
  url: 'ws://127.0.0.1:8787/ocpp',
  chargers: 10,
  protocol: '2.0.1',
  duration: 60,
  idPrefix: 'SIM',
  meterInterval: 5,
  password: undefined,
  tag: undefined,
  ramp: 10,
  api: undefined,
  token: undefined,
  maxAmps: 32,
  carAmps: undefined,
  rejectProfiles: false,
};

const NAMES = {
  '--url': 'url',
  '--chargers': 'chargers',
  '--protocol': 'protocol',
  '--duration': 'duration',
  '--id-prefix': 'idPrefix',
  '--meter-interval': 'meterInterval',
  '--password': 'password',
  '--tag': 'tag',
  '--ramp': 'ramp',
  '--api': 'api',
  '--token': 'token',
  '--max-amps': 'maxAmps',
  '--car-amps': 'carAmps',
};

/** Options without a value: present means true. */
const FLAGS = { '--reject-profiles': 'rejectProfiles' };

const PRINTABLE = /^[!-~]+$/;

export class OptionError extends Error {}

function number(name, text, { min, max, integer }) {
  const value = Number(text);
  if (text === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    throw new OptionError(`${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, not ${JSON.stringify(text)}`);
  }
  return value;
}

/** Parses argv (without node and the script); returns the options, or { help: true }. */
export function parseOptions(argv) {
  const raw = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    if (arg === '--help' || arg === '-h') return { help: true };
    let value;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (FLAGS[arg]) {
      if (value !== undefined) throw new OptionError(`${arg} takes no value`);
      raw[FLAGS[arg]] = true;
      continue;
    }
    const key = NAMES[arg];
    if (!key) throw new OptionError(`unknown option ${JSON.stringify(arg)} (see --help)`);
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new OptionError(`${arg} needs a value`);
      value = argv[++i];
    }
    raw[key] = value;
  }

  const options = { ...raw };
  options.chargers = number('--chargers', String(raw.chargers), { min: 1, max: 5000, integer: true });
  options.duration = number('--duration', String(raw.duration), { min: 1, max: 7 * 24 * 3600, integer: false });
  options.meterInterval = number('--meter-interval', String(raw.meterInterval), { min: 0.2, max: 3600, integer: false });
  options.ramp = number('--ramp', String(raw.ramp), { min: 1, max: 1000, integer: true });
  options.maxAmps = number('--max-amps', String(raw.maxAmps), { min: 1, max: 1000, integer: false });
  if (raw.carAmps !== undefined) options.carAmps = number('--car-amps', String(raw.carAmps), { min: 1, max: 1000, integer: false });

  const protocol = String(raw.protocol).replace(/^ocpp/, '');
  if (!['1.6', '2.0.1', '2.1', 'mixed'].includes(protocol)) throw new OptionError(`--protocol must be 1.6, 2.0.1, 2.1 or mixed`);
  options.protocol = protocol;

  let url;
  try {
    url = new URL(raw.url);
  } catch {
    throw new OptionError(`--url is not a URL: ${JSON.stringify(raw.url)}`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new OptionError('--url must be a ws:// or wss:// URL');
  if (url.search || url.hash) throw new OptionError('--url must have no query or fragment');
  options.url = url.href.replace(/\/+$/, '');

  // The longest id is <prefix>-<digits>; a charger id is at most 48 printable characters, no ':'.
  const digits = Math.max(4, String(options.chargers).length);
  if (!PRINTABLE.test(raw.idPrefix) || raw.idPrefix.includes(':') || raw.idPrefix.length + 1 + digits > 48) {
    throw new OptionError(`--id-prefix must be printable ASCII without ':' or spaces, at most ${47 - digits} characters`);
  }
  options.ids = Array.from({ length: options.chargers }, (_, i) => `${raw.idPrefix}-${String(i + 1).padStart(digits, '0')}`);

  options.tag = raw.tag ?? `${raw.idPrefix}-TAG`.slice(0, 20);
  if (!PRINTABLE.test(options.tag) || options.tag.length > 20) {
    throw new OptionError('--tag must be 1-20 printable ASCII characters (OCPP 1.6 idTag)');
  }

  if (raw.password !== undefined && !/^[!-~]{16,40}$/.test(raw.password)) {
    throw new OptionError('--password must be 16-40 printable ASCII characters');
  }

  if ((raw.api === undefined) !== (raw.token === undefined)) throw new OptionError('--api and --token go together');
  if (raw.api !== undefined) {
    let api;
    try {
      api = new URL(raw.api);
    } catch {
      throw new OptionError(`--api is not a URL: ${JSON.stringify(raw.api)}`);
    }
    if (api.protocol !== 'http:' && api.protocol !== 'https:') throw new OptionError('--api must be an http:// or https:// URL');
    // Either the server's root or its /api/v1: requests go to <root>/api/v1/…
    options.api = api.href.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
  }
  return options;
}

/** The versions `mixed` takes in turn: 2.0.1 first, as before 2.1 joined, so small fleets keep their mix. */
export const MIXED = ['ocpp2.0.1', 'ocpp1.6', 'ocpp2.1'];

/** The OCPP subprotocol of the charger at `index` (0-based). */
export function protocolOf(options, index) {
  if (options.protocol === 'mixed') return MIXED[index % MIXED.length];
  return `ocpp${options.protocol}`;
}
