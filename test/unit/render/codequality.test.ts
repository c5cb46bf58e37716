// `--format codequality`: GitLab's Code Quality report over the same Report as SARIF, one issue per
// finding at the package's lockfile line, with SARIF's fingerprint (GitLab tracks issues by it).
import { describe, expect, it } from 'vitest';
import { FINGERPRINT_KEY, render, toCodeQuality, toSarif, type CodeQualityIssue } from '../../../lib/cli/render/index.js';
import { allowed, badSignature, mixedReport, ref, report } from './report-builder.js';

const LOCATIONS = ['node_modules/@internal/lib', 'node_modules/async', 'node_modules/evil', 'node_modules/gitdep', 'node_modules/x/node_modules/evil'];
const LOCKFILE = JSON.stringify(
  { name: 'app', lockfileVersion: 3, packages: Object.fromEntries([['', { name: 'app' }], ...LOCATIONS.map((l) => [l, { version: '1.0.0' }])]) },
  null,
  2,
);
const lineOf = (key: string): number => LOCKFILE.split('\n').findIndex((l) => l.startsWith(`    ${JSON.stringify(key)}:`)) + 1;

const issues = (text = LOCKFILE): CodeQualityIssue[] =>
  JSON.parse(render(mixedReport(), 'codequality', { lockfileText: text, lockfileUri: 'app/package-lock.json' })) as CodeQualityIssue[];

describe('--format codequality', () => {
  it('has one issue per finding with the fields GitLab requires, critical for deny and minor for warn', () => {
    const all = issues();
    expect(all.map((i) => [i.check_name, i.severity])).toEqual([
      ['UNSIGNED_REGISTRY', 'minor'], // @internal/lib
      ['SIGNATURE_MISSING', 'critical'], // async
      ['SIGNATURE_INVALID', 'critical'], // evil
      ['SOURCE_NOT_ALLOWED', 'critical'], // gitdep
    ]);
    for (const issue of all) {
      expect(issue).toMatchObject({ type: 'issue', categories: ['Security'], location: { path: 'app/package-lock.json' } });
      expect(issue.description).toBeTruthy();
      expect(issue.content.body).toBeTruthy();
      expect(issue.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(all.find((i) => i.check_name === 'SIGNATURE_INVALID')?.description).toMatch(/^evil@1\.0\.0: /);
  });

  it("points each issue at its package's first lockfile line, or line 1 without the lockfile", () => {
    const evil = issues().find((i) => i.check_name === 'SIGNATURE_INVALID');
    expect(evil?.location.lines.begin).toBe(lineOf('node_modules/evil'));
    expect(issues('').every((i) => i.location.lines.begin === 1)).toBe(true);
  });

  it('fingerprints each issue as SARIF does, stable across runs', () => {
    const sarif = toSarif(mixedReport(), { version: '0.1.0' }).runs[0]!.results!.map((r) => r.partialFingerprints?.[FINGERPRINT_KEY]);
    expect(issues().map((i) => i.fingerprint)).toEqual(sarif);
  });

  it("is an empty list when nothing was found, and the same bytes whatever the verdicts' order", () => {
    expect(toCodeQuality(report([allowed(ref('a', '1.0.0'))]))).toEqual([]);
    const verdicts = [badSignature(ref('b', '1.0.0')), badSignature(ref('a', '1.0.0')), allowed(ref('c', '1.0.0'))];
    expect(render(report([...verdicts].reverse()), 'codequality')).toBe(render(report(verdicts), 'codequality'));
  });
});
