import type { Log, Result } from 'sarif';
import { describe, expect, it } from 'vitest';
import { FINGERPRINT_KEY, fingerprint, render, toSarif } from '../../../lib/cli/render/index.js';
import { sarifValidator } from '../../support/schemas.js';
import { allowed, badSignature, mixedReport, ref, report, unsignedRegistry } from './report-builder.js';

// The OASIS SARIF 2.1.0 schema (draft-04), copied byte for byte; see fixtures/real/ORIGIN.md.
const validate = sarifValidator();

const VERSION = '0.1.0';

// The lockfile the mixed report was "read" from, with each location on a known line.
const LOCATIONS = [
  'node_modules/@acme/widget',
  'node_modules/@internal/lib',
  'node_modules/async',
  'node_modules/evil',
  'node_modules/gitdep',
  'node_modules/string-width-cjs',
  'node_modules/x/node_modules/evil',
  'node_modules/zod',
];
const LOCKFILE = JSON.stringify(
  { name: 'app', lockfileVersion: 3, packages: Object.fromEntries([['', { name: 'app' }], ...LOCATIONS.map((l) => [l, { version: '1.0.0' }])]) },
  null,
  2,
);
const lineOf = (key: string): number => LOCKFILE.split('\n').findIndex((l) => l.startsWith(`    ${JSON.stringify(key)}:`)) + 1;

const sarif = (r = mixedReport(), lockfile: 'lockfile' | 'no lockfile' = 'lockfile'): Log =>
  JSON.parse(render(r, 'sarif', { version: VERSION, ...(lockfile === 'lockfile' ? { lockfileText: LOCKFILE } : {}) })) as Log;

function onlyRun(log: Log) {
  expect(log.runs).toHaveLength(1);
  const run = log.runs[0];
  if (!run) throw new Error('no run');
  return run;
}

