import { describe, expect, it } from 'vitest';
import { isVouchError } from '../../../lib/errors/index.js';
import { approve, emptyLock, lockMissingEntries, parseLock, recordVerified, serializeLock, type Lock } from '../../../lib/lock/index.js';
import { evaluate, evidenceDigest, identityDigest, identityOf, type Policy } from '../../../lib/policy/index.js';
import type { PackageEvidence } from '../../../lib/verify/types.js';
import { KEY_A, NOW, NPM_KEY, evidence, ghIdentity, policy, ref } from '../policy/builders.js';

const PIN_A = {
  issuer: 'https://token.actions.githubusercontent.com',
  repository: 'https://github.com/acme/a',
  repositoryId: '1001',
  ownerId: '2002',
  workflow: '.github/workflows/release.yml',
};

function record(list: PackageEvidence[], lock: Lock = emptyLock(), p: Policy = policy({})): Lock {
  return recordVerified(lock, evaluate({ evidence: list, nonRegistry: [], registries: [], policy: p, lock, now: NOW }));
}

describe('recordVerified', () => {
  it('records allowed versions with integrity, registry key, attestation level and evidence digest', () => {
    const e = evidence('a', '1.0.0', { provenance: ghIdentity('acme/a') });
    const lock = record([e]);
    expect(lock.packages.a?.versions['1.0.0']).toEqual({
      integrity: e.integrity?.kind === 'ok' ? e.integrity.integrity : '',
      registryKey: NPM_KEY,
      attested: 'provenance',
      identity: identityDigest(PIN_A),
      evidence: evidenceDigest(e),
    });
    expect(lock.packages.a?.identity).toEqual(PIN_A);
  });

  it('moves the lines accepted under the pin when the pin gains a field, so each still names its identity', () => {
    const keyed = evidence('a', '1.0.0', { publisher: KEY_A });
    const both = evidence('a', '1.1.0', { publisher: KEY_A, provenance: ghIdentity('acme/a') });
    const lock = record([both], record([keyed]));
    expect(lock.packages.a?.identity).toEqual({ ...PIN_A, publisherKey: KEY_A });
    const pointers = Object.values(lock.packages.a?.versions ?? {}).map((v) => v.identity);
    expect(pointers).toEqual([identityDigest({ ...PIN_A, publisherKey: KEY_A }), identityDigest({ ...PIN_A, publisherKey: KEY_A })]);
  });

  it('records nothing for a denied package', () => {
    const lock = record([evidence('a', '1.0.0')], emptyLock(), policy({ defaults: { provenance: 'require' } }));
    expect(lock.packages).toEqual({});
  });

  it('records a warned package (e.g. an unsigned registry under the built-in policy) without a registry key', () => {
    const lock = record([evidence('a', '1.0.0', { signature: { kind: 'no-keys' } })], emptyLock(), policy({ defaults: { unsignedRegistry: 'warn' } }));
    expect(lock.packages.a?.versions['1.0.0']?.registryKey).toBeUndefined();
  });

  it('never overwrites a pinned identity with a different one', () => {
    const first = record([evidence('a', '1.0.0', { provenance: ghIdentity('acme/a') })]);
    // Evaluate the moved version without the lock (as if the lock were ignored) and record into the lock.
    const moved = evidence('a', '1.1.0', { provenance: ghIdentity('evil/a', { repositoryId: '666' }) });
    const report = evaluate({ evidence: [moved], nonRegistry: [], registries: [], policy: policy({}), lock: emptyLock(), now: NOW });
    const lock = recordVerified(first, report);
    expect(lock.packages.a?.identity?.repository).toBe('https://github.com/acme/a');
  });

  it('adds identity fields the pin lacked when the new evidence contradicts none', () => {
    const old = record([evidence('a', '1.0.0', { provenance: ghIdentity('acme/a', { repositoryId: undefined, ownerId: undefined }) })]);
    expect(old.packages.a?.identity?.repositoryId).toBeUndefined();
    const lock = record([evidence('a', '1.1.0', { provenance: ghIdentity('acme/a') })], old);
    expect(lock.packages.a?.identity).toMatchObject({ repository: 'https://github.com/acme/a', repositoryId: '1001', ownerId: '2002' });
  });

  it('adds a publisher key to a provenance pin', () => {
    const old = record([evidence('a', '1.0.0', { provenance: ghIdentity('acme/a') })]);
    const lock = record([evidence('a', '1.1.0', { provenance: ghIdentity('acme/a'), publisher: KEY_A })], old);
    expect(lock.packages.a?.identity?.publisherKey).toBe(KEY_A);
  });

  it('keeps versions no longer in the tree (they are downgrade baselines) and is idempotent', () => {
    const once = record([evidence('a', '1.0.0'), evidence('b', '2.0.0')]);
    const twice = record([evidence('a', '1.0.0')], once);
    expect(serializeLock(twice)).toBe(serializeLock(once));
  });

  it('does not change the lock it was given', () => {
    const lock = emptyLock();
    record([evidence('a', '1.0.0')], lock);
    expect(lock).toEqual(emptyLock());
  });
});

