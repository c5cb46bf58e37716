// A git dependency with install-time scripts is "prepared" by pacote before it is packed: it runs
// `<npmBin> install` in the clone (which installs the clone's dependencies, devDependencies included, and
// runs their scripts), then the clone's `prepare`. With npm's settings that nested install would be an
// unverified `npm install`. vouch names itself as that npm: the nested install is `vouch install` in the
// clone, the same gate (registry signatures, provenance, sources; the built-in policy, since the clone
// carries no vouch.policy.json of the project), and a denied nested install fails the git dependency.
import Arborist from '@npmcli/arborist';
import { packagePath } from '../config/index.js';

/** The pacote options that make a git dependency's preparation go through vouch's gate. */
export function gatedPrepareOptions(cacheDir: string): Record<string, unknown> {
  return {
    // pacote packs the prepared clone with arborist (GitFetcher requires the constructor).
    Arborist,
    // A path ending in .js is run with this node (pacote lib/util/npm.js).
    npmBin: packagePath('bin', 'vouch.js'),
    npmInstallCmd: ['install', '--force'],
    // pacote's own list, minus its --offline=/--prefer-*= booleans (npm's defaults apply), with npm's cache.
    npmCliConfig: [
      `--cache=${cacheDir}`,
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--include=dev',
      '--include=peer',
      '--include=optional',
      '--no-package-lock-only',
      '--no-dry-run',
    ],
  };
}
