import { describe, expect, it } from 'vitest';
import { render } from '../../../lib/cli/render/index.js';
import { renderText } from '../../../lib/cli/render/text.js';
import { allowed, badSignature, finding, identity, mixedReport, ref, registry, report, unsignedRegistry } from './report-builder.js';

// Any CSI / SGR escape sequence.
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/;

const lineIndex = (text: string, needle: string): number => text.split('\n').findIndex((l) => l.includes(needle));

describe('renderText', () => {
  it('puts the summary first, with totals, registries and evidence counts', () => {
    const text = renderText(mixedReport());
    const lines = text.split('\n');
    expect(lines[0]).toBe('vouch: 8 packages checked: 4 allowed, 1 allowed with a warning, 3 denied (1 unverifiable)');
    expect(lines[1]).toBe('  registry http://127.0.0.1:4873/: no signing keys');
    expect(lines[2]).toBe('  registry https://registry.npmjs.org/: 2 keys');
    expect(text).toMatch(/^ {2}4 verified registry signatures$/m);
    expect(text).toMatch(/^ {2}3 verified provenance \(2 source repositories\)$/m);
    expect(text).toMatch(/^ {2}1 publisher-signed$/m);
    expect(text).toMatch(/^ {2}1 from a registry without signing keys \(unsigned-registry\)$/m);
    expect(text).toMatch(/^ {2}1 missing a registry signature \(missing\)$/m);
    expect(text).toMatch(/^ {2}1 failed verification \(invalid\)$/m);
    expect(text).toMatch(/^ {2}1 git, file or remote dependency \(no registry evidence\)$/m);
    // No package is "unverifiable" apart from the git dependency: that line is left out.
    expect(text).not.toMatch(/could not be verified/);
  });

  it('lists denials before warnings before notices, each denial with code, rule and fix', () => {
    const text = renderText(mixedReport());
    const denied = lineIndex(text, 'Denied (3):');
    const warnings = lineIndex(text, 'Warnings (1):');
    const notices = lineIndex(text, 'Notices:');
    expect(denied).toBeGreaterThan(0);
    expect(warnings).toBeGreaterThan(denied);
    expect(notices).toBeGreaterThan(warnings);
    const deniedBlock = text.split('\n').slice(denied, warnings);
    // Sorted by name: async, evil, gitdep.
    const heads = deniedBlock.filter((l) => /^ {2}\S/.test(l)).map((l) => l.trim().split(' ')[0]);
    expect(heads).toEqual(['async@1.1.1', 'evil@1.0.0', 'gitdep']);
    const evil = deniedBlock.findIndex((l) => l.includes('evil@1.0.0'));
    expect(deniedBlock[evil]).toContain('(invalid) at node_modules/evil and 1 more');
    expect(deniedBlock[evil + 1]).toMatch(/^ {4}SIGNATURE_INVALID: /);
    expect(deniedBlock[evil + 2]).toBe('      rule: default');
    expect(deniedBlock[evil + 3]).toBe('      fix: do not install this version');
    expect(text.split('\n')[warnings + 1]).toContain('@internal/lib@0.3.0 (unsigned-registry)');
    expect(text.split('\n')[notices + 1]).toBe('  - no vouch.policy.json found: using the built-in default policy');
  });

  it('falls back to the code catalogue when a finding has no hint', () => {
    const text = renderText(mixedReport());
    const async = lineIndex(text, 'async@1.1.1');
    expect(text.split('\n')[async + 3]).toMatch(/^ {6}fix: The registry signs its packages/);
  });

  it('does not list allowed packages unless verbose, then lists them with their evidence', () => {
    const quiet = renderText(mixedReport());
    expect(quiet).not.toContain('zod@3.23.8');
    expect(quiet).not.toContain('Allowed');
    const verbose = renderText(mixedReport(), { verbose: true });
    const lines = verbose.split('\n');
    const start = lineIndex(verbose, 'Allowed (4):');
    expect(start).toBeGreaterThan(lineIndex(verbose, 'Notices:'));
    expect(lines.slice(start + 1, start + 5).map((l) => l.trim().split(' ')[0])).toEqual([
      '@acme/widget@2.1.0',
      'string-width@4.2.3',
      'zod@3.9.0',
      'zod@3.23.8',
    ]); // semver order, not string order
    expect(lines[start + 1]).toContain('publisher key SHA256:pUbLiShEr');
    expect(lines[start + 1]).toContain('provenance https://github.com/acme/widget .github/workflows/release.yml');
    expect(verbose).toContain('(invalid) at node_modules/evil, node_modules/x/node_modules/evil');
    expect(verbose).toContain('2 keys (SHA256:DhQ8');
  });

  it('writes no colour codes when color is false or unset, and colours when it is true', () => {
    const r = mixedReport();
    expect(renderText(r)).not.toMatch(ANSI);
    expect(renderText(r, { color: false, verbose: true })).not.toMatch(ANSI);
    expect(render(r, 'text', { color: false })).not.toMatch(ANSI);
    const coloured = renderText(r, { color: true });
    expect(coloured).toMatch(ANSI);
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).toBe(renderText(r));
  });

  it('escapes control characters from untrusted text instead of printing them', () => {
    const evil = badSignature(ref('evil', '1.0.0'), { message: 'bad\u001b[2J\rsig', hint: 'x\u009by' });
    const text = renderText(report([evil], { notices: ['n\u0007'] }));
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(text).toContain('bad\\x1b[2J\\x0dsig');
  });

  it('gives the same text whatever order the verdicts and findings arrive in', () => {
    const a = allowed(ref('a', '1.0.0'));
    const b = badSignature(ref('b', '1.0.0'));
    b.findings.push(finding('RELEASE_TOO_NEW', 'warn'), finding('IDENTITY_MISMATCH', 'deny'));
    const c = unsignedRegistry(ref('c', '1.0.0'));
    const one = renderText(report([a, b, c]), { verbose: true });
    const shuffled = { ...b, findings: [...b.findings].reverse() };
    expect(renderText(report([c, shuffled, a]), { verbose: true })).toBe(one);
    // Denials first, then by code.
    const codes = one
      .split('\n')
      .filter((l) => /^ {4}[A-Z_]+:/.test(l))
      .map((l) => l.trim().split(':')[0]);
    expect(codes).toEqual(['IDENTITY_MISMATCH', 'SIGNATURE_INVALID', 'RELEASE_TOO_NEW', 'UNSIGNED_REGISTRY']);
  });

  it('keeps a clean run to the summary', () => {
    const r = report([allowed(ref('a', '1.0.0'), { provenance: identity('o/a') }), allowed(ref('b', '2.0.0'))], { registries: [registry()] });
    const text = renderText(r);
    expect(text.trimEnd().split('\n')).toEqual([
      'vouch: 2 packages checked: 2 allowed, 0 denied',
      '  registry https://registry.npmjs.org/: 2 keys',
      '  2 verified registry signatures',
      '  1 verified provenance (1 source repository)',
      '  0 publisher-signed',
    ]);
  });
});

