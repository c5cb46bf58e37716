// The attacker's bytes for a package: a tarball with the same name and version and other contents (an
// evil.js, another index.js), packed by the real npm once per name@version and kept in the work folder.
// Never registry-signed: only the proxy serves them, or a lockfile names them.
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packTarball } from '../../test/support/npm.js';
import { writePackage } from '../../test/support/packages.js';
import type { StoredTarball, TarballStore } from './tarball-store.js';

export type AttackerTarballs = (name: string, version: string) => Promise<StoredTarball>;

export function attackerTarballs(workDir: string, store: TarballStore): AttackerTarballs {
  const made = new Map<string, Promise<StoredTarball>>();
  return (name, version) => {
    const id = `${name}@${version}`;
    let pending = made.get(id);
    if (!pending) {
      pending = makeAttacker(workDir, store, name, version);
      made.set(id, pending);
    }
    return pending;
  };
}

async function makeAttacker(workDir: string, store: TarballStore, name: string, version: string): Promise<StoredTarball> {
  const file = join(workDir, 'attacker', `${name.replace('/', '+')}@${version}.tgz`);
  if (!existsSync(file)) {
    const src = join(workDir, 'attacker-src');
    const dir = await writePackage(src, {
      name,
      version,
      files: { 'evil.js': `module.exports = 'the attacker\\'s code, in place of ${name}@${version}';\n` },
    });
    const bytes = await packTarball(dir);
    await rm(dir, { recursive: true, force: true });
    await mkdir(join(workDir, 'attacker'), { recursive: true });
    await writeFile(file, bytes);
  }
  return store.add(file);
}