describe('approve', () => {
  const pinned = () => record([evidence('a', '1.0.0', { provenance: ghIdentity('acme/a') })]);
  const newIdentity = identityOf(evidence('a', '2.0.0', { provenance: ghIdentity('neworg/a', { repositoryId: '7', ownerId: '8' }) }));

  it('re-pins the identity and records who, when, why, and old → new', () => {
    if (!newIdentity) throw new Error('fixture');
    const lock = approve(pinned(), {
      name: 'a',
      range: '>=2.0.0',
      reason: 'moved to neworg',
      approvedBy: 'jane@acme.example',
      now: NOW,
      identity: newIdentity,
    });
    expect(lock.packages.a?.identity).toEqual(newIdentity);
    expect(lock.packages.a?.approvals).toEqual([
      {
        approvedBy: 'jane@acme.example',
        approvedAt: NOW.toISOString(),
        reason: 'moved to neworg',
        versions: '>=2.0.0',
        from: pinned().packages.a?.identity,
        to: newIdentity,
      },
    ]);
    expect(serializeLock(lock)).toContain('"from": { "issuer"');
  });

  it('forgets recorded versions so republished bytes are recorded afresh', () => {
    const lock = approve(pinned(), { name: 'a', reason: 'registry republished 1.0.0', approvedBy: 'jane', now: NOW, forget: ['1.0.0', '9.9.9'] });
    expect(lock.packages.a?.versions).toEqual({});
    expect(lock.packages.a?.approvals?.[0]?.forgot).toEqual(['1.0.0']);
  });

  it('requires a reason and an approver', () => {
    for (const bad of [
      { reason: '  ', approvedBy: 'j' },
      { reason: 'r', approvedBy: '' },
    ]) {
      const err = (() => {
        try {
          approve(pinned(), { name: 'a', now: NOW, ...bad });
        } catch (e) {
          return e;
        }
      })();
      expect(isVouchError(err) && err.code).toBe('USAGE');
    }
  });
});

describe('lockMissingEntries', () => {
  it('lists lockfile versions vouch.lock does not record, sorted, as LOCK_MISSING_ENTRY findings', () => {
    const lock = record([evidence('a', '1.0.0')]);
    const missing = lockMissingEntries(lock, [ref('b', '1.0.0'), ref('a', '1.0.0'), ref('a', '1.10.0'), ref('a', '1.9.0')]);
    expect(missing.map((m) => `${m.ref.name}@${m.ref.version}`)).toEqual(['a@1.9.0', 'a@1.10.0', 'b@1.0.0']);
    expect(missing[0]?.finding).toMatchObject({ code: 'LOCK_MISSING_ENTRY', severity: 'deny' });
  });
});

describe("recordVerified: a registry's signing-log checkpoint", () => {
  const URL = 'http://127.0.0.1:4873/';
  const KEY = 'vouch-registry/0f3a+0a1b2c3d+AQ==';
  const at = (size: number) => ({ key: KEY, size, root: Buffer.alloc(32, size).toString('base64') });
  const withPins = (lock: Lock, log: ReturnType<typeof at>, list: PackageEvidence[] = []) => {
    const report = evaluate({ evidence: list, nonRegistry: [], registries: [], policy: policy({}), lock, now: NOW });
    return recordVerified(lock, { ...report, registryPins: { [URL]: { keys: {}, log } } });
  };

  it('is recorded with the key the first time, then moves only when the lock is written anyway', () => {
    const first = withPins(emptyLock(), at(5));
    expect(first.registries?.[URL]?.log).toEqual(at(5));
    const unchanged = withPins(first, at(9));
    expect(serializeLock(unchanged)).toBe(serializeLock(first)); // nothing else changed: no churn in a committed file
    const written = withPins(first, at(9), [evidence('a', '1.0.0')]);
    expect(written.registries?.[URL]?.log).toEqual(at(9));
    expect(serializeLock(written)).toContain(`"log": { "key": "${KEY}", "size": 9, "root": "${at(9).root}" }`);
  });

  it('round-trips through the lock file format', () => {
    const lock = withPins(emptyLock(), at(5));
    expect(parseLock(serializeLock(lock), 'vouch.lock').registries?.[URL]?.log).toEqual(at(5));
  });
});
