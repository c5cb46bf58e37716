// The over-blocking reference: what the registry signed, per installed folder. A folder is harmless when
// its package.json names a registry-signed name@version whose tarball holds its bytes, installed under
// its own name or under an alias the unmutated lockfile already declared at that location.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Catalog } from '../corpus/catalog.js';
import { folderNameOf, type Lockfile } from '../lockfile.js';
import type { References } from './written-bytes.js';

export function signedReferences(projectDir: string, baseline: Lockfile, catalog: Catalog): References {
  return (location) => {
    const manifest = readManifest(join(projectDir, location, 'package.json'));
    if (!manifest) return { refs: [], problem: 'no readable package.json' };
    const signed = catalog.signed(manifest.name, manifest.version);
    if (!signed) return { refs: [], problem: `${manifest.name}@${manifest.version} is no registry-signed package` };
    const declared = baseline.packages[location]?.name;
    if (folderNameOf(location) !== manifest.name && declared !== manifest.name) {
      return { refs: [], problem: `${manifest.name} installed as ${folderNameOf(location)}, an alias the lockfile did not declare` };
    }
    return { refs: [{ tarball: signed, prefix: '', what: `registry-signed ${manifest.name}@${manifest.version}` }] };
  };
}

function readManifest(file: string): { name: string; version: string } | undefined {
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
    return typeof doc.name === 'string' && typeof doc.version === 'string' ? { name: doc.name, version: doc.version } : undefined;
  } catch {
    return undefined;
  }
}
