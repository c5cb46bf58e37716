// Commands linked into .bin folders: BIN_COLLISION when two packages link one name into the same folder
// (warn by default), BIN_TOOLCHAIN for node / npm / npx / corepack (deny by default); both name the
// packages involved, follow defaults.binCollisions / defaults.toolchainBins and can be waived by an exception.
import { describe, expect, it } from 'vitest';
import { emptyLock } from '../../../lib/lock/index.js';
import { builtInPolicy, evaluate, type Policy } from '../../../lib/policy/index.js';
import type { BinLink } from '../../../lib/tree/types.js';
import { NOW, evidence, policy } from './builders.js';

const bin = (pkg: string, version: string, name: string, location = `node_modules/${pkg}`): BinLink => ({
  dir: 'node_modules/.bin',
  name,
  pkg,
  version,
  location,
});

function judge(bins: BinLink[], p: Policy = policy({}), names = ['evil', 'typescript', 'node-shim', 'other']) {
  const report = evaluate({
    evidence: names.map((n) => evidence(n, '1.0.0')),
    nonRegistry: [],
    registries: [],
    policy: p,
    lock: emptyLock(),
    now: NOW,
    bins,
  });
  const by = (name: string) => report.verdicts.find((v) => v.ref.name === name)!;
  return { report, by };
}

describe('evaluate: bins', () => {
  it('warns BIN_COLLISION on both packages when two link the same command into one .bin folder, naming the other', () => {
    const { by } = judge([bin('evil', '1.0.0', 'tsc'), bin('typescript', '1.0.0', 'tsc'), bin('typescript', '1.0.0', 'tsserver')]);
    for (const [self, other] of [
      ['evil', 'typescript@1.0.0'],
      ['typescript', 'evil@1.0.0'],
    ] as const) {
      const v = by(self);
      expect(v.decision).toBe('warn');
      expect(v.findings.map((f) => [f.code, f.severity, f.rule])).toEqual([['BIN_COLLISION', 'warn', 'defaults.binCollisions']]);
      expect(v.findings[0]!.message).toContain('node_modules/.bin/tsc');
      expect(v.findings[0]!.message).toContain(other);
    }
    expect(by('other').findings).toEqual([]);
  });

  it('compares command names as a case-insensitive disk and PATHEXT do, and only within one .bin folder', () => {
    expect(
      judge([bin('evil', '1.0.0', 'TSC.cmd'), bin('typescript', '1.0.0', 'tsc')])
        .by('evil')
        .findings.map((f) => f.code),
    ).toEqual(['BIN_COLLISION']);
    const nested = { ...bin('evil', '1.0.0', 'tsc', 'node_modules/other/node_modules/evil'), dir: 'node_modules/other/node_modules/.bin' };
    expect(judge([nested, bin('typescript', '1.0.0', 'tsc')]).by('evil').findings).toEqual([]);
  });

  it('denies BIN_TOOLCHAIN for node, npm, npx and corepack by default, with the built-in policy too', () => {
    for (const name of ['node', 'npm', 'npx', 'corepack', 'Node.exe']) {
      for (const p of [policy({}), builtInPolicy()]) {
        const v = judge([bin('node-shim', '1.0.0', name)], p).by('node-shim');
        expect(v.decision).toBe('deny');
        expect(v.findings.map((f) => [f.code, f.severity])).toEqual([['BIN_TOOLCHAIN', 'deny']]);
        expect(v.findings[0]!.message).toContain(`node_modules/.bin/${name}`);
      }
    }
    expect(judge([bin('node-shim', '1.0.0', 'nodemon')]).by('node-shim').findings).toEqual([]);
  });

  it('follows the policy: "off" turns each check off, "deny" and "warn" set the severity', () => {
    const clash = [bin('evil', '1.0.0', 'tsc'), bin('typescript', '1.0.0', 'tsc'), bin('node-shim', '1.0.0', 'node')];
    const off = judge(clash, policy({ defaults: { binCollisions: 'off', toolchainBins: 'off' } }));
    expect(off.report.verdicts.flatMap((v) => v.findings)).toEqual([]);
    const flipped = judge(clash, policy({ defaults: { binCollisions: 'deny', toolchainBins: 'warn' } }));
    expect(flipped.by('evil').findings.map((f) => [f.code, f.severity])).toEqual([['BIN_COLLISION', 'deny']]);
    expect(flipped.by('node-shim').findings.map((f) => [f.code, f.severity])).toEqual([['BIN_TOOLCHAIN', 'warn']]);
  });

  it('lets a dated exception waive either code for one package', () => {
    const p = policy({
      exceptions: { 'node-shim': [{ allow: ['BIN_TOOLCHAIN'], reason: 'ships node for the build', approvedBy: 'jane@acme.example', expires: '2027-03-01' }] },
    });
    const v = judge([bin('node-shim', '1.0.0', 'node')], p).by('node-shim');
    expect(v.decision).toBe('allow');
    expect(v.waived?.map((f) => f.code)).toEqual(['BIN_TOOLCHAIN']);
  });

  it('rejects another mode in the policy file', () => {
    expect(() => policy({ defaults: { toolchainBins: 'require' } })).toThrow();
  });
});
