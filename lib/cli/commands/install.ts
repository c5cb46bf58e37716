// `vouch install [spec…]`: npm install, but every package of the ideal tree is verified and judged by
// policy and vouch.lock before anything is written; then the same tree is reified from verified bytes.
import { loadNpmConfig } from '../../config/index.js';
import npa from 'npm-package-arg';
import { VouchError, type ExitCode } from '../../errors/index.js';
import { assertLockfileParses, fetchedSources } from '../../tree/index.js';
import { commonFlags, gateOptions, npmArgs } from '../common-flags.js';
import { oneOf, parseFlags } from '../flags.js';
import { buildJudgedTree, readTrustFiles, treeArborist } from '../gate.js';
import { gateFetchedSources, rootManifest, verifyThenReify } from '../install-flow.js';
import type { Output } from '../output.js';
import { withProjectLock } from '../project-lock.js';
import { FORMATS } from '../render/index.js';

export async function run(argv: string[], out: Output): Promise<ExitCode> {
  const { values, positionals } = parseFlags(argv, {
    ...commonFlags,
    'save-dev': { type: 'boolean', short: 'D' },
    'save-optional': { type: 'boolean', short: 'O' },
    'save-exact': { type: 'boolean', short: 'E' },
    'ignore-scripts': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
  }, true);
  const cwd = process.cwd();
  checkSpecs(positionals, cwd);
  const format = oneOf('format', values.format, FORMATS, 'text');
  const gate = { ...gateOptions(values, cwd), locked: false };
  const config = await loadNpmConfig(cwd, [
    ...npmArgs(values),
    ...(values['save-exact'] ? ['--save-exact'] : []),
    ...(values['ignore-scripts'] ? ['--ignore-scripts'] : []),
    ...(values['dry-run'] ? ['--dry-run'] : []),
  ]);
  const saveType = values['save-dev'] ? 'dev' : values['save-optional'] ? 'optional' : undefined;
  return withProjectLock(cwd, { waitMs: 120_000, onWait: (pid) => out.stderr(`vouch: waiting for another vouch run (pid ${pid}) in this project…`) }, async () => {
    const inputs = await readTrustFiles(cwd); // a malformed policy or lock stops here: exit 2, nothing written
    await assertLockfileParses(cwd); // arborist would drop a corrupt lockfile and resolve afresh
    // git / remote sources are judged before arborist would clone or download them.
    const early = gateFetchedSources(fetchedSources(positionals, await rootManifest(cwd)), inputs, { gate, format, verbose: Boolean(values.verbose) }, out);
    if (early !== null) return early;
    const arb = treeArborist(cwd, config, gate);
    const built = await buildJudgedTree(arb, { add: positionals, ...(saveType ? { saveType } : {}) }, inputs, gate);
    if (built.kind === 'denied') return gateFetchedSources([built.ref], inputs, { gate, format, verbose: Boolean(values.verbose) }, out) ?? 1;
    return verifyThenReify(arb, built.tree, inputs, config, {
      gate, format, verbose: Boolean(values.verbose), save: true, recordLock: true,
      ...(positionals.length ? { add: positionals } : {}), ...(saveType ? { saveType } : {}),
    }, out);
  });
}

/** Each spec as npm reads it: one npm refuses is the user's to fix (exit 2), before any request. */
function checkSpecs(specs: readonly string[], cwd: string): void {
  for (const spec of specs) {
    try {
      npa(spec, cwd);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new VouchError('USAGE', `${JSON.stringify(spec)} is not a package spec npm accepts: ${reason}`, {}, 'e.g. vouch install name, name@1.2.3, name@^1, @scope/name@latest');
    }
  }
}
