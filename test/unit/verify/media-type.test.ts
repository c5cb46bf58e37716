// Bundle media types: @sigstore/bundle accepts any `vX.Y`; vouch verifies only the formats it knows.
// The end-to-end case (a hostile registry rewriting the media type) is in test/adversarial/hostile-bundles.test.ts.
import { describe, expect, it } from 'vitest';
import { checkAttestations } from '../../../lib/verify/index.js';
import { KNOWN_BUNDLE_MEDIA_TYPES } from '../../../lib/verify/bundle-checks.js';
import { readJson, REAL_RESPONSES, realInput } from './attestations-fixtures.js';

type Response = { attestations: { predicateType: string; bundle: { mediaType: string } }[] };

describe('checkAttestations: bundle media type', () => {
  const c = REAL_RESPONSES[0]!;

  it("knows the real bundles' media types (v0.1 to v0.3)", () => {
    for (const real of REAL_RESPONSES) {
      for (const a of (readJson(real.file) as Response).attestations) expect(KNOWN_BUNDLE_MEDIA_TYPES.has(a.bundle.mediaType)).toBe(true);
    }
  });

  it.each(['application/vnd.dev.sigstore.bundle.v9.9+json', 'application/vnd.dev.sigstore.bundle+json;version=1.0'])(
    'fails a real bundle relabelled %s with ATTESTATION_INVALID',
    (mediaType) => {
      const body = readJson(c.file) as Response;
      for (const a of body.attestations) a.bundle.mediaType = mediaType;
      expect(checkAttestations(realInput(c, body))).toMatchObject({ kind: 'failed', code: 'ATTESTATION_INVALID' });
    },
  );
});
