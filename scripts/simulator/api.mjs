// Registers the simulated chargers and their id tag through the CSMS's HTTP API (--api, --token),
// so the run also works against a deployment that refuses chargers it does not know.

const PARALLEL = 8;

export class RegistrationError extends Error {}

async function put(options, path, body) {
  const res = await fetch(`${options.api}/api/v1${path}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  if (res.status !== 200 && res.status !== 201) {
    throw new RegistrationError(`PUT ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
  }
}

/** PUT /api/v1/id-tags/{tag} as Accepted, then PUT /api/v1/chargers/{id} for each charger, a few at a time. */
export async function registerFleet(options, onProgress = () => {}) {
  await put(options, `/id-tags/${encodeURIComponent(options.tag)}`, { status: 'Accepted' });
  const body = options.password === undefined ? {} : { securityProfile: 1, password: options.password };
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < options.ids.length) {
      const id = options.ids[next++];
      await put(options, `/chargers/${encodeURIComponent(id)}`, body);
      onProgress(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, options.ids.length) }, worker));
}
