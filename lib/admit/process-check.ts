// Runtime admission: before an app runs, its node_modules is checked against what vouch verified
// (vouch.lock, through the same per-file check as `vouch verify --installed`), and the process refuses
// to start when something differs, as the process is configured (environment below). preload.ts runs
// it (`node --import vouch/admit app.js`). docs/admission.md. Environment:
//   VOUCH_ADMIT         enforce (default) | report-only | off
//   VOUCH_ADMIT_ROOT    the project folder (default: the nearest folder from the working folder up with a vouch.lock)
//   VOUCH_ADMIT_CACHE   the file remembering folders that matched (matched-folders.ts), or "off" (default: <npm cache>/_vouch/admit/<hash of root>.json)
//   VOUCH_ADMIT_SUMMARY a verification summary (`vouch verify --attest`): checked against VOUCH_ADMIT_KEY, then node_modules
//                       against the lockfile it vouches for, instead of vouch.lock
//   VOUCH_ADMIT_KEY     the public key (PEM file) that must have signed the summary
//   npm_config_cache    npm's cache folder, where vouch keeps the file lists (default ~/.npm)
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { vouchDir } from '../installed/index.js';
import { admitInstalled, type Admission, type AdmissionProblem } from './admit.js';
import { MatchedFolders } from './matched-folders.js';
import { AdmissionSetupError, expectedFromLock, expectedFromLockfile, type ExpectedTree } from './expected.js';

/** Exit codes: 1 something differs (as a deny), 2 nothing to check against (as a usage error), 70 the check itself failed. */
const EXIT = { refused: 1, setup: 2, internal: 70 } as const;

type Mode = 'enforce' | 'report-only' | 'off';

function modeOf(value: string | undefined): Mode {
  if (value === undefined || value === '' || value === 'enforce') return 'enforce';
  if (value === 'report-only' || value === 'off') return value;
  process.stderr.write(`vouch admit: VOUCH_ADMIT=${JSON.stringify(value)} is not enforce, report-only or off; enforcing\n`);
  return 'enforce';
}

