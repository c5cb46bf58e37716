// Signing: key ids, signers over keys, DSSE bundles. Used by the registry plugin and `vouch sign`.
export { keyIdOf, toPublicKey, sshPublicKeyBlob } from './key-id.js';
export { keySigner, signP256Deterministic, type RawSigner } from './signer.js';
export { buildKeyedBundle, IN_TOTO_PAYLOAD_TYPE, type InTotoStatement } from './dsse.js';
