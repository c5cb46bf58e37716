// Pinned maintainer keys (rules[].publisherKeys): a matching version must carry a publisher
// attestation by one of them, signed before the key's validUntil and before its revocation.
import type { PackageEvidence } from '../verify/index.js';
import { publisherSignedTimeOf } from './evidence.js';
import { approveHint, finding, formatDate, label, policyDate, quote } from './findings.js';
import { formatPath } from '../files/index.js';
import type { Settings } from './match.js';
import type { Finding } from './report.js';

export function publisherKeyFindings(e: PackageEvidence, settings: Settings): Finding[] {
  const pinned = settings.publisherKeys;
  if (!pinned) return [];
  const { name, version } = e.ref;
  const id = label(name, version);
  const keyids = pinned.value.map((k) => k.keyid);
  const publisher = e.attestations?.kind === 'verified' ? e.attestations.publisher : undefined;
  if (!publisher) {
    return [
      finding(
        'PUBLISHER_KEY_MISMATCH',
        'deny',
        `${id} carries no publisher signature; ${pinned.rule} pins ${keyids.join(', ')}`,
        pinned.rule,
        approveHint(name, version),
      ),
    ];
  }
  const index = pinned.value.findIndex((k) => k.keyid === publisher.keyid);
  const key = pinned.value[index];
  if (!key) {
    return [
      finding(
        'PUBLISHER_KEY_MISMATCH',
        'deny',
        `${id} is signed by publisher key ${quote(publisher.keyid)}, but ${pinned.rule} pins ${keyids.join(', ')}`,
        pinned.rule,
        approveHint(name, version),
      ),
    ];
  }
  const rule = (field: string) => `${pinned.rule}${formatPath([index, field])}`;
  const signed = publisherSignedTimeOf(e);
  const findings: Finding[] = [];
  if (key.revokedAt !== undefined) {
    const revoked = policyDate(key.revokedAt);
    if (!signed) {
      findings.push(
        finding(
          'PUBLISHER_KEY_REVOKED',
          'deny',
          `${id} is signed by revoked key ${key.keyid} and has no signing time to show it predates the revocation (${formatDate(revoked)})`,
          rule('revokedAt'),
        ),
      );
    } else if (signed.time.getTime() >= revoked.getTime()) {
      findings.push(
        finding(
          'PUBLISHER_KEY_REVOKED',
          'deny',
          `${id} was signed by key ${key.keyid} at ${formatDate(signed.time)} (${signed.source}), after its revocation at ${formatDate(revoked)}`,
          rule('revokedAt'),
        ),
      );
    } else {
      findings.push(
        finding(
          'PUBLISHER_KEY_REVOKED',
          'warn',
          `${id} was signed by key ${key.keyid} at ${formatDate(signed.time)} (${signed.source}), before its revocation at ${formatDate(revoked)}; consider upgrading to a version signed by a current key`,
          rule('revokedAt'),
        ),
      );
    }
  }
  if (key.validUntil !== undefined) {
    const until = policyDate(key.validUntil);
    if (!signed || signed.time.getTime() > until.getTime()) {
      const when = signed ? `at ${formatDate(signed.time)} (${signed.source})` : 'at an unknown time';
      findings.push(
        finding(
          'PUBLISHER_KEY_EXPIRED',
          'deny',
          `${id} was signed by key ${key.keyid} ${when}, after it was valid (until ${formatDate(until)})`,
          rule('validUntil'),
          approveHint(name, version),
        ),
      );
    }
  }
  return findings;
}
