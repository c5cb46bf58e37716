// Whether a verified registry signature still counts, beyond npm's rules: not by a revoked key, and,
// for a key the registry has retired, only when a signed time places the signature before it retired
// (npm judges that on the packument's `time`, which the registry writes and nobody signs). And no
// version may come unsigned where earlier ones were signed. Pure.
import type { Lock } from '../lock/types.js';
import type { AttestationResult, PackageEvidence } from '../verify/index.js';
import { finding, formatDate, INVARIANT, label, policyDate } from './findings.js';
import { formatPath } from '../files/index.js';
import type { Policy } from './policy.js';
import type { KeyTrust } from './registry-trust.js';
import type { Finding, WaivedFinding } from './report.js';

export interface SignatureTrustInput {
  e: PackageEvidence;
  trust: KeyTrust | undefined;
  lock: Lock;
  policy: Policy;
  now: Date;
}

/** KEY_REVOKED / KEY_EXPIRED_UNTIMED for a verified signature; a registry's untimedExpiredKeys waives the latter. */
export function signatureTrustFindings({ e, trust, lock, policy, now }: SignatureTrustInput): { findings: Finding[]; waived: WaivedFinding[] } {
  if (e.signature?.kind !== 'verified' || !trust || e.signature.keyids.length === 0) return { findings: [], waived: [] };
  const { name, version, registry } = e.ref;
  const keyids = e.signature.keyids;
  const recorded = lock.packages[name]?.versions[version]?.registryKey?.split(',') ?? [];
  const time = earliest(signedTimes(e).map((t) => t.at));
  const logged = e.registryLog !== undefined;
  const usable = keyids.filter((id) => !trust.revoked.has(id) && (logged || timely(id, trust, now, time, recorded)));
  if (usable.length > 0) return { findings: [], waived: [] };
  const revoked = keyids.filter((id) => trust.revoked.has(id));
  if (revoked.length > 0) {
    const when = formatDate(trust.revoked.get(revoked[0]!)!);
    return {
      findings: [
        finding(
          'KEY_REVOKED',
          'deny',
          `${label(name, version)} is signed only by ${revoked.join(', ')}, which ${registry} revoked on ${when}: every signature by it is void`,
          INVARIANT.signature,
          'ask the registry operator to re-sign this version with its active key (vouch registry rotate)',
        ),
      ],
      waived: [],
    };
  }
  const expired = keyids.map((id) => `${id} (retired ${formatDate(trust.expires.get(id)!)})`).join(', ');
  const untimed = finding(
    'KEY_EXPIRED_UNTIMED',
    'deny',
    `${label(name, version)} is signed only by ${expired}, and nothing signed places that signature before the key retired (the packument's time is the registry's word)`,
    INVARIANT.signature,
    `ask the registry operator to re-sign it with the active key, or accept such versions for this registry in vouch.policy.json: registries[${JSON.stringify(registry)}].untimedExpiredKeys`,
  );
  const accepted = policy.registries.get(registry)?.untimedExpiredKeys;
  if (accepted && now.getTime() < policyDate(accepted.expires).getTime()) {
    return { findings: [], waived: [{ ...untimed, waivedBy: `${formatPath(['registries', registry, 'untimedExpiredKeys'])}` }] };
  }
  return { findings: [untimed], waived: [] };
}

/**
 * A key counts if it has not retired, or a signed time (or vouch.lock from before) dates the signature earlier.
 * (A signature the registry's own log holds counts without this: the log orders it before the retirement.)
 */
function timely(keyid: string, trust: KeyTrust, now: Date, time: Date | null, recorded: readonly string[]): boolean {
  const retired = trust.expires.get(keyid);
  if (!retired || retired.getTime() > now.getTime() || !trust.needsSignedTime) return true;
  if (time !== null && time.getTime() < retired.getTime()) return true;
  // Recorded in vouch.lock with this key: verified and pinned by an earlier run, under the integrity check of lockFindings.
  return recorded.includes(keyid);
}

/** A time something signed vouches for: a log the signer cannot rewrite saw the version by then. */
export interface SignedTime {
  at: Date;
  /** Rekor SET or TSA timestamp of the version's own verified attestations. */
  source: 'attestation-log';
}

/** Every signed time of a version (vouch.lock's record from an earlier run counts separately, by key). */
export function signedTimes(e: Pick<PackageEvidence, 'attestations'>): SignedTime[] {
  const times: SignedTime[] = [];
  const a: AttestationResult | undefined = e.attestations;
  if (a?.kind === 'verified') {
    for (const t of [a.provenance?.integratedTime, a.publish?.integratedTime, a.publisher?.integratedTime]) {
      if (t instanceof Date) times.push({ at: t, source: 'attestation-log' });
    }
  }
  return times;
}

function earliest(times: readonly Date[]): Date | null {
  return times.length > 0 ? new Date(Math.min(...times.map((t) => t.getTime()))) : null;
}

/** SIGNATURE_DOWNGRADE: vouch.lock recorded registry-signed versions of this package, and this new one comes unsigned. */
export function signatureDowngradeFindings(e: PackageEvidence, lock: Lock): Finding[] {
  const { name, version } = e.ref;
  const pkg = lock.packages[name];
  if (!pkg || pkg.versions[version]) return [];
  const unsigned = e.signature?.kind === 'no-keys' || (e.signature?.kind === 'failed' && e.signature.code === 'SIGNATURE_MISSING');
  if (!unsigned) return [];
  const signed = Object.entries(pkg.versions)
    .filter(([, v]) => v.registryKey !== undefined)
    .map(([v]) => v);
  if (signed.length === 0) return [];
  return [
    finding(
      'SIGNATURE_DOWNGRADE',
      'deny',
      `${label(name, version)} carries no registry signature, but vouch.lock recorded ${signed.length === 1 ? `${name}@${signed[0]}` : `${signed.length} versions`} signed by the registry`,
      `vouch.lock:${formatPath(['packages', name])}`,
      `a registry or mirror stripping signatures looks like this; if the registry really stopped signing, accept it: vouch approve ${label(name, version)} --reason "…"`,
    ),
  ];
}
