import { describe, expect, it } from 'vitest';
import { VouchError } from '../../../lib/errors/index.js';
import { emptyLock } from '../../../lib/lock/index.js';
import { evaluate, parsePolicy, type Policy } from '../../../lib/policy/index.js';
import { NOW, policy } from './builders.js';

const notices = (p: Policy) => evaluate({ evidence: [], nonRegistry: [], registries: [], policy: p, lock: emptyLock(), now: NOW }).notices;

function refused(doc: object): VouchError {
  try {
    parsePolicy(JSON.stringify(doc, null, 2), 'vouch.policy.json');
  } catch (err) {
    if (err instanceof VouchError) return err;
    throw err;
  }
  throw new Error('the policy was accepted');
}

describe('tier settings that cancel each other out', () => {
  it('refuses mode "off" next to fields only a judging mode reads (POLICY_RULE, with the path)', () => {
    const err = refused({
      defaults: { tier: { mode: 'off', enforceSince: '2026-01-01' } },
      rules: [{ packages: 'a', tier: { mode: 'off', includePrereleases: true } }],
    });
    expect(err.code).toBe('POLICY_RULE');
    expect(err.message).toContain('defaults.tier.enforceSince');
    expect(err.message).toContain('rules[0].tier.includePrereleases');
  });

  it('refuses a tier that is neither a mode nor the object (POLICY_SCHEMA)', () => {
    expect(refused({ defaults: { tier: 'strict' } }).code).toBe('POLICY_SCHEMA');
    expect(refused({ defaults: { tier: { mode: 'no-downgrade', since: '2026-01-01' } } }).code).toBe('POLICY_SCHEMA');
  });

  it('notes an enforceSince in the future: nothing is judged until then', () => {
    expect(notices(policy({ defaults: { tier: { enforceSince: '2027-01-01' } } }))).toEqual([
      expect.stringContaining('defaults.tier.enforceSince is 2027-01-01T00:00:00.000Z, in the future'),
    ]);
  });

  it('notes an enforceSince closer than minReleaseAge: every installable version predates it', () => {
    const [notice] = notices(policy({ rules: [{ packages: '@acme/*', minReleaseAge: 30, tier: { enforceSince: '2026-11-14' } }] }));
    expect(notice).toContain('rules[0].tier.enforceSince');
    expect(notice).toContain('until 2026-12-14');
    expect(notices(policy({ defaults: { minReleaseAge: 3, tier: { enforceSince: '2026-11-14' } } }))).toEqual([]);
  });

  it('notes provenance "warn" under tier "no-downgrade", and an exception that waives TIER_DOWNGRADE for every version', () => {
    const found = notices(
      policy({
        defaults: { provenance: 'warn' },
        exceptions: { a: [{ allow: ['TIER_DOWNGRADE'], reason: 'r', approvedBy: 'j', expires: '2099-01-01' }] },
      }),
    );
    expect(found).toEqual([
      expect.stringContaining('defaults.provenance is "warn" but defaults.tier is "no-downgrade"'),
      expect.stringContaining('exceptions.a[0] waives TIER_DOWNGRADE for every version of a'),
    ]);
    expect(notices(policy({ defaults: { provenance: 'warn', tier: 'warn' } }))).toEqual([]);
  });
});
