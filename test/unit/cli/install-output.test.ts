// What vouch install / ci print for each way the install flow ends: the report, then the closing line
// (text only); --silent hides a success but never a deny. The flow itself prints nothing (install-flow.ts).
import { describe, expect, it } from 'vitest';
import { showInstallOutcome, type InstallOutputOptions } from '../../../lib/cli/install-output.js';
import type { InstallOutcome } from '../../../lib/cli/install-flow.js';
import type { Output } from '../../../lib/cli/output.js';
import { render } from '../../../lib/cli/render/index.js';
import { allowed, badSignature, ref, report } from '../render/report-builder.js';

function recording(): { out: Output; stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: { stdout: (t) => void stdout.push(t), stderr: (t) => void stderr.push(t), isTTY: false }, stdout, stderr };
}

const allow = report([allowed(ref('a', '1.0.0'))]);
const deny = report([badSignature(ref('a', '1.0.0'))]);
const text: InstallOutputOptions = { cwd: process.cwd(), format: 'text', verbose: false };
const installed: InstallOutcome = { kind: 'installed', report: allow, summary: { added: 1, removed: 2, changed: 0, scripts: { ran: 1, skipped: 0 } } };

describe('showInstallOutcome', () => {
  it('prints the report, then the closing line of each success, and returns 0', async () => {
    const cases: [InstallOutcome, string][] = [
      [installed, 'vouch: installed only verified bytes: added 1 package, removed 2 packages; install scripts of 1 package ran'],
      [
        { kind: 'installed', report: allow, summary: { added: 3, removed: 0, changed: 1, scripts: { ran: 0, skipped: 2 } } },
        'vouch: installed only verified bytes: added 3 packages, changed 1 package; install scripts of 2 packages skipped (--ignore-scripts)',
      ],
      [{ kind: 'dry-run', report: allow, verified: 7 }, 'vouch: --dry-run: 7 packages verified and allowed; nothing was installed or written in the project'],
      [{ kind: 'lock-only', report: allow }, 'vouch: --package-lock-only: every package verified; package-lock.json written, nothing installed'],
    ];
    for (const [outcome, line] of cases) {
      const { out, stdout, stderr } = recording();
      expect(await showInstallOutcome(outcome, text, out)).toBe(0);
      expect(stdout).toEqual([render(allow, 'text', { verbose: false, color: false }), line]);
      expect(stderr).toEqual([]);
    }
  });

  it("prints a deny's report even with --silent, with no closing line, and returns its exit code", async () => {
    const { out, stdout } = recording();
    expect(await showInstallOutcome({ kind: 'denied', report: deny, code: 1 }, { ...text, quiet: true }, out)).toBe(1);
    expect(stdout).toEqual([render(deny, 'text', { verbose: false, color: false })]);
  });

  it('prints nothing for a success with --silent, and no closing line in json', async () => {
    const silent = recording();
    expect(await showInstallOutcome(installed, { ...text, quiet: true }, silent.out)).toBe(0);
    expect(silent.stdout).toEqual([]);
    const json = recording();
    await showInstallOutcome(installed, { ...text, format: 'json' }, json.out);
    expect(json.stdout).toEqual([render(allow, 'json', { verbose: false, color: false })]);
  });
});
