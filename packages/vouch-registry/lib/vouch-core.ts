// The parts of vouch this package builds on: its error type, its signing (keys, DSSE bundles) and its
// key-endorsement rules, so the registry signs exactly what vouch verifies. The one file that names
// vouch's internal paths; vouch is a peer dependency of the same version (the CLI checks it).
export { VouchError, truncate, type ExitCode } from 'vouch/dist/lib/errors/index.js';
export { buildKeyedBundle, keyIdOf, keySigner, type InTotoStatement, type RawSigner } from 'vouch/dist/lib/sign/index.js';
export {
  checkEndorsement, keyIdMatches, signEndorsement, type EndorsableKey, type KeyEndorsement,
} from 'vouch/dist/lib/verify/key-endorsement.js';
export { PREDICATE_PUBLISH_NPM } from 'vouch/dist/lib/verify/types.js';
export { parseFlags, positiveInt } from 'vouch/dist/lib/cli/flags.js';
export type { Output } from 'vouch/dist/lib/cli/output.js';
export type { RegistryPackage } from 'vouch/dist/lib/cli/registry-package.js';
