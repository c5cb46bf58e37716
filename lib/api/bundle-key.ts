// The public key a keyed bundle must be signed with, as the caller gives it (PEM, DER, KeyObject), in the
// form the verifier takes: base64 SPKI DER under the key id the bundle's hint names.
import { createPublicKey, KeyObject } from 'node:crypto';
import { VouchError, truncate } from '../errors/index.js';
import type { BundleKey } from '../verify/attestation-verifier.js';

export interface BundlePublicKey {
  /** PEM (SPKI), base64 SPKI DER, SPKI DER bytes, or a KeyObject. */
  publicKey: string | Uint8Array | KeyObject;
  /** The key id the bundle must name (its `publicKey.hint`). Default: whatever it names; the key is what is trusted. */
  keyid?: string;
}

/** The verifier's key for `key`; throws BUNDLE_SIGNER when the bundle names another key id. */
export function bundleKeyOf(key: BundlePublicKey, hint: string): BundleKey {
  if (key.keyid !== undefined && key.keyid !== hint) {
    throw new VouchError('BUNDLE_SIGNER', `the bundle names key ${JSON.stringify(truncate(hint, 60))}, not ${JSON.stringify(truncate(key.keyid, 60))}`);
  }
  return { keyid: hint, key: spkiBase64(key.publicKey), expires: null };
}

function spkiBase64(publicKey: BundlePublicKey['publicKey']): string {
  let object: KeyObject;
  try {
    if (publicKey instanceof KeyObject) object = publicKey.type === 'private' ? createPublicKey(publicKey) : publicKey;
    else if (typeof publicKey === 'string' && publicKey.includes('-----BEGIN')) object = createPublicKey(publicKey);
    else
      object = createPublicKey({ key: typeof publicKey === 'string' ? Buffer.from(publicKey, 'base64') : Buffer.from(publicKey), format: 'der', type: 'spki' });
  } catch (err) {
    throw new VouchError(
      'USAGE',
      `verifyBundle: key.publicKey is not a public key (PEM, SPKI DER or KeyObject): ${truncate(err instanceof Error ? err.message : String(err))}`,
    );
  }
  return object.export({ type: 'spki', format: 'der' }).toString('base64');
}
