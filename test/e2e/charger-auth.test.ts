// Security Profile 1 with a real client: ocpp-rpc sends HTTP Basic auth (username = its identity).
import { describe, expect, it } from 'vitest';
import { api, BOOT, connectCharger, uniqueChargerId } from './helpers.ts';

const PASSWORD = 'e2e-password-0123456789';

describe('charger authentication with a real client', () => {
  it('connects with the right password, and is refused with a wrong one or none', async () => {
    const id = uniqueChargerId('AUTH');
    expect((await api('PUT', `/chargers/${id}`, { securityProfile: 1, password: PASSWORD })).status).toBe(201);

    await expect(connectCharger('ocpp2.0.1', id)).rejects.toThrow(/Unauthorized|401/);
    await expect(connectCharger('ocpp2.0.1', id, 'not-the-password-0000')).rejects.toThrow(/Unauthorized|401/);

    const client = await connectCharger('ocpp2.0.1', id, PASSWORD);
    const boot = (await client.call(BOOT['ocpp2.0.1'].action, BOOT['ocpp2.0.1'].params)) as { status: string };
    expect(boot.status).toBe('Accepted');
  });
});