describe('--format sarif', () => {
  it('validates against the SARIF 2.1.0 schema', () => {
    for (const log of [sarif(), sarif(report([])), sarif(mixedReport(), 'no lockfile')]) {
      expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it('is rejected by the SARIF schema when a required part is broken', () => {
    const noVersion = { ...sarif(), version: '2.0.0' };
    expect(validate(noVersion)).toBe(false);
    const log = sarif();
    const result = onlyRun(log).results?.[0];
    if (!result) throw new Error('no result');
    (result as { level: string }).level = 'fatal';
    expect(validate(log)).toBe(false);
  });

  it('has one run whose driver is vouch with its version and one rule per finding code used', () => {
    const run = onlyRun(sarif());
    expect(run.tool.driver.name).toBe('vouch');
    expect(run.tool.driver.version).toBe(VERSION);
    expect(run.tool.driver.semanticVersion).toBe(VERSION);
    const rules = run.tool.driver.rules ?? [];
    expect(rules.map((r) => r.id)).toEqual(['SIGNATURE_INVALID', 'SIGNATURE_MISSING', 'SOURCE_NOT_ALLOWED', 'UNSIGNED_REGISTRY']);
    for (const rule of rules) {
      expect(rule.shortDescription?.text).toBeTruthy();
      expect(rule.help?.text).toBeTruthy();
    }
    expect(rules.find((r) => r.id === 'SIGNATURE_INVALID')?.defaultConfiguration?.level).toBe('error');
    expect(rules.find((r) => r.id === 'UNSIGNED_REGISTRY')?.defaultConfiguration?.level).toBe('warning');
  });

  it('emits one result per finding, error for deny and warning for warn, with a matching ruleIndex', () => {
    const run = onlyRun(sarif());
    const results = run.results ?? [];
    expect(results.map((r) => [r.ruleId, r.level])).toEqual([
      ['UNSIGNED_REGISTRY', 'warning'], // @internal/lib
      ['SIGNATURE_MISSING', 'error'], // async
      ['SIGNATURE_INVALID', 'error'], // evil
      ['SOURCE_NOT_ALLOWED', 'error'], // gitdep
    ]);
    for (const r of results) expect(run.tool.driver.rules?.[r.ruleIndex ?? -1]?.id).toBe(r.ruleId);
    const evil = results[2];
    expect(evil?.message.text).toMatch(/^evil@1\.0\.0: signature by .* \(rule: default\) Fix: do not install this version$/);
    expect(evil?.properties).toMatchObject({ package: 'evil', version: '1.0.0', status: 'invalid', decision: 'deny', policyRule: 'default' });
  });

  it('points each result at the package key line in package-lock.json, relative to %SRCROOT%', () => {
    const results = onlyRun(sarif()).results ?? [];
    const evil = results.find((r) => r.ruleId === 'SIGNATURE_INVALID');
    expect(
      evil?.locations?.map((l) => [
        l.physicalLocation?.artifactLocation?.uri,
        l.physicalLocation?.artifactLocation?.uriBaseId,
        l.physicalLocation?.region?.startLine,
      ]),
    ).toEqual([
      ['package-lock.json', '%SRCROOT%', lineOf('node_modules/evil')],
      ['package-lock.json', '%SRCROOT%', lineOf('node_modules/x/node_modules/evil')],
    ]);
    expect(lineOf('node_modules/evil')).toBeGreaterThan(1);
    const git = results.find((r) => r.ruleId === 'SOURCE_NOT_ALLOWED');
    expect(git?.locations?.[0]?.physicalLocation?.region?.startLine).toBe(lineOf('node_modules/gitdep'));
  });

  it('falls back to line 1 without the lockfile text, and takes another relative lockfile path', () => {
    for (const r of onlyRun(sarif(mixedReport(), 'no lockfile')).results ?? []) {
      expect(r.locations?.[0]?.physicalLocation?.region?.startLine).toBe(1);
    }
    const log = toSarif(mixedReport(), { version: VERSION, lockfileUri: 'apps\\web app/package-lock.json' });
    expect(onlyRun(log).results?.[0]?.locations?.[0]?.physicalLocation?.artifactLocation?.uri).toBe('apps/web%20app/package-lock.json');
  });

  it('refuses an absolute lockfile path (GitHub rejects absolute URIs)', () => {
    for (const lockfileUri of ['/home/runner/work/app/package-lock.json', 'C:\\work\\package-lock.json', 'file:///work/package-lock.json']) {
      expect(() => toSarif(mixedReport(), { version: VERSION, lockfileUri })).toThrow(expect.objectContaining({ code: 'USAGE' }));
    }
  });

  it('meets GitHub code scanning upload constraints', () => {
    const log = sarif();
    const run = onlyRun(log);
    expect(log.version).toBe('2.1.0');
    expect(run.tool.driver.name).toBeTruthy();
    const ruleIds = new Set(run.tool.driver.rules?.map((r) => r.id));
    for (const r of run.results ?? []) {
      expect(ruleIds.has(r.ruleId ?? '')).toBe(true);
      expect(r.message.text).toBeTruthy();
      expect(r.locations?.length).toBeGreaterThan(0);
      for (const loc of r.locations ?? []) {
        const uri = loc.physicalLocation?.artifactLocation?.uri ?? '';
        expect(uri).not.toMatch(/^(\/|[a-z][a-z0-9+.-]*:)/i);
        expect(loc.physicalLocation?.region?.startLine).toBeGreaterThanOrEqual(1);
      }
      expect(Object.keys(r.partialFingerprints ?? {})).toEqual([FINGERPRINT_KEY]);
    }
    // Nothing in the whole log is an absolute path or file URI.
    expect(JSON.stringify(log)).not.toMatch(/file:\/\/|"\/(home|tmp|work)/);
  });

  it('fingerprints by code, name and version: stable across runs, distinct across versions', () => {
    const fp = (log: Log): Record<string, string> =>
      Object.fromEntries(
        (onlyRun(log).results ?? []).map((r: Result) => [`${r.ruleId} ${String(r.properties?.['package'])}`, r.partialFingerprints?.[FINGERPRINT_KEY] ?? '']),
      );
    const first = fp(sarif());
    expect(fp(sarif(mixedReport(), 'no lockfile'))).toEqual(first); // line numbers do not move fingerprints
    expect(first['SIGNATURE_INVALID evil']).toBe(fingerprint('SIGNATURE_INVALID', 'evil', '1.0.0'));
    expect(first['SIGNATURE_INVALID evil']).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprint('SIGNATURE_INVALID', 'evil', '1.0.1')).not.toBe(first['SIGNATURE_INVALID evil']);
    expect(new Set(Object.values(first)).size).toBe(Object.keys(first).length);
  });

  it('has an empty result list and no rules for a clean report', () => {
    const run = onlyRun(sarif(report([allowed(ref('a', '1.0.0'))])));
    expect(run.results).toEqual([]);
    expect(run.tool.driver.rules).toEqual([]);
  });

  it('gives the same bytes whatever order the verdicts arrive in', () => {
    const verdicts = [badSignature(ref('b', '1.0.0')), unsignedRegistry(ref('a', '1.0.0')), allowed(ref('c', '1.0.0'))];
    const one = render(report(verdicts), 'sarif', { version: VERSION, lockfileText: LOCKFILE });
    expect(render(report([...verdicts].reverse()), 'sarif', { version: VERSION, lockfileText: LOCKFILE })).toBe(one);
  });
});

describe('SARIF: a registry without keys, decided once', () => {
  it('one UNSIGNED_REGISTRY result for the registry, none per package', () => {
    const MIRROR = 'https://mirror.example/';
    const verdicts = [unsignedRegistry(ref('a', '1.0.0', { registry: MIRROR })), unsignedRegistry(ref('b', '1.0.0', { registry: MIRROR }))];
    const mirror = {
      url: MIRROR,
      keys: 'none' as const,
      keyids: [],
      decision: 'warn' as const,
      findings: [{ code: 'UNSIGNED_REGISTRY' as const, severity: 'warn' as const, message: 'no keys' }],
    };
    const log = toSarif(report(verdicts, { registries: [mirror] }), { version: VERSION });
    expect(log.runs[0]!.results!.filter((r) => r.ruleId === 'UNSIGNED_REGISTRY')).toHaveLength(1);
    // Without the registry's summary finding, each package still gets its own result.
    const plain = toSarif(report(verdicts, { registries: [{ ...mirror, decision: 'allow', findings: [] }] }), { version: VERSION });
    expect(plain.runs[0]!.results!.filter((r) => r.ruleId === 'UNSIGNED_REGISTRY')).toHaveLength(2);
  });
});

describe('SARIF message text', () => {
  it("names the package once, whether or not the finding's message already starts with it", () => {
    const named = badSignature(ref('chalk', '5.6.2'), { message: 'chalk@5.6.2: signature by SHA256:x does not match' });
    const bare = badSignature(ref('chalk', '5.6.3'), { message: 'signature by SHA256:x does not match' });
    const texts = toSarif(report([named, bare]), { version: VERSION }).runs[0]!.results!.map((r) => r.message.text ?? '');
    expect(texts.map((t) => t.split(' (rule:')[0])).toEqual([
      'chalk@5.6.2: signature by SHA256:x does not match',
      'chalk@5.6.3: signature by SHA256:x does not match',
    ]);
  });
});
