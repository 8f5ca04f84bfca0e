// Under `wrangler dev` the meter archive has its local R2 bucket: a run is enabled and answers its report.

import { describe, expect, it } from 'vitest';
import { api } from './helpers';

describe('the meter archive under wrangler dev', () => {
  it('runs with the local ARCHIVE bucket bound', async () => {
    const res = await api('POST', '/archive/run?limit=10');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ enabled: true, retentionDays: 30, failed: [], failedDays: [], left: 0 });
  });
});
