// npm 11's allowScripts policy as vouch resolves it (lib/config/allow-scripts.ts, mirroring npm/cli
// lib/utils/resolve-allow-scripts.js): env/CLI list, else package.json#allowScripts, else .npmrc.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNpmConfig } from '../../../lib/config/index.js';

/** A project folder with package.json (and .npmrc), its npm config loaded without the machine's npmrc. */
async function allowScripts(manifest: Record<string, unknown>, npmrc = '', extraEnv: Record<string, string> = {}): Promise<unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-allow-scripts-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'p', version: '1.0.0', ...manifest }));
  writeFileSync(join(dir, '.npmrc'), npmrc);
  writeFileSync(join(dir, 'user-npmrc'), '');
  writeFileSync(join(dir, 'global-npmrc'), '');
  const env = { HOME: dir, npm_config_userconfig: join(dir, 'user-npmrc'), npm_config_globalconfig: join(dir, 'global-npmrc'), ...extraEnv };
  return (await loadNpmConfig(dir, [], env)).flat['allowScripts'];
}

describe('allowScripts resolution', () => {
  it("is null when nothing configures it (unreviewed scripts run, with npm's warning)", async () => {
    expect(await allowScripts({})).toBeNull();
  });

  it('takes package.json#allowScripts with its denials, keeping exact versions and bare names', async () => {
    expect(await allowScripts({ allowScripts: { esbuild: true, 'evil-pkg': false, 'sharp@1.2.3 || 1.2.4': true } })).toEqual({
      esbuild: true,
      'evil-pkg': false,
      'sharp@1.2.3 || 1.2.4': true,
    });
  });

  it('drops what npm drops: semver ranges, dist-tags, non-boolean values', async () => {
    expect(await allowScripts({ allowScripts: { 'a@^1.0.0': true, 'b@latest': true, c: 'yes', d: false } })).toEqual({ d: false });
  });

  it('prefers package.json over .npmrc, and reads .npmrc when package.json says nothing', async () => {
    expect(await allowScripts({ allowScripts: { a: false } }, 'allow-scripts=b,c\n')).toEqual({ a: false });
    expect(await allowScripts({}, 'allow-scripts=b, c\n')).toEqual({ b: true, c: true });
  });

  it('lets an environment list win over package.json (npm refuses it in a project; vouch has no such flag)', async () => {
    expect(await allowScripts({ allowScripts: { a: false } }, '', { npm_config_allow_scripts: 'z' })).toEqual({ z: true });
  });
});
