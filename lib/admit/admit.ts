// The admission check: a project's node_modules against an expected {location → integrity} set, the
// deep check of `vouch verify --installed` (lib/installed) plus the folders nobody expected (a package
// dropped into node_modules, or a file `require` would resolve). The set comes from vouch.lock today
// (expected.ts) and from a verification summary later: both only build the map this takes.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkInstalledFolders, manifestFor } from '../installed/index.js';
import type { FolderCheck } from '../installed/check.js';
import type { FolderCache } from '../installed/folder-check.js';

export type AdmissionCode =
  | 'INSTALLED_FILE_MODIFIED'
  | 'INSTALLED_FILE_MISSING'
  | 'INSTALLED_FILE_ADDED'
  | 'INSTALLED_FILES_UNKNOWN'
  | 'ADMIT_NOT_VOUCHED' // npm records a package vouch.lock does not (or with other bytes)
  | 'ADMIT_UNEXPECTED_PACKAGE' // a folder or file in node_modules that npm's record does not list
  | 'ADMIT_SUMMARY_REFUSED'; // the verification summary does not verify, did not pass, or names another project

export interface AdmissionProblem {
  location: string;
  code: AdmissionCode;
  message: string;
}

export interface AdmitOptions {
  /** npm's cacache folder: vouch's file lists (and verified tarballs) are beside it. */
  npmCacheDir: string;
  cache?: FolderCache;
  /** Folders npm records but no tarball describes (links, bundled packages): not unexpected, not checked. */
  unchecked?: ReadonlySet<string>;
  /** Folders of packages with install scripts: files added there are judged by `scriptAddedFiles`. */
  scripted?: ReadonlySet<string>;
  scriptAddedFiles?: 'deny' | 'warn' | 'off';
}

export interface Admission {
  /** Any of these refuses the start. */
  refuse: AdmissionProblem[];
  /** Logged, never refused (files install scripts added, under scriptAddedFiles "warn"). */
  warn: AdmissionProblem[];
}

/** Checks `root`'s node_modules against `expected` (location → signed integrity). */
export async function admitInstalled(root: string, expected: ReadonlyMap<string, string>, opts: AdmitOptions): Promise<Admission> {
  const checks = await checkInstalledFolders(
    root,
    [...expected].map(([location, integrity]) => ({ location, integrity })),
    {
      manifestOf: (integrity) => manifestFor(integrity, opts.npmCacheDir),
      ...(opts.cache ? { cache: opts.cache } : {}),
    },
  );
  const out: Admission = { refuse: [], warn: [] };
  for (const check of checks) judgeFolder(check, opts, out);
  const known = new Set([...expected.keys(), ...(opts.unchecked ?? [])]);
  for (const location of await packageFolders(root)) {
    if (!known.has(location))
      out.refuse.push({
        location,
        code: 'ADMIT_UNEXPECTED_PACKAGE',
        message: `${location}: not a package npm installed (node_modules/.package-lock.json does not list it)`,
      });
  }
  return out;
}

function judgeFolder(check: FolderCheck, opts: AdmitOptions, out: Admission): void {
  const at = check.location;
  if (check.kind === 'match') return;
  if (check.kind === 'unknown') return void out.refuse.push({ location: at, code: 'INSTALLED_FILES_UNKNOWN', message: `${at}: not checked: ${check.reason}` });
  const files = (paths: readonly string[]) => paths.map((p) => `${at}/${p}`).join(', ');
  if (check.modified.length > 0) out.refuse.push({ location: at, code: 'INSTALLED_FILE_MODIFIED', message: `modified: ${files(check.modified)}` });
  if (check.missing.length > 0) out.refuse.push({ location: at, code: 'INSTALLED_FILE_MISSING', message: `missing: ${files(check.missing)}` });
  if (check.added.length === 0) return;
  const byScript = opts.scripted?.has(at) === true;
  const mode = byScript ? (opts.scriptAddedFiles ?? 'warn') : 'deny';
  if (mode === 'off') return;
  const message = `added: ${files(check.added)}${byScript ? ' (the package has install scripts)' : ''}`;
  (mode === 'deny' ? out.refuse : out.warn).push({ location: at, code: 'INSTALLED_FILE_ADDED', message });
}

/** Every package folder (and stray file) under node_modules, nested node_modules included; dot entries are npm's or tools'. */
async function packageFolders(root: string): Promise<string[]> {
  const out: string[] = [];
  // Synchronous, as snapshotFolder is: a thousand small calls cost several times more through the thread pool.
  const walk = (modules: string): void => {
    if (!existsSync(join(root, modules))) return;
    for (const entry of readdirSync(join(root, modules), { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const location = `${modules}/${entry.name}`;
      if (!entry.name.startsWith('@') || !entry.isDirectory()) found(location, entry.isDirectory());
      else for (const scoped of readdirSync(join(root, location), { withFileTypes: true })) found(`${location}/${scoped.name}`, scoped.isDirectory());
    }
  };
  const found = (location: string, isFolder: boolean): void => {
    out.push(location);
    if (isFolder) walk(`${location}/node_modules`);
  };
  walk('node_modules');
  return out.sort();
}