/** Runs the admission check for this process; returns the exit code it refuses with, or null to start. */
export async function admitProcess(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<number | null> {
  const mode = modeOf(env['VOUCH_ADMIT']);
  if (mode === 'off') return null;
  const started = performance.now();
  let admission: Admission;
  let root: string;
  try {
    root = env['VOUCH_ADMIT_ROOT'] ? resolve(cwd, env['VOUCH_ADMIT_ROOT']) : projectRoot(cwd);
    admission = await check(root, env);
  } catch (err) {
    const setup = err instanceof AdmissionSetupError;
    const what = setup ? err.message : `could not check node_modules: ${(err as Error).stack ?? String(err)}`;
    if (mode === 'report-only') return report(`vouch admit (report-only): ${what}; starting anyway\n`, null);
    return report(`vouch admit: refusing to start: ${what}\n`, setup ? EXIT.setup : EXIT.internal);
  }
  const ms = Math.round(performance.now() - started);
  for (const p of admission.warn) process.stderr.write(`vouch admit: warning: ${line(p)}\n`);
  if (admission.refuse.length === 0) return null;
  const listed = admission.refuse.map((p) => `  ${line(p)}\n`).join('');
  const against = env['VOUCH_ADMIT_SUMMARY'] ? 'the verification summary' : 'vouch.lock';
  const head = `${admission.refuse.length} problem(s) in ${join(root, 'node_modules')} against what vouch verified (${against}), checked in ${ms} ms`;
  if (mode === 'report-only') return report(`vouch admit (report-only): ${head}; starting anyway\n${listed}`, null);
  return report(
    `vouch admit: refusing to start: ${head}\n${listed}reinstall with vouch ci; VOUCH_ADMIT=report-only starts anyway and logs this\n`,
    EXIT.refused,
  );
}

async function check(root: string, env: NodeJS.ProcessEnv): Promise<Admission> {
  const npmCacheDir = join(env['npm_config_cache'] || env['NPM_CONFIG_CACHE'] || join(homedir(), '.npm'), '_cacache');
  const tree = env['VOUCH_ADMIT_SUMMARY'] ? await expectedFromSummary(root, env) : await expectedFromLock(root);
  const cacheSetting = env['VOUCH_ADMIT_CACHE'];
  const cacheFile =
    cacheSetting === 'off'
      ? null
      : cacheSetting || join(vouchDir(npmCacheDir), 'admit', `${createHash('sha256').update(root).digest('hex').slice(0, 32)}.json`);
  const cache = cacheFile === null ? undefined : await MatchedFolders.open(cacheFile);
  const admission = await admitInstalled(root, tree.expected, {
    npmCacheDir,
    unchecked: tree.unchecked,
    scripted: tree.scripted,
    scriptAddedFiles: await scriptAddedFiles(root),
    ...(cache ? { cache } : {}),
  });
  await cache?.save();
  return { refuse: [...tree.problems, ...admission.refuse], warn: admission.warn };
}

/**
 * A signed verification summary instead of vouch.lock: it must verify under VOUCH_ADMIT_KEY, have PASSED, and
 * name this project's lockfile (and policy and lock) as they are; then each folder must hold what that lockfile
 * records. The summary checker loads vouch's Sigstore code, so it is imported only on this path.
 */
async function expectedFromSummary(root: string, env: NodeJS.ProcessEnv): Promise<ExpectedTree> {
  const summaryFile = resolve(root, env['VOUCH_ADMIT_SUMMARY']!);
  const keyFile = env['VOUCH_ADMIT_KEY'];
  if (!keyFile) throw new AdmissionSetupError('VOUCH_ADMIT_SUMMARY needs VOUCH_ADMIT_KEY: the public key (PEM file) that must have signed it');
  const [summaryText, keyText] = await Promise.all([
    readSetupFile(summaryFile, 'the verification summary'),
    readSetupFile(resolve(root, keyFile), 'the public key'),
  ]);
  const { checkSummary } = await import('../attest/check-summary.js');
  const checked = await checkSummary(summaryText, { projectDir: root, key: { publicKey: keyText }, requireTree: false }).catch((err: unknown) => {
    throw new AdmissionSetupError(`${summaryFile}: ${(err as Error).message}`);
  });
  const tree = await expectedFromLockfile(root);
  const summaryProblems = checked.problems.map(
    (p): AdmissionProblem => ({ location: summaryFile, code: 'ADMIT_SUMMARY_REFUSED', message: `${p.code} ${summaryFile}: ${p.message}` }),
  );
  return { ...tree, problems: [...summaryProblems, ...tree.problems] };
}

async function readSetupFile(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new AdmissionSetupError(`cannot read ${what} ${file}: ${(err as Error).message}`);
  }
}

/** The nearest folder from `cwd` up that has a vouch.lock (else `cwd`, which then fails with the reason). */
function projectRoot(cwd: string): string {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'vouch.lock'))) return dir;
    if (dirname(dir) === dir) return resolve(cwd);
  }
}

/** `defaults.scriptAddedFiles` of vouch.policy.json (read narrowly: the CLI validates the file). */
async function scriptAddedFiles(root: string): Promise<'deny' | 'warn' | 'off'> {
  try {
    const doc = JSON.parse(await readFile(join(root, 'vouch.policy.json'), 'utf8')) as { defaults?: { scriptAddedFiles?: unknown } };
    const value = doc.defaults?.scriptAddedFiles;
    return value === 'deny' || value === 'off' ? value : 'warn';
  } catch {
    return 'warn';
  }
}

const line = (p: AdmissionProblem): string => `${p.code} ${p.message.startsWith(p.location) ? p.message : `${p.location}: ${p.message}`}`;

function report(text: string, code: number | null): number | null {
  process.stderr.write(text);
  return code;
}
