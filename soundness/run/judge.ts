// The verdict on one case, from what the tools did: violations of the invariant (vouch allowed and the
// install wrote bytes it did not verify; "this is a bug"; vouch ci wrote on a deny), over-blocking
// (vouch denied although npm's install wrote only registry-signed bytes in their places) and vouch ci's
// difference from npm ci when both installed.
import { checkWrittenBytes } from '../check/written-bytes.js';
import { differingPaths } from '../check/project-diff.js';
import { signedReferences } from '../check/signed-references.js';
import { vouchReferences } from '../check/vouch-references.js';
import type { Corpus } from '../corpus/load.js';
import type { TreeEntry } from '../install/file-hashes.js';
import { readInstalledTree } from '../install/installed-tree.js';
import { workspaceFolders, type Lockfile } from '../lockfile.js';
import type { CaseResult, Violation } from '../results.js';
import { INTERNAL_ERROR, parseReport, printsBug } from './summaries.js';
import type { ToolRun } from './tools.js';

export interface InstallRun {
  run: ToolRun;
  project: string;
  before: ReadonlyMap<string, TreeEntry>;
  after: ReadonlyMap<string, TreeEntry>;
}

export interface JudgeInput {
  corpus: Corpus;
  /** The tree's unmutated lockfile (its workspaces and aliases are the legitimate ones). */
  baseline: Lockfile;
  mutated: Lockfile;
  verify: ToolRun;
  npm: InstallRun;
  ci: InstallRun | null;
  /** The mutation broke the registry's signed evidence: a deny is required, never over-blocking. */
  failClosed: boolean;
}

export function judgeCase(input: JudgeInput): Pick<CaseResult, 'violations' | 'overBlocking' | 'ciDifference'> {
  const locations = Object.keys(input.mutated.packages);
  const outside = locations.filter((l) => l !== '' && !l.includes('node_modules/'));
  const workspaces = new Set(workspaceFolders(input.baseline));
  const npmTree = readInstalledTree(input.npm.before, input.npm.after, locations);
  const violations: Violation[] = [];
  const bug = (tool: Violation['tool'], run: ToolRun) => {
    if (printsBug(run)) violations.push({ class: 'this-is-a-bug', tool, path: '-', reason: `exit ${run.code}: ${bugLine(run)}` });
  };
  bug('vouch verify', input.verify);
  if (input.verify.code === 0) {
    const refs = vouchReferences(parseReport(input.verify), input.corpus.store, input.corpus.catalog);
    for (const f of checkWrittenBytes(npmTree, refs, workspaces, outside)) violations.push({ class: 'unverified-bytes', tool: 'vouch verify', ...f });
  }
  let ciDifference: string[] | null = null;
  if (input.ci) {
    bug('vouch ci', input.ci.run);
    if (input.ci.run.code === 0) {
      const ciTree = readInstalledTree(input.ci.before, input.ci.after, locations);
      const refs = vouchReferences(parseReport(input.ci.run), input.corpus.store, input.corpus.catalog);
      for (const f of checkWrittenBytes(ciTree, refs, workspaces, outside)) violations.push({ class: 'unverified-bytes', tool: 'vouch ci', ...f });
      const diff =
        input.npm.run.code === 0 ? differingPaths(input.npm.after, input.ci.after) : [`npm ci failed (exit ${input.npm.run.code}) where vouch ci installed`];
      ciDifference = diff.length ? diff : null;
    } else {
      const changed = differingPaths(input.ci.before, input.ci.after);
      if (changed.length)
        violations.push({
          class: 'ci-wrote-on-deny',
          tool: 'vouch ci',
          path: changed[0] ?? '-',
          reason: `vouch ci exited ${input.ci.run.code} and changed ${changed.join(', ')}`,
        });
    }
  }
  return { violations, overBlocking: overBlocking(input, npmTree, workspaces, outside), ciDifference };
}

/** Denials of a case whose npm install was harmless (registry-signed bytes in their places only). */
function overBlocking(
  input: JudgeInput,
  npmTree: ReturnType<typeof readInstalledTree>,
  workspaces: ReadonlySet<string>,
  outside: readonly string[],
): CaseResult['overBlocking'] {
  if (input.npm.run.code !== 0 || input.failClosed) return [];
  const refs = signedReferences(input.npm.project, input.baseline, input.corpus.catalog);
  if (checkWrittenBytes(npmTree, refs, workspaces, outside).length > 0) return [];
  const out: CaseResult['overBlocking'] = [];
  if (input.verify.code !== 0) out.push({ tool: 'vouch verify', code: input.verify.code, summary: '' });
  if (input.ci && input.ci.run.code !== 0) out.push({ tool: 'vouch ci', code: input.ci.run.code, summary: '' });
  return out;
}

function bugLine(run: ToolRun): string {
  return (
    `${run.stderr}\n${run.stdout}`
      .split('\n')
      .find((l) => INTERNAL_ERROR.test(l))
      ?.trim()
      .slice(0, 300) ?? ''
  );
}
