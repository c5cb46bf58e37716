// The registry's Sigstore trusted root (GET /-/vouch/trusted_root.json): its signing log as the one
// transparency log, so a stock @sigstore/verify checks the tlog entries of the bundles the registry issues
// (log-witness.ts). The log's base URL carries its origin because @sigstore/verify 3.1.1 matches the
// checkpoint signer's name against it. The registry's signing keys are not in it: they come from
// GET /-/npm/v1/keys, as npm's do.
import type { SigningLog } from './signing-log.js';

export const TRUSTED_ROOT_ROUTE = '/-/vouch/trusted_root.json';
export const TRUSTED_ROOT_MEDIA_TYPE = 'application/vnd.dev.sigstore.trustedroot+json;version=0.1';

/** Where the log answers under its origin: `<registry>/-/vouch/log/<origin>` (no trailing slash). */
export function logBaseUrl(registry: string, log: Pick<SigningLog, 'origin'>): string {
  return `${registry.replace(/\/+$/, '')}/-/vouch/log/${log.origin}`;
}

/** The trusted root document for a registry at `registry` (its public URL). */
export function trustedRoot(registry: string, log: Pick<SigningLog, 'origin' | 'publicKeySpki' | 'keyId' | 'created'>): Record<string, unknown> {
  return {
    mediaType: TRUSTED_ROOT_MEDIA_TYPE,
    tlogs: [
      {
        baseUrl: logBaseUrl(registry, log),
        hashAlgorithm: 'SHA2_256',
        publicKey: { rawBytes: log.publicKeySpki.toString('base64'), keyDetails: 'PKIX_ED25519', validFor: { start: log.created.toISOString() } },
        logId: { keyId: log.keyId.toString('base64') },
      },
    ],
    certificateAuthorities: [],
    ctlogs: [],
    timestampAuthorities: [],
  };
}