describe('renderText: a registry without keys, decided once', () => {
  const MIRROR = 'https://mirror.example/';
  const mirrorReport = (count: number) => {
    const verdicts = Array.from({ length: count }, (_, i) => unsignedRegistry(ref(`m${String(i).padStart(2, '0')}`, '1.0.0', { registry: MIRROR })));
    const mirror = {
      ...registry(MIRROR, []),
      decision: 'warn' as const,
      findings: [finding('UNSIGNED_REGISTRY', 'warn', { message: `${MIRROR} serves no signing keys`, hint: 'add "registries": { … { "keys": "none" } }' })],
    };
    return report([...verdicts, badSignature(ref('z', '1.0.0'))], { registries: [registry(), mirror] });
  };

  it('states the finding and its fix once, under Registries, and lists the packages in one line', () => {
    const text = renderText(mirrorReport(12));
    expect(text.match(/UNSIGNED_REGISTRY/g)).toHaveLength(1);
    expect(text.match(/"keys": "none"/g)).toHaveLength(1);
    expect(text).toContain(`  12 packages from ${'https://mirror.example/'} (unsigned-registry, decided once under Registries):`);
    expect(text).toContain('    m00@1.0.0, m01@1.0.0, m02@1.0.0, m03@1.0.0, m04@1.0.0, m05@1.0.0, m06@1.0.0, m07@1.0.0 and 4 more (--verbose lists them)');
    expect(text).toContain('SIGNATURE_INVALID'); // other findings keep their own lines
    expect(renderText(mirrorReport(12), { verbose: true })).toContain('m11@1.0.0');
  });
});

describe('renderText: versions vouch.lock does not record, said once', () => {
  it('one line of packages and one fix instead of a block per package', () => {
    const missing = (name: string) => {
      const v = allowed(ref(name, '1.0.0'));
      return {
        ...v,
        decision: 'deny' as const,
        findings: [finding('LOCK_MISSING_ENTRY', 'deny', { message: `${name}@1.0.0 is in package-lock.json but vouch.lock does not record it` })],
      };
    };
    const text = renderText(report(['a', 'b', 'c'].map(missing)));
    expect(text).toContain('  3 packages in package-lock.json that vouch.lock does not record (LOCK_MISSING_ENTRY):\n    a@1.0.0, b@1.0.0, c@1.0.0\n');
    expect(text.match(/fix:/g)).toHaveLength(1);
  });
});
