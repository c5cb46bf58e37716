// `vouch install [spec…]`: npm install, but every package of the ideal tree is verified and judged by
// policy and vouch.lock before anything is written; then the same tree is reified from verified bytes.
import type { ExitCode } from '../../errors/index.js';
import { assertLockfileParses, fetchedSources } from '../../tree/index.js';
import { gateOptions, isSilent, loadProjectConfig, reportFormat } from '../common-flags.js';
import { buildJudgedTree, readTrustFiles, treeArborist } from '../gate.js';
import { gateFetchedSources, rootManifest, verifyThenReify } from '../install-flow.js';
import { showInstallOutcome } from '../install-output.js';
import { boundHeapGrowthFor } from '../heap-growth.js';
import { assertPackageSpecs, parseNpmCommandLine } from '../npm-command-line.js';
import type { Output } from '../output.js';
import { withProjectLock } from '../project-lock.js';
import { FLAGS } from './flag-table.js';

export async function run(argv: string[], out: Output): Promise<ExitCode> {
  const line = parseNpmCommandLine(argv, 'install', FLAGS.install);
  assertPackageSpecs(line.positionals, process.cwd());
  const format = reportFormat(line.vouch.format, line.npmFlags);
  const config = await loadProjectConfig(line.npmArgs);
  const cwd = config.localPrefix;
  const gate = { ...gateOptions(line.vouch, config, isSilent(line.npmFlags)), locked: false };
  const shown = { cwd, format, verbose: line.vouch.verbose === true, quiet: isSilent(line.npmFlags) };
  const saveType = typeof config.flat['saveType'] === 'string' ? config.flat['saveType'] : undefined;
  const add = line.positionals;
  return withProjectLock(
    cwd,
    { waitMs: 120_000, onWait: (pid) => out.stderr(`vouch: waiting for another vouch run (pid ${pid}) in this project…`) },
    async () => {
      const inputs = await readTrustFiles(cwd); // a malformed policy or lock stops here: exit 2, nothing written
      // arborist would drop a corrupt lockfile and resolve afresh; a large one gets the heap bound first.
      boundHeapGrowthFor(await assertLockfileParses(cwd));
      // git / remote sources are judged before arborist would clone or download them.
      const early = gateFetchedSources(fetchedSources(add, await rootManifest(cwd)), inputs, gate);
      if (early !== null) return showInstallOutcome(early, shown, out);
      const arb = treeArborist(cwd, config, gate);
      const built = await buildJudgedTree(arb, { add, ...(saveType ? { saveType } : {}) }, inputs, gate);
      if (built.kind === 'denied') {
        const denied = gateFetchedSources([built.ref], inputs, gate);
        return denied ? showInstallOutcome(denied, shown, out) : 1;
      }
      // --no-save writes no project file: package.json, package-lock.json and vouch.lock stay as they are
      // (the nested install that prepares a git dependency runs with it, and must leave no vouch.lock to pack).
      const save = config.flat['save'] !== false;
      const outcome = await verifyThenReify(
        arb,
        built.tree,
        inputs,
        config,
        {
          gate,
          save,
          recordLock: save,
          ...(add.length ? { add } : {}),
          ...(saveType ? { saveType } : {}),
        },
        out,
      );
      return showInstallOutcome(outcome, shown, out);
    },
  );
}
