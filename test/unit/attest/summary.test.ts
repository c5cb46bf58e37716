// The verification summary states only what the run established: vouch's labels hold for every package,
// SLSA build levels are counted per dependency from verified provenance, and a denied run claims nothing.
import { describe, expect, it } from 'vitest';
import {
  buildSummaryStatement,
  dependencyLevels,
  LISTED_ATTESTATIONS_MAX,
  verifiedLevels,
  VOUCH_SUMMARY_DETAILS,
  type SummaryInput,
} from '../../../lib/attest/index.js';
import type { Report } from '../../../lib/policy/report.js';
import { allowed, badSignature, identity, ref, report, source, unsignedRegistry } from '../render/report-builder.js';

const NOW = new Date('2026-03-01T10:00:00.000Z');

function input(r: Report, decision: SummaryInput['decision'] = 'allow'): SummaryInput {
  return {
    report: r,
    decision,
    mode: 'lockfile',
    resourceUri: 'pkg:npm/app@1.0.0',
    vouchVersion: '9.9.9',
    now: NOW,
    subjects: [{ name: 'package-lock.json', digest: { sha256: 'a'.repeat(64), sha512: 'b'.repeat(128) } }],
    policy: null,
    lock: { uri: 'vouch.lock', sha256: 'c'.repeat(64) },
  };
}

describe('verifiedLevels', () => {
  it('names integrity, tarballs, signatures and provenance when every package has them', () => {
    const r = report([allowed(ref('a', '1.0.0'), { provenance: identity('acme/a') }), allowed(ref('b', '1.0.0'), { provenance: identity('acme/b') })]);
    expect(verifiedLevels(r)).toEqual(['VOUCH_INTEGRITY_VERIFIED', 'VOUCH_TARBALLS_VERIFIED', 'VOUCH_SIGNATURES_VERIFIED', 'VOUCH_PROVENANCE_VERIFIED']);
  });

  it('drops provenance when one package has none, and signatures when one registry signs nothing', () => {
    const r = report([allowed(ref('a', '1.0.0'), { provenance: identity('acme/a') }), unsignedRegistry(ref('b', '1.0.0'))]);
    expect(verifiedLevels(r)).toEqual(['VOUCH_INTEGRITY_VERIFIED', 'VOUCH_TARBALLS_VERIFIED']);
  });

  it('claims nothing for a tree with a git dependency or no package at all', () => {
    expect(verifiedLevels(report([allowed(ref('a', '1.0.0')), source('g', 'allow')]))).toEqual([]);
    expect(verifiedLevels(report([]))).toEqual([]);
  });
});

describe('dependencyLevels', () => {
  it('counts level 2 for hosted-runner provenance, 1 for other provenance, 0 without', () => {
    const r = report([
      allowed(ref('a', '1.0.0'), { provenance: identity('acme/a') }),
      allowed(ref('b', '1.0.0'), { provenance: identity('acme/b', { runnerEnvironment: 'self-hosted' }) }),
      allowed(ref('c', '1.0.0')),
    ]);
    expect(dependencyLevels(r)).toEqual({ SLSA_BUILD_LEVEL_0: 1, SLSA_BUILD_LEVEL_1: 1, SLSA_BUILD_LEVEL_2: 1 });
  });
});

describe('buildSummaryStatement', () => {
  it('writes a PASSED VSA v1 statement with the built-in policy, the lock digest and the attestations', () => {
    const r = report([allowed(ref('a', '1.0.0'), { provenance: identity('acme/a') })]);
    const statement = buildSummaryStatement(input(r));
    expect(statement.predicateType).toBe('https://slsa.dev/verification_summary/v1');
    const p = statement.predicate as Record<string, unknown>;
    expect(p).toMatchObject({
      verifier: { id: 'https://vouch.dev/verifier', version: { vouch: '9.9.9' } },
      timeVerified: NOW.toISOString(),
      resourceUri: 'pkg:npm/app@1.0.0',
      policy: { uri: 'https://vouch.dev/policy/built-in@9.9.9' },
      verificationResult: 'PASSED',
    });
    expect(p['inputAttestations']).toEqual([
      { name: 'pkg:npm/a@1.0.0', digest: { sha256: '1'.repeat(64) } },
      { name: 'pkg:npm/a@1.0.0', digest: { sha256: '2'.repeat(64) } },
    ]);
    expect(p[VOUCH_SUMMARY_DETAILS]).toMatchObject({
      decision: 'allow',
      lock: { uri: 'vouch.lock', digest: { sha256: 'c'.repeat(64) } },
      attestations: { count: 2, listed: 2 },
    });
  });

  it('writes FAILED with no verified levels for a denied run', () => {
    const statement = buildSummaryStatement(input(report([allowed(ref('a', '1.0.0')), badSignature(ref('b', '1.0.0'))]), 'deny'));
    expect(statement.predicate).toMatchObject({ verificationResult: 'FAILED', verifiedLevels: [] });
  });

  it('lists at most LISTED_ATTESTATIONS_MAX attestations and commits to all of them by digest', () => {
    const many = Array.from({ length: LISTED_ATTESTATIONS_MAX + 5 }, (_, i) => allowed(ref(`p${String(i).padStart(3, '0')}`, '1.0.0')));
    const p = buildSummaryStatement(input(report(many))).predicate as Record<string, unknown>;
    expect((p['inputAttestations'] as unknown[]).length).toBe(LISTED_ATTESTATIONS_MAX);
    const details = p[VOUCH_SUMMARY_DETAILS] as { attestations: { count: number; listed: number; digest: { sha256: string } } };
    expect(details.attestations.count).toBe(LISTED_ATTESTATIONS_MAX + 5);
    const fewer = buildSummaryStatement(input(report(many.slice(1)))).predicate as Record<string, unknown>;
    expect((fewer[VOUCH_SUMMARY_DETAILS] as typeof details).attestations.digest).not.toEqual(details.attestations.digest);
  });
});
