// vouch.lock cannot be weakened by adding or editing lines: the attacks of issue 22, item 1, on the
// pure stages (record, parse, evaluate). The same attacks through the real registry and npm are in
// test/adversarial/trust-files.test.ts.
import { describe, expect, it } from 'vitest';
import { isVouchError } from '../../../lib/errors/index.js';
import { approve, emptyLock, lockInconsistencies, parseLock, recordVerified, serializeLock, type Lock } from '../../../lib/lock/index.js';
import { evaluate, identityDigest, identityOf, type Policy } from '../../../lib/policy/index.js';
import type { PackageEvidence } from '../../../lib/verify/types.js';
import { KEY_A, KEY_B, NOW, evidence, policy } from '../policy/builders.js';

function record(list: PackageEvidence[], lock: Lock = emptyLock(), p: Policy = policy({})): Lock {
  return recordVerified(lock, evaluate({ evidence: list, nonRegistry: [], registries: [], policy: p, lock, now: NOW }));
}

function decisions(list: PackageEvidence[], lock: Lock): Record<string, string[]> {
  const report = evaluate({ evidence: list, nonRegistry: [], registries: [], policy: policy({}), lock, locked: true, now: NOW });
  return Object.fromEntries(report.verdicts.map((v) => [`${v.ref.name}@${v.kind === 'package' ? v.ref.version : ''}`, v.findings.map((f) => f.code)]));
}

/** The lock as vouch would read it back from disk: parse(serialize(lock)). */
function reread(lock: Lock): Lock {
  return parseLock(serializeLock(lock), 'vouch.lock');
}

