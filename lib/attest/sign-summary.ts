// Signs a verification summary as a DSSE Sigstore bundle with the key sources `vouch sign` takes: a key
// file, a key in the environment, an external signer command, or keyless (Fulcio, in CI). The key is read
// when the signer is made, so a missing key fails before the run verifies anything.
import type { SerializedBundle } from '@sigstore/bundle';
import type { Witness } from '@sigstore/sign';
import { VouchError, truncate } from '../errors/index.js';
import { buildBundle, buildKeyedBundle, identityToken, keylessSigner, rawSigner, rekorWitness, DEFAULT_REKOR_URL } from '../sign/index.js';
import type { InTotoStatement } from '../sign/dsse.js';
import type { KeySource } from '../sign/sign-package.js';

export interface SummarySignerOptions {
  env: NodeJS.ProcessEnv;
  /** Rekor to log in: keyless always logs (default public-good); a key signature only when given. */
  rekorUrl?: string;
  notice?: (text: string) => void;
}

/** Signs statements; `keyid` names the key (absent for keyless: the certificate names the signer). */
export interface SummarySigner {
  keyid?: string;
  sign(statement: InTotoStatement): Promise<SerializedBundle>;
}

export async function summarySigner(key: KeySource, opts: SummarySignerOptions): Promise<SummarySigner> {
  if (key.kind !== 'keyless') {
    const signer = await rawSigner(key, opts.env, opts.notice);
    const witnesses: Witness[] = opts.rekorUrl ? [rekorWitness(opts.rekorUrl)] : [];
    return { keyid: signer.keyid, sign: (statement) => signing(() => buildKeyedBundle(statement, signer, witnesses)) };
  }
  return {
    sign: (statement) =>
      signing(async () => {
        const token = await identityToken({ env: opts.env, ...(key.identityToken ? { explicit: key.identityToken } : {}) });
        return buildBundle(statement, keylessSigner(token, key.fulcioUrl), [rekorWitness(opts.rekorUrl ?? DEFAULT_REKOR_URL)]);
      }),
  };
}

/** Signing and logging failures become SIGN_FAILED (exit 1), as for `vouch sign`. */
async function signing<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof VouchError) throw err;
    throw new VouchError('SIGN_FAILED', `signing the verification summary failed: ${truncate(err instanceof Error ? err.message : String(err), 300)}`);
  }
}
