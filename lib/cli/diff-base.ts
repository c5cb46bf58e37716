// The base side of `vouch diff <base>`: a package-lock.json file (or a project folder holding one), or a
// git revision of this project (its package-lock.json and package.json files as committed there). Reads
// only; a base that cannot be read is a usage error (exit 2).
import { execFile } from 'node:child_process';
import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { VouchError } from '../errors/index.js';

const run = promisify(execFile);
/** Bound on what git may print for one file (a lockfile of ~100,000 packages is ~60 MB). */
const GIT_MAX_BYTES = 512 * 1024 * 1024;

export interface BaseSnapshot {
  /** How the report names the base: the path or revision given, and what it resolved to. */
  label: string;
  /** The base package-lock.json, or null when the base has none (every package is then added). */
  lockfileText: string | null;
  /** A file of the base project by its path relative to the project folder, or null when absent. */
  readFile(path: string): Promise<string | null>;
}

/** The head's lockfile path relative to the git repository root, for SARIF (package-lock.json outside git). */
export async function lockfileUri(cwd: string, name = 'package-lock.json'): Promise<string> {
  const prefix = await gitPrefix(cwd).catch(() => '');
  return posix.join(prefix, name);
}

export async function readBase(spec: string, cwd: string): Promise<BaseSnapshot> {
  const path = resolve(spec); // a path as the user typed it, from where they stand
  const found = await stat(path).catch(() => null);
  if (found) {
    const file = found.isDirectory() ? join(path, 'package-lock.json') : path;
    const folder = dirname(file);
    const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new VouchError('USAGE', `cannot read the base lockfile ${file}: ${err.message}`, { file });
    });
    return { label: spec, lockfileText: text, readFile: (rel) => readOptional(join(folder, rel)) };
  }
  return readGitBase(spec, cwd);
}

async function readGitBase(ref: string, cwd: string): Promise<BaseSnapshot> {
  // Never an option to git: `--output=…` as a "revision" would be one.
  if (ref.startsWith('-') || ref.includes('\0')) throw new VouchError('USAGE', `not a file and not a git revision: ${JSON.stringify(ref)}`);
  const prefix = await gitPrefix(cwd).catch(() => {
    throw new VouchError(
      'USAGE',
      `${JSON.stringify(ref)} is not a file, and ${cwd} is not in a git repository to read it as a revision`,
      {},
      'give the base lockfile as a file (e.g. from `git show origin/main:package-lock.json > base.json`), or run in the repository',
    );
  });
  const commit = await git(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]).catch(() => {
    throw new VouchError(
      'USAGE',
      `${JSON.stringify(ref)} is neither a file nor a git revision of this repository`,
      {},
      'name a lockfile, or a revision such as origin/main or HEAD~1 (in CI, fetch the base branch first: git fetch origin main)',
    );
  });
  const sha = commit.trim();
  const show = (rel: string) =>
    git(cwd, ['show', `${sha}:${posix.join(prefix, rel.split(sep).join('/'))}`]).then(
      (s) => s,
      () => null,
    );
  return { label: `${ref} (${sha.slice(0, 12)})`, lockfileText: await show('package-lock.json'), readFile: show };
}

/** This folder's path inside its git repository, '' at the root; rejects outside a repository. */
async function gitPrefix(cwd: string): Promise<string> {
  const top = (await git(cwd, ['rev-parse', '--show-toplevel'])).trim();
  return relative(await realpath(top), await realpath(cwd))
    .split(sep)
    .join('/');
}

async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd, maxBuffer: GIT_MAX_BYTES, encoding: 'utf8', env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } });
  return stdout;
}

async function readOptional(file: string): Promise<string | null> {
  return readFile(file, 'utf8').catch(() => null);
}
