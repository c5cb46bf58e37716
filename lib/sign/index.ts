// Signing: key ids, key pairs, signers over keys (local, environment, external command, keyless),
// in-toto statements, DSSE bundles, packing and publishing with attestations. Used by the registry
// plugin and by `vouch keygen`, `vouch sign` and `vouch publish`.
export { keySigner, signP256Deterministic, type RawSigner } from './signer.js';
export { buildKeyedBundle, buildBundle, statementOf, IN_TOTO_PAYLOAD_TYPE, type InTotoStatement } from './dsse.js';
export type { Witness } from '@sigstore/sign';
export {
  KEY_TYPES,
  PRIVATE_KEY_FILE,
  PUBLIC_KEY_FILE,
  generateKey,
  writeKeyPair,
  readPrivateKeyFile,
  readPrivateKeyEnv,
  readPublicKeyFile,
  spkiBase64,
  spkiPem,
  type GeneratedKey,
  type KeyType,
  type WrittenKey,
} from './keys.js';
export { commandSigner, decodeSignature, verifySignature, type CommandSignerOptions } from './command-signer.js';
export { detectCi, provenancePredicate, GITHUB_BUILD_TYPE, GITLAB_BUILD_TYPE, type CiProvider, type SlsaV1Predicate } from './ci-provenance.js';
export { buildStatement, packagePurl, IN_TOTO_STATEMENT_V1, type StatementInput } from './statement.js';
export { identityToken, keylessSigner, rekorWitness, DEFAULT_FULCIO_URL, DEFAULT_REKOR_URL } from './keyless.js';
export { packFileName, packFolder, readTarball, type PackedPackage } from './pack.js';
export { signPackage, rawSigner, type KeySource, type SignOptions, type SignResult } from './sign-package.js';
export { buildPublishBody, putPublishBody, type PublishBodyInput } from './publish.js';
export { publishPackage, type PublishOptions, type PublishResult } from './publish-package.js';
