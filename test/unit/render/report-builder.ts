// Hand-built Reports for the renderer tests (the policy stage that makes real ones is separate).
// Each helper gives the evidence a real run would hold for that outcome; summary is computed, not typed in.
import type { Decision, Finding, PackageVerdict, RegistrySummary, Report, SourceVerdict, Verdict } from '../../../lib/policy/report.js';
import type { NonRegistryRef, PackageRef } from '../../../lib/tree/types.js';
import type { PackageEvidence, ProvenanceIdentity } from '../../../lib/verify/types.js';
import { PREDICATE_PUBLISHER, PREDICATE_PUBLISH_NPM, PREDICATE_SLSA_V1 } from '../../../lib/verify/types.js';

export const NPMJS = 'https://registry.npmjs.org/';
export const KEY_OLD = 'SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA';
export const KEY_NEW = 'SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U';
export const PUBLISHER_KEY = 'SHA256:pUbLiShErKeYfInGeRpRiNt0000000000000000000';
const INTEGRITY = 'sha512-e+qfbn/zf1+rCza/BhIA//Awmf0v1pa5HQD8zmuvQ1wMhWpSnR/AixLpqjQw9Eh6gHxW0SZWbEKfaKCDibU0Dg==';

export function ref(name: string, version: string, extra: Partial<PackageRef> = {}): PackageRef {
  const registry = extra.registry ?? NPMJS;
  return {
    name,
    version,
    aliases: [],
    locations: [`node_modules/${name}`],
    integrity: INTEGRITY,
    resolved: `${registry}${name}/-/${name.split('/').pop() ?? name}-${version}.tgz`,
    registry,
    dev: false,
    optional: false,
    hasInstallScript: false,
    ...extra,
  };
}

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

export function identity(repo: string, extra: Partial<ProvenanceIdentity> = {}): ProvenanceIdentity {
  return {
    issuer: GITHUB_ISSUER,
    san: `https://github.com/${repo}/.github/workflows/release.yml@refs/heads/main`,
    repository: `https://github.com/${repo}`,
    repositoryId: '123456',
    ownerId: '7890',
    owner: `https://github.com/${repo.split('/')[0] ?? repo}`,
    ref: 'refs/heads/main',
    commit: 'a'.repeat(40),
    workflow: '.github/workflows/release.yml',
    runnerEnvironment: 'github-hosted',
    ...extra,
  };
}

export interface EvidenceOptions {
  provenance?: ProvenanceIdentity;
  publisherKey?: string;
  publishedAt?: Date;
}

/** Integrity ok, registry signature verified, publish attestation and optional provenance/publisher. */
export function verifiedEvidence(r: PackageRef, opts: EvidenceOptions = {}): PackageEvidence {
  const t = new Date('2024-05-01T12:00:00.000Z');
  return {
    ref: r,
    integrity: { kind: 'ok', integrity: r.integrity ?? INTEGRITY, tarballChecked: true },
    signature: { kind: 'verified', keyids: [KEY_NEW] },
    attestations: {
      kind: 'verified',
      publish: { predicateType: PREDICATE_PUBLISH_NPM, keyid: KEY_NEW, integratedTime: t, bundleDigest: `sha256:${'1'.repeat(64)}` },
      ...(opts.provenance
        ? {
            provenance: {
              predicateType: PREDICATE_SLSA_V1,
              identity: opts.provenance,
              integratedTime: t,
              bundleDigest: `sha256:${'2'.repeat(64)}`,
              trustRoot: 'public-good',
            },
          }
        : {}),
      ...(opts.publisherKey
        ? { publisher: { predicateType: PREDICATE_PUBLISHER, keyid: opts.publisherKey, integratedTime: t, bundleDigest: `sha256:${'3'.repeat(64)}` } }
        : {}),
    },
    publishedAt: opts.publishedAt ?? new Date('2024-05-01T11:59:58.000Z'),
    registryIntegrity: r.integrity ?? INTEGRITY,
  };
}

export function finding(code: Finding['code'], severity: Finding['severity'], extra: Partial<Finding> = {}): Finding {
  return { code, severity, message: `${code.toLowerCase().replace(/_/g, ' ')}`, ...extra };
}

export function allowed(r: PackageRef, opts: EvidenceOptions = {}): PackageVerdict {
  return { kind: 'package', ref: r, status: 'verified', decision: 'allow', findings: [], evidence: verifiedEvidence(r, opts) };
}

