import { describe, expect, it } from 'vitest';
import { anyProvenance, npmUserClaims, registryClaimsFor, versionClaims } from '../../../lib/registry/tier-claims.js';

// Versions as PackumentSource keeps them: dist, and the `_npmUser` claims.
const PROVENANCE = {
  attestations: { url: 'https://r.example/-/npm/v1/attestations/a@1', provenance: { predicateType: 'https://slsa.dev/provenance/v1' } },
  signatures: [{ keyid: 'k', sig: 's' }],
};
const SIGNED = { signatures: [{ keyid: 'k', sig: 's' }] };
const TRUSTED_USER = npmUserClaims({
  name: 'GitHub Actions',
  email: 'npm-oidc-no-reply@github.com',
  trustedPublisher: { id: 'github', oidcConfigId: 'oidc:1' },
});
const STAGED_USER = npmUserClaims({
  name: 'GitHub Actions',
  approver: { name: 'jane', email: 'jane@example.test' },
  trustedPublisher: { id: 'github', oidcConfigId: 'oidc:1' },
});

describe('npmUserClaims', () => {
  it('reads trustedPublisher and approver objects as npm writes them, and nothing else', () => {
    expect(TRUSTED_USER).toEqual({ trustedPublisher: true });
    expect(STAGED_USER).toEqual({ approver: true, trustedPublisher: true });
    expect(npmUserClaims({ name: 'jane', approver: 'yes', trustedPublisher: true })).toEqual({});
    expect(npmUserClaims(undefined)).toEqual({});
  });
});

describe('registryClaimsFor', () => {
  const versions = {
    '1.0.0': { dist: SIGNED },
    '1.1.0': { dist: PROVENANCE, npmUser: TRUSTED_USER },
    '1.2.0-rc.1': { dist: PROVENANCE, npmUser: STAGED_USER },
    '1.2.0': { dist: SIGNED },
    '1.1.5': { dist: PROVENANCE, npmUser: STAGED_USER }, // a backport published after 1.2.0
    '2.0.0': { dist: PROVENANCE, npmUser: STAGED_USER },
  };
  const time = {
    '1.0.0': '2026-01-01T00:00:00Z',
    '1.1.0': '2026-02-01T00:00:00Z',
    '1.2.0-rc.1': '2026-02-15T00:00:00Z',
    '1.2.0': '2026-03-01T00:00:00Z',
    '1.1.5': '2026-04-01T00:00:00Z',
    '2.0.0': '2026-05-01T00:00:00Z',
  };

  it('keeps per claim the highest earlier version, stable and with prereleases, never a later backport or a higher version', () => {
    const c = registryClaimsFor(versions, time, '1.2.0', 'full');
    expect(c.own).toEqual({ signed: true });
    expect(c.earlier).toEqual([
      { version: '1.2.0-rc.1', claims: { approver: true, trustedPublisher: true, provenance: true, signed: true } },
      { version: '1.1.0', claims: { trustedPublisher: true, provenance: true, signed: true } },
    ]);
  });

  it('counts a version whose time is unknown as earlier (the stricter reading)', () => {
    const { '1.1.5': _backport, ...rest } = time;
    expect(registryClaimsFor(versions, rest, '1.2.0', 'full').earlier.map((e) => e.version)).toEqual(['1.2.0-rc.1', '1.1.5']);
  });

  it('says whether the install document shows any provenance at all', () => {
    expect(anyProvenance(versions)).toBe(true);
    expect(anyProvenance({ '1.0.0': { dist: SIGNED } })).toBe(false);
    expect(versionClaims({ dist: { attestations: { url: 'x' } } })).toEqual({}); // attestations without provenance
    expect(versionClaims({ dist: { attestations: { url: 'x', provenance: { predicateType: 'https://vouch.dev/attestation/publisher/v0.1' } } } })).toEqual({
      publisher: true,
    });
  });
});
