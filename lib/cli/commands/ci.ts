// `vouch ci`: npm ci from package-lock.json behind the same gate, and vouch.lock must already record
// every locked version (as npm ci needs an up-to-date lockfile) unless --update-lock.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Node, Tree } from '@npmcli/arborist';
import { VouchError, type ExitCode } from '../../errors/index.js';
import { verifyLockCanonical } from '../../lock/index.js';
import { assertLockfileInSync, fetchedSources, loadLockedTree } from '../../tree/index.js';
import { gateOptions, isSilent, loadProjectConfig, reportFormat } from '../common-flags.js';
import { buildJudgedTree, readTrustFiles, treeArborist } from '../gate.js';
import { gateFetchedSources, rootManifest, verifyThenReify } from '../install-flow.js';
import { showInstallOutcome } from '../install-output.js';
import { boundHeapGrowthFor } from '../heap-growth.js';
import { parseNpmCommandLine } from '../npm-command-line.js';
import type { Output } from '../output.js';
import { withProjectLock } from '../project-lock.js';
import { parseReportFiles } from '../report-files.js';
import { FLAGS } from './flag-table.js';

export async function run(argv: string[], out: Output): Promise<ExitCode> {
  const line = parseNpmCommandLine(argv, 'ci', FLAGS.ci);
  if (line.positionals.length > 0) {
    throw new VouchError(
      'USAGE',
      `vouch ci takes no package specs (got ${line.positionals.map((p) => JSON.stringify(p)).join(', ')})`,
      {},
      'install from package-lock.json with vouch ci, or add packages with vouch install <spec>',
    );
  }
  const format = reportFormat(line.vouch.format, line.npmFlags);
  const config = await loadProjectConfig(line.npmArgs);
  const cwd = config.localPrefix;
  const updateLock = line.vouch['update-lock'] === true;
  const gate = { ...gateOptions(line.vouch, config, isSilent(line.npmFlags)), locked: !updateLock };
  const shown = { cwd, format, verbose: line.vouch.verbose === true, quiet: isSilent(line.npmFlags), reportFiles: parseReportFiles(line.vouch['report-file']) };
  return withProjectLock(
    cwd,
    { waitMs: 120_000, onWait: (pid) => out.stderr(`vouch: waiting for another vouch run (pid ${pid}) in this project…`) },
    async () => {
      const inputs = await readTrustFiles(cwd);
      // As verify --locked: what reviewers read must be what vouch reads (LOCK_NOT_CANONICAL, exit 2, with the diff).
      if (!updateLock && inputs.lockText !== null) verifyLockCanonical(inputs.lockText, inputs.lockFile);
      // No or unreadable lockfile: exit 2 with the reason, as npm ci.
      const lockedInventory = new Map((await loadLockedTree(treeArborist(cwd, config, gate), cwd, boundHeapGrowthFor)).inventory);
      // A git / remote dependency package.json declares but the lockfile lacks would be fetched while building the tree.
      const early = gateFetchedSources(fetchedSources([], await rootManifest(cwd)), inputs, gate);
      if (early !== null) return showInstallOutcome(early, shown, out);
      // A fresh arborist builds the ideal tree, as npm ci's does: it re-derives the dev / optional flags the
      // lockfile claims from the dependency graph, and those flags decide what --omit leaves out.
      const arb = treeArborist(cwd, config, gate);
      const built = await buildJudgedTree(arb, {}, inputs, gate);
      if (built.kind === 'denied') {
        const denied = gateFetchedSources([built.ref], inputs, gate);
        return denied ? showInstallOutcome(denied, shown, out) : 1;
      }
      const tree = built.tree;
      assertLockfileInSync(lockedInventory, tree, cwd);
      const outcome = await verifyThenReify(
        arb,
        tree,
        inputs,
        config,
        {
          gate,
          save: false,
          recordLock: updateLock,
          beforeReify: () => removeNodeModules(tree),
        },
        out,
      );
      return showInstallOutcome(outcome, shown, out);
    },
  );
}

/** npm ci starts from an empty node_modules; vouch does so only after the gate allowed. */
async function removeNodeModules(tree: Tree): Promise<void> {
  const folders = new Set<string>([join(tree.path, 'node_modules')]);
  for (const node of tree.inventory.values() as Iterable<Node>) if (node.isWorkspace) folders.add(join(node.path, 'node_modules'));
  await Promise.all([...folders].map((f) => rm(f, { recursive: true, force: true })));
}