/** A package whose registry signature does not verify: status invalid, denied. */
export function badSignature(r: PackageRef, extra: Partial<Finding> = {}): PackageVerdict {
  const message = `signature by ${KEY_NEW} does not match`;
  return {
    kind: 'package',
    ref: r,
    status: 'invalid',
    decision: 'deny',
    findings: [finding('SIGNATURE_INVALID', 'deny', { message, rule: 'default', hint: 'do not install this version', ...extra })],
    evidence: { ...verifiedEvidence(r), signature: { kind: 'failed', code: 'SIGNATURE_INVALID', keyid: KEY_NEW, message }, attestations: { kind: 'none' } },
  };
}

/** No signature although the registry serves keys: status missing, denied. */
export function missingSignature(r: PackageRef): PackageVerdict {
  return {
    kind: 'package',
    ref: r,
    status: 'missing',
    decision: 'deny',
    findings: [finding('SIGNATURE_MISSING', 'deny', { rule: 'default' })],
    evidence: {
      ...verifiedEvidence(r),
      signature: { kind: 'failed', code: 'SIGNATURE_MISSING', message: 'no registry signature' },
      attestations: { kind: 'none' },
    },
  };
}

/** A package from a keyless registry, allowed with a warning. */
export function unsignedRegistry(r: PackageRef, decision: Decision = 'warn'): PackageVerdict {
  return {
    kind: 'package',
    ref: r,
    status: 'unsigned-registry',
    decision,
    findings: [finding('UNSIGNED_REGISTRY', decision === 'deny' ? 'deny' : 'warn', { rule: `registries["${r.registry}"]` })],
    evidence: { ...verifiedEvidence(r), signature: { kind: 'no-keys' }, attestations: { kind: 'none' } },
  };
}

export function source(name: string, decision: Decision, extra: Partial<NonRegistryRef> = {}): SourceVerdict {
  const ref: NonRegistryRef = {
    name,
    kind: 'git',
    spec: `git+ssh://git@github.com/acme/${name}.git#${'b'.repeat(40)}`,
    locations: [`node_modules/${name}`],
    ...extra,
  };
  return {
    kind: 'source',
    ref,
    status: 'unverifiable',
    decision,
    findings: decision === 'allow' ? [] : [finding('SOURCE_NOT_ALLOWED', decision === 'deny' ? 'deny' : 'warn', { rule: 'sources' })],
  };
}

export function registry(url = NPMJS, keyids: string[] = [KEY_NEW, KEY_OLD]): RegistrySummary {
  return { url, keys: keyids.length > 0 ? 'served' : 'none', keyids, decision: 'allow', findings: [] };
}

/** A Report with a summary computed from the verdicts, as the policy stage computes it. */
export function report(verdicts: Verdict[], extra: Partial<Omit<Report, 'verdicts' | 'summary'>> = {}): Report {
  const count = (pred: (v: Verdict) => boolean) => verdicts.filter(pred).length;
  return {
    verdicts,
    registries: extra.registries ?? [registry()],
    registryPins: {},
    registryServed: {},
    notices: extra.notices ?? [],
    summary: {
      total: verdicts.length,
      allowed: count((v) => v.decision === 'allow'),
      warned: count((v) => v.decision === 'warn'),
      denied: count((v) => v.decision === 'deny'),
      unverifiable: count((v) => v.status === 'unverifiable'),
    },
  };
}

/** A mixed report: verified with provenance, publisher-signed, aliased, denied, missing, unsigned, a git dep. */
export function mixedReport(): Report {
  return report(
    [
      allowed(ref('zod', '3.23.8'), { provenance: identity('colinhacks/zod') }),
      badSignature(ref('evil', '1.0.0', { locations: ['node_modules/evil', 'node_modules/x/node_modules/evil'] })),
      allowed(ref('@acme/widget', '2.1.0'), { provenance: identity('acme/widget'), publisherKey: PUBLISHER_KEY }),
      allowed(ref('string-width', '4.2.3', { aliases: ['string-width-cjs'], locations: ['node_modules/string-width-cjs'] })),
      missingSignature(ref('async', '1.1.1', { dev: true })),
      unsignedRegistry(ref('@internal/lib', '0.3.0', { registry: 'http://127.0.0.1:4873/' })),
      source('gitdep', 'deny'),
      allowed(ref('zod', '3.9.0'), { provenance: identity('colinhacks/zod') }),
    ],
    {
      registries: [registry(), registry('http://127.0.0.1:4873/', [])],
      notices: ['no vouch.policy.json found: using the built-in default policy'],
    },
  );
}
