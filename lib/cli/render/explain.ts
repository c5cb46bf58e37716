// `vouch explain`: one package's evidence and the rules that decided, in words.
import { redactDeep } from '../../config/index.js';
import type { LockPackage } from '../../lock/types.js';
import type { AttestationResult, IntegrityResult, ProvenanceIdentity, SignatureResult } from '../../verify/index.js';
import { tierViewOf, tierWords, type Finding, type PackageVerdict } from '../../policy/index.js';
import { printable } from './printable.js';

/** One package's evidence and rules in words; every credential in it masked (redactSecrets). */
export function renderExplain(input: PackageVerdict, pinned: LockPackage | undefined): string {
  const verdict = redactDeep(input);
  const { ref, evidence } = verdict;
  const lines = [
    `${ref.name}@${ref.version}: ${verdict.decision.toUpperCase()} (${verdict.status})`,
    `  installed at ${ref.locations.join(', ')}${ref.aliases.length ? ` (as ${ref.aliases.join(', ')})` : ''}`,
    `  registry ${ref.registry}`,
  ];
  if (evidence.unverifiable) lines.push(`  could not be verified: ${printable(evidence.unverifiable.message)} [${evidence.unverifiable.code}]`);
  if (evidence.integrity) lines.push(`  integrity: ${integrityWords(evidence.integrity)}`);
  if (evidence.signature) lines.push(`  registry signature: ${signatureWords(evidence.signature)}`);
  if (evidence.publishedAt !== undefined) lines.push(`  published (registry time, unsigned): ${evidence.publishedAt?.toISOString() ?? 'unknown'}`);
  if (evidence.attestations) lines.push(...attestationLines(evidence.attestations));
  if (!evidence.unverifiable) lines.push(tierLine(verdict.evidence));
  lines.push(...pinLines(redactDeep(pinned), ref.version));
  lines.push(...findingLines('decided by', verdict.findings));
  if (verdict.waived?.length)
    lines.push(
      ...findingLines(
        'waived by an exception',
        verdict.waived.map((w) => ({ ...w, rule: w.waivedBy })),
      ),
    );
  if (verdict.findings.length === 0) lines.push('  every check passed and no policy rule objected');
  return `${lines.join('\n')}\n`;
}

function tierLine(e: PackageVerdict['evidence']): string {
  const view = tierViewOf(e);
  const claimed = view.claimed ? `; the registry's metadata (unsigned) says ${tierWords(view.claimed)}` : '';
  return `  trust tier: ${view.tier} (${tierWords(view.tier)}, verified)${claimed}`;
}

function integrityWords(r: IntegrityResult): string {
  if (r.kind === 'ok') return `lockfile = registry-signed ${r.integrity}${r.tarballChecked ? ' = sha512 of the tarball fetched' : ''}`;
  return `${printable(r.message)} [${r.code}]${r.expected ? `, expected ${r.expected}` : ''}${r.actual ? `, got ${r.actual}` : ''}`;
}

function signatureWords(r: SignatureResult): string {
  if (r.kind === 'verified') return `verified with key ${r.keyids.join(', ')}`;
  if (r.kind === 'no-keys') return 'none: the registry publishes no signing keys';
  return `${printable(r.message)} [${r.code}]`;
}

function attestationLines(r: AttestationResult): string[] {
  if (r.kind === 'none') return ['  attestations: none advertised'];
  if (r.kind === 'failed') return [`  attestations: ${printable(r.message)} [${r.code}]`];
  const lines: string[] = [];
  if (r.provenance) {
    lines.push(
      `  provenance (${r.provenance.predicateType}), verified by the ${r.provenance.trustRoot} trust root${r.provenance.integratedTime ? `, logged ${r.provenance.integratedTime.toISOString()}` : ''}:`,
    );
    lines.push(...identityLines(r.provenance.identity));
  }
  if (r.publish) lines.push(`  registry publish attestation: signed by ${r.publish.keyid}${timeWords(r.publish.integratedTime)}`);
  if (r.publisher) lines.push(`  publisher attestation: signed by publisher key ${r.publisher.keyid}${timeWords(r.publisher.integratedTime)}`);
  return lines.length ? lines : ['  attestations: verified, none of a kind vouch pins'];
}

function identityLines(id: ProvenanceIdentity): string[] {
  const fields: [string, string | undefined][] = [
    ['issuer', id.issuer],
    ['repository', id.repository],
    ['repository id', id.repositoryId],
    ['owner id', id.ownerId],
    ['workflow', id.workflow],
    ['ref', id.ref],
    ['commit', id.commit],
    ['runner', id.runnerEnvironment],
    ['certificate SAN', id.san],
  ];
  return fields.filter(([, v]) => v !== undefined).map(([k, v]) => `    ${k}: ${printable(v ?? '')}`);
}

function pinLines(pinned: LockPackage | undefined, version: string): string[] {
  if (!pinned) return ['  vouch.lock: not recorded yet (its identity is pinned on first successful install)'];
  const lines = [`  vouch.lock: identity pinned ${pinned.identity ? JSON.stringify(pinned.identity) : '(none: no provenance or publisher signature yet)'}`];
  const entry = pinned.versions[version];
  lines.push(entry ? `  vouch.lock: ${version} recorded with evidence ${entry.evidence}` : `  vouch.lock: ${version} not recorded yet`);
  return lines;
}

function findingLines(title: string, findings: readonly Finding[]): string[] {
  if (findings.length === 0) return [];
  return [
    `  ${title}:`,
    ...findings.flatMap((f) => [
      `    ${f.severity === 'deny' ? 'DENY' : 'WARN'} ${f.code}: ${printable(f.message)}`,
      ...(f.rule ? [`      rule: ${f.rule}`] : []),
      ...(f.hint ? [`      fix: ${printable(f.hint)}`] : []),
    ]),
  ];
}

const timeWords = (t: Date | null): string => (t ? `, logged ${t.toISOString()}` : ', no signed time');