function rejection(lock: Lock): { code: string; message: string } {
  try {
    reread(lock);
  } catch (err) {
    if (isVouchError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected vouch.lock to be rejected');
}

const widgetA = evidence('widget', '1.0.0', { publisher: KEY_A });
const widgetB = evidence('widget', '1.1.0', { publisher: KEY_B });

describe('a version line copied from another project', () => {
  const victim = record([widgetA]);
  const scratch = record([widgetB]); // the attacker's project: first use pinned key B

  it('is inconsistent with the pin: LOCK_INCONSISTENT names the line, and it is a deny (exit 1)', () => {
    const attacked = structuredClone(victim);
    const copied = scratch.packages.widget?.versions['1.1.0'];
    if (!attacked.packages.widget || !copied) throw new Error('fixture');
    attacked.packages.widget.versions['1.1.0'] = copied;
    const err = rejection(attacked);
    expect(err.code).toBe('LOCK_INCONSISTENT');
    expect(err.message).toMatch(/packages\.widget\.versions\["?1\.1\.0"?\]?.*neither the pin/);
  });

  it('with its pointer recomputed to name the pin (public data), passes the file check but not the identity check', () => {
    const attacked = structuredClone(victim);
    const copied = scratch.packages.widget?.versions['1.1.0'];
    const pin = attacked.packages.widget?.identity;
    if (!attacked.packages.widget || !copied || !pin) throw new Error('fixture');
    attacked.packages.widget.versions['1.1.0'] = { ...copied, identity: identityDigest(pin) };
    expect(decisions([widgetB], reread(attacked))['widget@1.1.0']).toEqual(['IDENTITY_CHANGED']);
  });

  it('was allowed before this change: the recorded evidence digest no longer skips the comparison', () => {
    const attacked = structuredClone(victim);
    const copied = scratch.packages.widget?.versions['1.1.0'];
    const pin = attacked.packages.widget?.identity;
    if (!attacked.packages.widget || !copied || !pin) throw new Error('fixture');
    attacked.packages.widget.versions['1.1.0'] = { ...copied, identity: identityDigest(pin) };
    expect(attacked.packages.widget.versions['1.1.0']?.evidence).toBe(scratch.packages.widget?.versions['1.1.0']?.evidence);
    expect(decisions([widgetA, widgetB], reread(attacked))).toEqual({ 'widget@1.0.0': [], 'widget@1.1.0': ['IDENTITY_CHANGED'] });
  });
});

describe('a pin edited by hand', () => {
  it('leaves the lines recorded under the old pin pointing at nothing: LOCK_INCONSISTENT', () => {
    const attacked = record([widgetA]);
    if (!attacked.packages.widget) throw new Error('fixture');
    attacked.packages.widget.identity = { publisherKey: KEY_B };
    const err = rejection(attacked);
    expect(err.code).toBe('LOCK_INCONSISTENT');
    expect(err.message).toContain('versions');
  });

  it('with the old lines stripped of their pointer: still inconsistent (an attested line names its identity)', () => {
    const attacked = record([widgetA]);
    const line = attacked.packages.widget?.versions['1.0.0'];
    if (!attacked.packages.widget || !line) throw new Error('fixture');
    attacked.packages.widget.identity = { publisherKey: KEY_B };
    delete line.identity;
    expect(rejection(attacked).code).toBe('LOCK_INCONSISTENT');
  });

  it('after an approval: the pin must be what the last approval pinned', () => {
    let lock = record([widgetA]);
    lock = approve(lock, { name: 'widget', reason: 'key rotated', approvedBy: 'jane@acme.example', now: NOW, identity: { publisherKey: KEY_B } });
    expect(() => reread(lock)).not.toThrow();
    const edited = structuredClone(lock);
    if (!edited.packages.widget) throw new Error('fixture');
    edited.packages.widget.identity = { publisherKey: 'SHA256:attacker' };
    const err = rejection(edited);
    expect(err.code).toBe('LOCK_INCONSISTENT');
    expect(err.message).toMatch(/last approval/);
  });

  it('an approval whose `from` is not what the approval before it pinned', () => {
    let lock = record([widgetA]);
    lock = approve(lock, { name: 'widget', reason: 'rotated', approvedBy: 'jane@acme.example', now: NOW, identity: { publisherKey: KEY_B } });
    lock = approve(lock, {
      name: 'widget',
      reason: 'rotated again',
      approvedBy: 'jane@acme.example',
      now: new Date(NOW.getTime() + 1000),
      identity: { publisherKey: 'SHA256:C' },
    });
    const edited = structuredClone(lock);
    const second = edited.packages.widget?.approvals?.[1];
    if (!second) throw new Error('fixture');
    second.from = { publisherKey: 'SHA256:elsewhere' };
    expect(lockInconsistencies(edited).map((p) => p.path.join('.'))).toEqual(['packages.widget.approvals.1.from']);
  });
});

describe('the approval round trip', () => {
  it('an identity change is allowed only through an approval entry, and old lines keep naming the old identity', () => {
    let lock = record([widgetA]);
    expect(decisions([widgetA, widgetB], lock)['widget@1.1.0']).toContain('IDENTITY_CHANGED');
    const identity = identityOf(widgetB);
    if (!identity) throw new Error('fixture');
    lock = approve(lock, { name: 'widget', reason: 'the maintainer rotated keys (announced)', approvedBy: 'jane@acme.example', now: NOW, identity });
    lock = record([widgetA, widgetB], reread(lock));
    const widget = reread(lock).packages.widget;
    expect(widget?.versions['1.0.0']?.identity).toBe(identityDigest({ publisherKey: KEY_A }));
    expect(widget?.versions['1.1.0']?.identity).toBe(identityDigest({ publisherKey: KEY_B }));
    expect(widget?.approvals?.[0]).toMatchObject({ from: { publisherKey: KEY_A }, to: { publisherKey: KEY_B } });
    expect(decisions([widgetA, widgetB], lock)).toEqual({ 'widget@1.0.0': [], 'widget@1.1.0': [] });
  });

  it('the old identity is not a pass for a version recorded under the new one', () => {
    let lock = record([widgetA]);
    lock = approve(lock, { name: 'widget', reason: 'rotated', approvedBy: 'jane@acme.example', now: NOW, identity: { publisherKey: KEY_B } });
    lock = record([widgetB], lock);
    const stolenOldKey = evidence('widget', '1.1.0', { publisher: KEY_A });
    expect(decisions([stolenOldKey], lock)['widget@1.1.0']).toEqual(['IDENTITY_CHANGED']);
  });
});
