// Judges one publish against the publish policy, before anything is stored, signed or logged. The
// bundle that came with the publish (`<name>-<version>.sigstore`) is verified by vouch's own attestation
// check: statement subject = this name@version and the sha512 the registry computed from the uploaded
// tarball, signature against the configured trusted roots, identity read from the Fulcio certificate
// (never from the predicate, which the build writes). Untrusted: the publish body. Trusted: the policy.
import type { StoredAttestation } from './attestations.js';
import type { PublishPolicy, PublishRule } from './publish-policy.js';
import type { PackageRecords } from './records.js';
import {
  AttestationVerifier,
  checkAttestations,
  globMatches,
  loadTrustRoots,
  PUBLIC_GOOD,
  truncate,
  type AttestationResult,
  type TrustRootSet,
} from './vouch-core.js';

export type PublishDecision = { kind: 'allow' } | { kind: 'refuse'; status: 403; message: string };

export interface PublishToJudge {
  name: string;
  version: string;
  /** sha512 SRI the registry computed from the attached tarball. */
  integrity: string;
  bundle: StoredAttestation | undefined;
}

export interface GateContext {
  roots: TrustRootSet;
  /** The package's records: which versions the registry has signed (kept after an unpublish). */
  records: () => Promise<PackageRecords>;
  /** Judges the bundle's signing time where it has none (nothing in a provenance bundle depends on it). */
  now: Date;
}

/** The trusted roots a policy names, loaded once at start (a missing or bad file: TRUSTED_ROOT, exit 2). */
export function loadPolicyRoots(policy: PublishPolicy): TrustRootSet {
  const files = policy.trustedRoots.filter((r) => r !== PUBLIC_GOOD);
  return loadTrustRoots(files, { publicGood: policy.trustedRoots.includes(PUBLIC_GOOD) });
}

/** Every rule whose glob matches the package must hold; the first that does not refuses the publish. */
export async function judgePublish(policy: PublishPolicy, publish: PublishToJudge, ctx: GateContext): Promise<PublishDecision> {
  const rules = policy.rules.filter((r) => globMatches(r.glob, publish.name));
  if (rules.length === 0) return { kind: 'allow' };
  const spec = `${publish.name}@${publish.version}`;

  const republish = rules.find((r) => r.republish === 'never');
  if (republish && (await ctx.records())[publish.version] !== undefined) {
    return refuse(
      republish,
      'republish',
      `${spec} was published before (the registry signed it); a version is never published twice, even after an unpublish: publish a new version`,
    );
  }
  if (!rules.some((r) => r.provenance || r.publisherKey)) return { kind: 'allow' };

  const evidence = checkBundle(publish, ctx);
  for (const rule of rules) {
    const refused = rule.provenance
      ? checkProvenance(rule, spec, publish, evidence)
      : rule.publisherKey
        ? checkPublisherKey(rule, spec, publish, evidence)
        : undefined;
    if (refused) return refused;
  }
  return { kind: 'allow' };
}

/** vouch's attestation check over the one bundle the publish carries, bound to the uploaded tarball. */
function checkBundle(publish: PublishToJudge, ctx: GateContext): AttestationResult {
  if (!publish.bundle) return { kind: 'none' };
  let body: unknown;
  try {
    body = { attestations: [{ predicateType: publish.bundle.predicateType, bundle: JSON.parse(publish.bundle.bundleText) }] };
  } catch {
    return { kind: 'failed', code: 'ATTESTATION_INVALID', message: 'the bundle is not JSON' };
  }
  return checkAttestations({
    name: publish.name,
    version: publish.version,
    integrity: publish.integrity,
    advertised: { url: 'publish', provenance: { predicateType: publish.bundle.predicateType } },
    response: { kind: 'found', body, bytes: Buffer.byteLength(publish.bundle.bundleText) },
    keys: [], // a publish attestation is the registry's to make, never the publisher's
    // One verifier per publish: its cache is per bundle, and a registry runs for months.
    verifier: new AttestationVerifier(ctx.roots),
    now: ctx.now,
  });
}

function checkProvenance(rule: PublishRule, spec: string, publish: PublishToJudge, evidence: AttestationResult): PublishDecision | undefined {
  if (evidence.kind === 'none') {
    return refuse(
      rule,
      'provenance',
      `${spec} was published without provenance: publish it from CI with \`npm publish --provenance\` (or \`vouch publish --keyless\`)`,
    );
  }
  if (evidence.kind === 'failed') return refuse(rule, 'provenance', `the provenance of ${spec} does not verify (${evidence.code}): ${evidence.message}`);
  const identity = evidence.provenance?.identity;
  if (!identity) {
    const kind = evidence.publisher
      ? `a publisher attestation by key ${evidence.publisher.keyid}`
      : `a ${truncate(publish.bundle?.predicateType ?? '', 80)} bundle`;
    return refuse(rule, 'provenance', `${spec} carries ${kind}, not Sigstore provenance signed by a Fulcio certificate`);
  }
  const fields = [
    ['issuers', 'issuer', identity.issuer],
    ['repositories', 'repository', identity.repository],
    ['workflows', 'workflow', identity.workflow],
  ] as const;
  for (const [field, label, actual] of fields) {
    const allowed = rule[field];
    if (!allowed || (actual !== undefined && allowed.includes(actual))) continue;
    const named = actual === undefined ? `names no ${label}` : `names ${label} ${JSON.stringify(truncate(actual, 200))}`;
    return refuse(rule, field, `the provenance certificate of ${spec} ${named}, not ${allowed.map((a) => JSON.stringify(a)).join(' or ')}`);
  }
  return undefined;
}

function checkPublisherKey(rule: PublishRule, spec: string, publish: PublishToJudge, evidence: AttestationResult): PublishDecision | undefined {
  if (evidence.kind === 'none') {
    return refuse(rule, 'publisherKey', `${spec} was published without a publisher attestation: publish it with \`vouch publish --key FILE\``);
  }
  if (evidence.kind === 'failed')
    return refuse(rule, 'publisherKey', `the publisher attestation of ${spec} does not verify (${evidence.code}): ${evidence.message}`);
  const keyid = evidence.publisher?.keyid;
  if (!keyid) {
    const kind = evidence.provenance ? 'provenance signed by a Fulcio certificate' : `a ${truncate(publish.bundle?.predicateType ?? '', 80)} bundle`;
    return refuse(rule, 'publisherKey', `${spec} carries ${kind}, not a publisher attestation signed by a publisher key`);
  }
  if (Array.isArray(rule.publisherKey) && !rule.publisherKey.includes(keyid)) {
    return refuse(rule, 'publisherKey', `${spec} is signed by publisher key ${keyid}, not ${rule.publisherKey.join(' or ')}`);
  }
  return undefined;
}

/** The message names the rule (its JSON path in the policy) and the package; npm prints it after the status. */
function refuse(rule: PublishRule, field: keyof PublishRule, reason: string): PublishDecision {
  return { kind: 'refuse', status: 403, message: `publish policy packages["${rule.glob}"].${field} refuses this publish: ${reason}` };
}
