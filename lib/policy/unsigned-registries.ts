// One decision per unsigned registry. A mirror that strips keys and signatures gives every package
// from it the same UNSIGNED_REGISTRY finding; the registry summary carries that decision once — what
// the registry lacks, how many packages it touches, and the policy line that would accept it — so the
// renderers can list the packages briefly instead of repeating one hint per package. Pure.
import { finding } from './findings.js';
import type { Policy } from './policy.js';
import type { Decision, Finding, PackageVerdict, RegistrySummary, Verdict } from './report.js';

/** `summaries` with, on each registry that publishes no keys and served packages judged UNSIGNED_REGISTRY, that one finding. */
export function withUnsignedRegistryFindings(summaries: readonly RegistrySummary[], verdicts: readonly Verdict[], policy: Policy): RegistrySummary[] {
  return summaries.map((summary) => {
    if (summary.keys !== 'none') return summary;
    const affected = verdicts.filter((v): v is PackageVerdict => v.kind === 'package' && v.ref.registry === summary.url && unsignedFinding(v) !== undefined);
    if (affected.length === 0) return summary;
    const registryFinding = summarize(summary.url, affected, policy);
    const findings = [...summary.findings, registryFinding];
    return { ...summary, findings, decision: worst(summary.decision, registryFinding.severity) };
  });
}

/** The package's UNSIGNED_REGISTRY finding, if that is what it was judged on. */
export function unsignedFinding(v: Verdict): Finding | undefined {
  return v.findings.find((f) => f.code === 'UNSIGNED_REGISTRY');
}

function summarize(url: string, affected: readonly PackageVerdict[], policy: Policy): Finding {
  const severity = affected.some((v) => unsignedFinding(v)?.severity === 'deny') ? 'deny' : 'warn';
  const attested = affected.filter((v) => v.evidence.attestations?.kind === 'verified').length;
  const lacks =
    attested === 0
      ? 'no signing keys, no registry signatures and no attestations'
      : `no signing keys and no registry signatures (${attested} of them carry verified attestations)`;
  const count = affected.length === 1 ? '1 package' : `${affected.length} packages`;
  const accept = `"registries": { ${JSON.stringify(url)}: { "keys": "none" } }`;
  const hint =
    policy.source === 'default'
      ? `the built-in policy allows it with a warning; to accept this registry explicitly, add to vouch.policy.json: ${accept}`
      : `if this registry (or the mirror in front of it) is known to publish no keys, add to vouch.policy.json: ${accept}; or point npm at the registry that signs`;
  return finding(
    'UNSIGNED_REGISTRY',
    severity,
    `${url} serves ${lacks}: nothing proves it served these bytes (${count} from it)`,
    `${policy.defaultsPath}.unsignedRegistry`,
    hint,
  );
}

function worst(decision: Decision, severity: Finding['severity']): Decision {
  if (decision === 'deny' || severity === 'deny') return 'deny';
  return 'warn';
}

/** Whether `f` of `v` is the per-package echo of a decision its registry's summary already carries. */
export function decidedByRegistry(registries: readonly RegistrySummary[], v: Verdict, f: Finding): boolean {
  if (f.code !== 'UNSIGNED_REGISTRY' || v.kind !== 'package') return false;
  return registries.some((r) => r.url === v.ref.registry && r.findings.some((g) => g.code === 'UNSIGNED_REGISTRY'));
}
