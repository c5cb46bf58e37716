// A registry's own signing log (vouch-registry) as a Sigstore trusted root, built from the log key vouch
// pinned the first time it read that log: the bundles the registry issues carry entries of that log (Rekor v2
// shape), and they verify through the same @sigstore/verify path as public-good ones. The root names the log
// by its C2SP key ID (as Rekor v2's roots do) and its base URL holds the checkpoint origin, which
// @sigstore/verify 3.1.1 matches the checkpoint's signer name against.
import { verifierKeyMaterial } from '../tlog/index.js';
import { trustRootFromBytes, type TrustRoot } from './trust-roots.js';

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The trusted root of `registry`'s signing log whose verifier key (`origin+id+base64(0x01 ‖ key)`) was pinned. */
export function registryLogRoot(registry: string, verifierKey: string): TrustRoot {
  const { name: origin, publicKey, keyHash } = verifierKeyMaterial(verifierKey); // throws NoteError on anything but an Ed25519 verifier key
  const root = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: `${registry.replace(/\/+$/, '')}/-/vouch/log/${origin}`,
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: Buffer.concat([ED25519_SPKI_PREFIX, publicKey]).toString('base64'),
          keyDetails: 'PKIX_ED25519',
          validFor: { start: '1970-01-01T00:00:00Z' },
        },
        logId: { keyId: keyHash.toString('base64') },
      },
    ],
    certificateAuthorities: [],
    ctlogs: [],
    timestampAuthorities: [],
  };
  return trustRootFromBytes(`${registry} signing log`, JSON.stringify(root));
}
