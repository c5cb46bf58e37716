// `vouch verify --attest FILE`: after the gate, a signed verification summary of what it decided (lib/attest).
// Written whatever the decision: a FAILED summary is signed evidence of the deny, and `vouch verify-summary`
// refuses it. The key is read before anything is verified; the project's files are read before and after
// the run, and a change in between attests nothing.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { buildSummaryStatement, lockfileSubject, subjectDigest, summarySigner, trustFileDigests } from '../attest/index.js';
import type { SummarySigner } from '../attest/sign-summary.js';
import type { SubjectDigest, SummaryInput } from '../attest/summary.js';
import { VouchError } from '../errors/index.js';
import { TREE_DIGEST_FOLDER } from '../installed/index.js';
import type { Report } from '../policy/index.js';
import { packagePurl } from '../sign/index.js';
import { detectLockfile, type LockfileKind } from '../tree/index.js';
import type { VouchFlagValues } from './npm-command-line.js';
import { keySourceOf, type SignFlagValues } from './commands/sign.js';
import { SIGN_METHODS } from './commands/flag-table.js';
import type { Output } from './output.js';
import { worstDecision } from './render/json.js';
import { vouchVersion } from './version.js';

const KEY_FLAGS = [...SIGN_METHODS, 'public-key', 'fulcio-url', 'rekor-url', 'identity-token', 'attest-tree'] as const;

export interface AttestRun {
  /** The --attest file, as given. */
  readonly file: string;
  /** After the gate: signs the summary of `report` and writes it to `file`. */
  write(report: Report, now: Date): Promise<void>;
}

export interface AttestScope {
  cwd: string;
  installed: boolean;
  tarballs: boolean;
  packages: boolean;
  lockfileKind?: LockfileKind;
}

/** What verify prints once the summary of `report` is written to `file`. */
export function attestWritten(file: string, report: Report): string {
  return `Wrote a signed verification summary (${worstDecision(report) === 'deny' ? 'FAILED' : 'PASSED'}) to ${file}: check it with vouch verify-summary`;
}

/** undefined without --attest (and then none of its key flags may be given). */
export async function planAttest(values: VouchFlagValues, env: NodeJS.ProcessEnv, scope: AttestScope, out: Output): Promise<AttestRun | undefined> {
  const file = values['attest'];
  if (typeof file !== 'string') {
    const stray = KEY_FLAGS.filter((flag) => values[flag] !== undefined);
    if (stray.length > 0) {
      throw new VouchError(
        'USAGE',
        `${stray.map((f) => `--${f}`).join(', ')} go${stray.length === 1 ? 'es' : ''} with --attest FILE`,
        {},
        "npm's own --key (a TLS client key) belongs in .npmrc: vouch verify reads --key as the summary's signing key",
      );
    }
    return undefined;
  }
  if (scope.packages)
    throw new VouchError('USAGE', "--attest summarises a project's lockfile or node_modules; --packages judges a list", {}, 'drop one of them');
  const signer = await summarySigner(keySourceOf(signFlags(values), env), {
    env,
    ...(typeof values['rekor-url'] === 'string' ? { rekorUrl: values['rekor-url'] } : {}),
    notice: (text) => out.stderr(text),
  });
  const withTree = scope.installed || values['attest-tree'] === true;
  const before = await projectState(scope, withTree);
  return {
    file,
    write: async (report, now) => {
      const after = await projectState(scope, withTree);
      if (JSON.stringify(after) !== JSON.stringify(before)) {
        throw new VouchError(
          'PROJECT_BUSY',
          `${changedNames(before, after).join(', ')} changed while vouch verified the project: nothing was attested`,
          { file: resolve(file) },
          'run vouch verify --attest again once nothing else writes to the project',
        );
      }
      await writeSummary(resolve(file), signer, {
        ...after,
        report,
        decision: worstDecision(report),
        mode: scope.installed ? 'installed' : scope.tarballs ? 'tarballs' : 'lockfile',
        vouchVersion: vouchVersion(),
        now,
      });
    },
  };
}

type ProjectState = Pick<SummaryInput, 'subjects' | 'policy' | 'lock' | 'resourceUri'>;

/** The summary's subjects and trust files as they are now. */
async function projectState(scope: AttestScope, withTree: boolean): Promise<ProjectState> {
  const subjects: SubjectDigest[] = [];
  if (!scope.installed) subjects.push(await lockfileSubject((await detectLockfile(scope.cwd, scope.lockfileKind)).file));
  if (withTree) {
    const tree = await subjectDigest(scope.cwd, TREE_DIGEST_FOLDER);
    if (!tree)
      throw new VouchError(
        'USAGE',
        `--attest-tree: there is no ${join(scope.cwd, TREE_DIGEST_FOLDER)} to bind`,
        {},
        'install first (vouch ci), or attest the lockfile alone',
      );
    subjects.push(tree);
  }
  return { subjects, ...(await trustFileDigests(scope.cwd)), resourceUri: await resourceUriOf(scope.cwd, subjects[0]!.name) };
}

/** The project's purl when package.json names a version, else the first subject as a relative file URI. */
async function resourceUriOf(cwd: string, subject: string): Promise<string> {
  const manifest: unknown = await readFile(join(cwd, 'package.json'), 'utf8').then(
    (t) => JSON.parse(t) as unknown,
    () => undefined,
  );
  const { name, version } = (typeof manifest === 'object' && manifest !== null ? manifest : {}) as { name?: unknown; version?: unknown };
  if (typeof name === 'string' && typeof version === 'string') {
    try {
      return packagePurl(name, version);
    } catch {
      // not a name npm accepts: fall through to the file
    }
  }
  return `file:${subject}`;
}

async function writeSummary(file: string, signer: SummarySigner, input: SummaryInput): Promise<void> {
  const bundle = await signer.sign(buildSummaryStatement(input));
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify(bundle)}\n`);
  } catch (err) {
    throw new VouchError('USAGE', `cannot write the --attest file ${file}: ${err instanceof Error ? err.message : String(err)}`, { file }, undefined, {
      cause: err,
    });
  }
}

function changedNames(before: ProjectState, after: ProjectState): string[] {
  const names = before.subjects.filter((s, i) => JSON.stringify(s) !== JSON.stringify(after.subjects[i])).map((s) => s.name);
  if (JSON.stringify(before.policy) !== JSON.stringify(after.policy)) names.push('vouch.policy.json');
  if (JSON.stringify(before.lock) !== JSON.stringify(after.lock)) names.push('vouch.lock');
  if (before.resourceUri !== after.resourceUri) names.push('package.json');
  return names;
}

/** The key flags as `vouch sign` reads them. */
function signFlags(values: VouchFlagValues): SignFlagValues {
  const text = (name: string): string | undefined => (typeof values[name] === 'string' ? values[name] : undefined);
  const picked: SignFlagValues = {};
  for (const name of ['key', 'key-env', 'signer-command', 'public-key', 'fulcio-url', 'rekor-url', 'identity-token'] as const) {
    const value = text(name);
    if (value !== undefined) picked[name] = value;
  }
  if (values['keyless'] === true) picked.keyless = true;
  return picked;
}
