// assembleDiff: the diff's findings folded into the gate's verdicts (exceptions applied), the report
// holding only what changed, and entries for lockfile findings on entries the change left alone.
import { describe, expect, it } from 'vitest';
import { assembleDiff, compareLockfiles, parseLockfile, type FindingsByLocation } from '../../../lib/diff/index.js';
import { builtInPolicy, type Policy } from '../../../lib/policy/index.js';
import type { PackageVerdict, Report } from '../../../lib/policy/report.js';
import type { PackageRef } from '../../../lib/tree/types.js';

const now = new Date('2027-01-10T00:00:00Z');
const lock = (packages: Record<string, Record<string, unknown>>) => parseLockfile(JSON.stringify({ packages }), 'package-lock.json');

function verdict(name: string, version: string, location: string): PackageVerdict {
  const ref: PackageRef = {
    name,
    version,
    aliases: [],
    locations: [location],
    integrity: `sha512-${name}`,
    resolved: null,
    registry: 'https://r.example/',
    dev: false,
    optional: false,
    hasInstallScript: false,
  };
  return { kind: 'package', ref, status: 'verified', decision: 'allow', findings: [], evidence: { ref, publishedAt: new Date('2027-01-01T00:00:00Z') } };
}

function gate(verdicts: PackageVerdict[]): Report {
  return {
    verdicts,
    registries: [],
    registryPins: {},
    registryServed: {},
    notices: [],
    summary: { total: verdicts.length, allowed: verdicts.length, warned: 0, denied: 0, unverifiable: 0 },
  };
}

const scripted: FindingsByLocation = new Map([
  ['node_modules/s', [{ code: 'INSTALL_SCRIPT_ADDED', severity: 'deny', message: 's@1.0.0 runs install scripts', rule: 'diff:install-scripts' }]],
]);

describe('assembleDiff', () => {
  const base = lock({ 'node_modules/a': { version: '1.0.0' }, 'node_modules/old': { version: '1.0.0' } });
  const head = lock({ 'node_modules/a': { version: '1.0.0' }, 'node_modules/s': { version: '1.0.0', hasInstallScript: true } });

  it('denies a changed package a diff finding names, and keeps unchanged packages out of the report', () => {
    const diff = assembleDiff({
      changes: compareLockfiles(base, head),
      head,
      gate: gate([verdict('s', '1.0.0', 'node_modules/s')]),
      findings: scripted,
      info: () => ({ scripts: { postinstall: 'x' }, publishedAt: null }),
      policy: builtInPolicy(),
      now,
    });
    expect(diff.entries.map((e) => [e.kind, e.name, e.decision])).toEqual([
      ['removed', 'old', null],
      ['added', 's', 'deny'],
    ]);
    expect(diff.entries[1]).toMatchObject({
      scripts: { postinstall: 'x' },
      released: { time: new Date('2027-01-01T00:00:00Z') },
      provenance: null,
      tier: null,
    });
    expect(diff.report.verdicts.map((v) => [v.ref.name, v.decision])).toEqual([['s', 'deny']]);
    expect(diff.report.summary).toMatchObject({ total: 1, denied: 1 });
  });

  it('lets a policy exception waive INSTALL_SCRIPT_ADDED', () => {
    const policy: Policy = {
      ...builtInPolicy(),
      exceptions: { s: [{ allow: ['INSTALL_SCRIPT_ADDED'], reason: 'read it', approvedBy: 'me', expires: '2027-06-01' }] },
    };
    const diff = assembleDiff({
      changes: compareLockfiles(base, head),
      head,
      gate: gate([verdict('s', '1.0.0', 'node_modules/s')]),
      findings: scripted,
      info: () => undefined,
      policy,
      now,
    });
    const s = diff.entries.find((e) => e.name === 's');
    expect(s).toMatchObject({ decision: 'allow', findings: [] });
    expect(s?.waived?.map((w) => w.waivedBy)).toEqual(['exceptions.s[0]']);
  });

  it('lists an entry the change left alone when a lockfile finding names it', () => {
    const findings: FindingsByLocation = new Map([['node_modules/a', [{ code: 'LOCKFILE_UNREQUESTED', severity: 'deny', message: 'a is unrequested' }]]]);
    const diff = assembleDiff({
      changes: [],
      head,
      gate: gate([verdict('a', '1.0.0', 'node_modules/a')]),
      findings,
      info: () => undefined,
      policy: builtInPolicy(),
      now,
    });
    expect(diff.entries.map((e) => [e.kind, e.name, e.decision])).toEqual([['unchanged', 'a', 'deny']]);
  });
});
