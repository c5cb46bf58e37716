import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../../../lib/config/package-root.js';
import { trustFilePath, vouchDataDir } from '../../../lib/config/trust-files.js';

describe('trustFilePath', () => {
  it('reads the shipped snapshot until `vouch trust-root update` wrote a copy', () => {
    const data = mkdtempSync(join(tmpdir(), 'vouch-data-'));
    const env = { VOUCH_DATA_DIR: data };
    expect(trustFilePath('public-good.trusted_root.json', env)).toBe(packagePath('trust', 'public-good.trusted_root.json'));
    mkdirSync(join(data, 'trust'));
    writeFileSync(join(data, 'trust', 'public-good.trusted_root.json'), '{}');
    expect(trustFilePath('public-good.trusted_root.json', env)).toBe(join(data, 'trust', 'public-good.trusted_root.json'));
    expect(trustFilePath('npm-registry-keys.json', env)).toBe(packagePath('trust', 'npm-registry-keys.json'));
  });

  it('follows XDG_DATA_HOME when VOUCH_DATA_DIR is unset', () => {
    expect(vouchDataDir({ XDG_DATA_HOME: '/x' })).toBe(join('/x', 'vouch'));
  });
});
