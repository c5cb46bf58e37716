// The parts of vouch this package builds on: its error type, flag parsing and flag table (so `vouch registry` fails
// as every vouch command does), its signing (keys, DSSE bundles) and key-endorsement rules (so the
// registry signs exactly what vouch verifies), its attestation check, trust roots and name globs (so the
// publish policy judges a bundle exactly as vouch's install does), and the shape vouch's CLI loads. The one file that names
// vouch's internal paths: vouch is an optional peer of the same version, installed beside this package
// (the CLI checks the version; a second copy of vouch would mean a second VouchError class).
export { VouchError, truncate, type ExitCode } from 'vouch/dist/lib/errors/index.js';
export { buildKeyedBundle, keySigner, type InTotoStatement, type RawSigner, type Witness } from 'vouch/dist/lib/sign/index.js';
export {
  checkEndorsement,
  keyIdMatches,
  signEndorsement,
  type EndorsableKey,
  type KeyEndorsement,
} from 'vouch/dist/lib/verify/key-endorsement.js';
export { keyIdOf } from 'vouch/dist/lib/keys/index.js';
export { PREDICATE_PUBLISH_NPM } from 'vouch/dist/lib/verify/types.js';
export {
  AttestationVerifier,
  checkAttestations,
  loadTrustRoots,
  PUBLIC_GOOD,
  type AttestationResult,
  type TrustRootSet,
} from 'vouch/dist/lib/verify/index.js';
export { globMatches, nameGlobProblem } from 'vouch/dist/lib/policy/match.js';
export { parseFlags, positiveInt } from 'vouch/dist/lib/cli/flags.js';
export { FLAGS } from 'vouch/dist/lib/cli/commands/flag-table.js';
export * from 'vouch/dist/lib/tlog/index.js';
export { submitCheckpoint, type SubmitResult } from 'vouch/dist/lib/witness/client.js';
export type { Output } from 'vouch/dist/lib/cli/output.js';
export type { RegistryPackage } from 'vouch/dist/lib/cli/registry-package.js';
