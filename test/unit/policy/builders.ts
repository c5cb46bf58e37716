// Plain-data evidence for policy tests: what lib/verify would report, without a registry.
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { parsePolicy, type Policy } from '../../../lib/policy/index.js';
import { keyIdOf } from '../../../lib/keys/index.js';
import type { PackageRef } from '../../../lib/tree/types.js';
import {
  PREDICATE_PUBLISH_NPM,
  PREDICATE_PUBLISHER,
  PREDICATE_SLSA_V1,
  type AttestationResult,
  type PackageEvidence,
  type ProvenanceIdentity,
  type RegistryKey,
  type RegistryKeysSeen,
  type SignatureResult,
} from '../../../lib/verify/types.js';

export const NOW = new Date('2026-11-24T12:00:00Z');
export const NPM = 'https://registry.npmjs.org/';
export const MIRROR = 'https://mirror.example/';
export const GITHUB = 'https://token.actions.githubusercontent.com';
export const NPM_KEY = 'SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U';
export const KEY_A = 'SHA256:publisher-key-A';
export const KEY_B = 'SHA256:publisher-key-B';

export const daysAgo = (days: number): Date => new Date(NOW.getTime() - days * 86_400_000);

/** A registry's keys as the evidence stage reports them: real P-256 keys, so their ids are their fingerprints. */
export function seenKeys(url: string, count = 1, state: RegistryKeysSeen['state'] = 'served'): RegistryKeysSeen {
  const keys: RegistryKey[] = [];
  for (let i = 0; i < count; i++) {
    const key = createPublicKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)
      .export({ type: 'spki', format: 'der' })
      .toString('base64');
    keys.push({ keyid: keyIdOf(key), key, expires: null });
  }
  return { url, state: count === 0 && state === 'served' ? 'none' : state, keys };
}

export function ref(name: string, version: string, registry = NPM): PackageRef {
  return {
    name,
    version,
    aliases: [],
    locations: [`node_modules/${name}`],
    integrity: integrityOf(name, version),
    resolved: null,
    registry,
    dev: false,
    optional: false,
    hasInstallScript: false,
  };
}

/** A well-formed sha512 SRI value for name@version (the digest of that text), as vouch.lock's schema requires. */
export const integrityOf = (name: string, version: string): string => `sha512-${createHash('sha512').update(`${name}@${version}`).digest('base64')}`;

/** A GitHub Actions identity as the Fulcio certificate states it. */
export function ghIdentity(repo = 'acme/widget', over: Partial<ProvenanceIdentity> = {}): ProvenanceIdentity {
  return {
    issuer: GITHUB,
    san: `https://github.com/${repo}/.github/workflows/release.yml@refs/tags/v1.0.0`,
    repository: `https://github.com/${repo}`,
    repositoryId: '1001',
    owner: `https://github.com/${repo.split('/')[0]}`,
    ownerId: '2002',
    ref: 'refs/tags/v1.0.0',
    commit: 'a'.repeat(40),
    workflow: '.github/workflows/release.yml',
    runnerEnvironment: 'github-hosted',
    ...over,
  };
}

export interface EvidenceOptions {
  registry?: string;
  signature?: SignatureResult;
  /** A provenance identity (verified), or absent for none. */
  provenance?: ProvenanceIdentity;
  provenanceTime?: Date | null;
  /** Key id of a verified publisher attestation. */
  publisher?: string;
  publisherTime?: Date | null;
  publishTime?: Date | null;
  attestations?: AttestationResult;
  publishedAt?: Date | null;
  integrity?: PackageEvidence['integrity'];
  bundleTag?: string;
}

/** Evidence for name@version: integrity ok, signed by the npm key, no attestations unless asked. */
export function evidence(name: string, version: string, o: EvidenceOptions = {}): PackageEvidence {
  const r = ref(name, version, o.registry);
  const tag = o.bundleTag ?? '';
  let attestations: AttestationResult = o.attestations ?? { kind: 'none' };
  if (!o.attestations && (o.provenance || o.publisher || o.publishTime !== undefined)) {
    attestations = {
      kind: 'verified',
      ...(o.provenance
        ? {
            provenance: {
              predicateType: PREDICATE_SLSA_V1,
              identity: o.provenance,
              integratedTime: o.provenanceTime ?? null,
              bundleDigest: `sha256:prov-${name}@${version}${tag}`,
              trustRoot: 'public-good',
            },
          }
        : {}),
      ...(o.publishTime !== undefined
        ? {
            publish: {
              predicateType: PREDICATE_PUBLISH_NPM,
              keyid: NPM_KEY,
              integratedTime: o.publishTime,
              bundleDigest: `sha256:pub-${name}@${version}${tag}`,
            },
          }
        : {}),
      ...(o.publisher
        ? {
            publisher: {
              predicateType: PREDICATE_PUBLISHER,
              keyid: o.publisher,
              integratedTime: o.publisherTime ?? null,
              bundleDigest: `sha256:publisher-${name}@${version}${tag}`,
            },
          }
        : {}),
    };
  }
  return {
    ref: r,
    integrity: o.integrity ?? { kind: 'ok', integrity: integrityOf(name, version), tarballChecked: false },
    signature: o.signature ?? { kind: 'verified', keyids: [NPM_KEY] },
    attestations,
    publishedAt: o.publishedAt === undefined ? daysAgo(30) : o.publishedAt,
    registryIntegrity: integrityOf(name, version),
  };
}

/** A policy from a plain object, through the real parser. */
export function policy(doc: object): Policy {
  return parsePolicy(JSON.stringify(doc, null, 2), 'vouch.policy.json');
}
