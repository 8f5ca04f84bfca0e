// The sample commands the catalogue tests send, made to follow the outbound rules, still match
// their schemas and break no rule (for a charger with no transaction running).
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { statefulViolation, statelessViolation } from '../../src/ocpp/outbound-rules';
import { PROFILES, schemaFor } from '../../src/ocpp/protocol';
import { fullPayload, minimalPayload, type Version } from '../support/sample-payloads';
import { followingOutboundRules } from '../support/spec-valid-payloads';

const versions: Version[] = ['ocpp1.6', 'ocpp2.0.1'];

describe.each(versions)('%s sample commands following the outbound rules', (version) => {
  const actions = [...PROFILES[version].csmsInitiated];
  it.each(actions.flatMap((action) => [{ action, variant: 'full' as const }, { action, variant: 'minimal' as const }]))(
    '$action ($variant) matches its schema and breaks no rule',
    ({ action, variant }) => {
      const sample = (variant === 'full' ? fullPayload : minimalPayload)(version, action, 'req');
      const payload = followingOutboundRules(version, action, sample);
      const parsed = v.safeParse(schemaFor(PROFILES[version].requestSchemas, action)!, payload);
      expect(parsed.success ? [] : parsed.issues.map((i) => i.message)).toEqual([]);
      expect(statelessViolation(version, action, payload)).toBeUndefined();
      expect(statefulViolation(version, action, payload, { running: [], profiles: [] })).toBeUndefined();
    },
  );
});
