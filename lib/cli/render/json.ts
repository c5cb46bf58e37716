// `--format json`: the report as a stable document (docs/report-json.md, docs/report.schema.json).
// Field order is fixed, arrays sorted, dates ISO 8601, absent evidence `null`: the same report gives
// the same bytes. schemaVersion changes only on a breaking change; fields may be added within a version.
import type {
  AttestationResult,
  EvidenceStatus,
  IntegrityResult,
  KeyedAttestationEvidence,
  ProvenanceEvidence,
  ProvenanceIdentity,
  SignatureResult,
} from '../../verify/types.js';
import type { Decision, Finding, PackageVerdict, RegistrySummary, Report, SourceVerdict, WaivedFinding } from '../../policy/report.js';
import { tierViewOf } from '../../policy/index.js';
import type { Tier } from '../../policy/tiers.js';
import { npmAuditEntries, type NpmInvalidEntry, type NpmMissingEntry } from './npm-compat.js';
import { sortFindings, sortStrings, sortVerdicts, tallyReport } from './tally.js';

export const REPORT_SCHEMA_VERSION = 1;

export interface ReportJson {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: 'vouch'; version: string };
  /** The worst decision of any verdict: what the gate did. */
  decision: Decision;
  summary: SummaryJson;
  registries: RegistrySummary[];
  notices: string[];
  packages: PackageJson[];
  sources: SourceJson[];
  /** `npm audit signatures --json` compatible. */
  invalid: NpmInvalidEntry[];
  missing: NpmMissingEntry[];
}

type ReportSummary = Report['summary'];

export interface SummaryJson extends ReportSummary {
  packages: number;
  sources: number;
  byStatus: Record<EvidenceStatus, number>;
  evidence: { registrySignatures: number; provenance: number; provenanceIdentities: number; publishAttestations: number; publisherSigned: number };
}

export interface PackageJson {
  name: string;
  version: string;
  aliases: string[];
  locations: string[];
  registry: string;
  resolved: string | null;
  integrity: string | null;
  dev: boolean;
  optional: boolean;
  hasInstallScript: boolean;
  status: EvidenceStatus;
  decision: Decision;
  findings: Finding[];
  /** Findings an exception waived (not counted in the decision), with the exception's JSON path. */
  waived: WaivedFinding[];
  evidence: EvidenceJson;
}

export interface EvidenceJson {
  unverifiable: { code: string; message: string } | null;
  integrity: IntegrityResult | null;
  registryIntegrity: string | null;
  signature: SignatureResult | null;
  attestations: AttestationsJson | null;
  publishedAt: string | null;
  /** Trust tier (lib/policy/tiers.ts): verified, and the registry's unsigned claim when it says more. Absent when unverifiable. */
  tier?: { verified: Tier; claimed: Tier | null };
}

export type AttestationsJson =
  | { kind: 'none' }
  | { kind: 'verified'; provenance: ProvenanceJson | null; publish: KeyedJson | null; publisher: KeyedJson | null }
  | Extract<AttestationResult, { kind: 'failed' }>;

export type ProvenanceJson = Omit<ProvenanceEvidence, 'integratedTime'> & { integratedTime: string | null };
export type KeyedJson = Omit<KeyedAttestationEvidence, 'integratedTime'> & { integratedTime: string | null };

export interface SourceJson {
  name: string;
  kind: SourceVerdict['ref']['kind'];
  spec: string;
  locations: string[];
  status: 'unverifiable';
  decision: Decision;
  findings: Finding[];
  waived: WaivedFinding[];
}

/** The JSON document for a report (a plain object; renderJson serialises it). */
export function toReportJson(report: Report, version: string): ReportJson {
  const verdicts = sortVerdicts(report.verdicts);
  const tally = tallyReport(report);
  const { invalid, missing } = npmAuditEntries(report);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'vouch', version },
    decision: worstDecision(report),
    summary: {
      ...report.summary,
      packages: tally.packages,
      sources: tally.sources,
      byStatus: tally.byStatus,
      evidence: {
        registrySignatures: tally.registrySignatures,
        provenance: tally.provenance,
        provenanceIdentities: tally.provenanceIdentities,
        publishAttestations: tally.publishAttestations,
        publisherSigned: tally.publisherSigned,
      },
    },
    registries: [...report.registries]
      .sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0))
      .map((r) => ({ url: r.url, keys: r.keys, keyids: sortStrings(r.keyids), decision: r.decision, findings: r.findings.map(findingJson) })),
    notices: [...report.notices],
    packages: verdicts.filter((v): v is PackageVerdict => v.kind === 'package').map(packageJson),
    sources: verdicts.filter((v): v is SourceVerdict => v.kind === 'source').map(sourceJson),
    invalid,
    missing,
  };
}

export function renderJson(report: Report, version: string): string {
  return `${JSON.stringify(toReportJson(report, version), null, 2)}\n`;
}

/** deny if anything is denied, else warn if anything warned, else allow. */
export function worstDecision(report: Report): Decision {
  const decisions = new Set([...report.verdicts, ...report.registries].map((v) => v.decision));
  return decisions.has('deny') ? 'deny' : decisions.has('warn') ? 'warn' : 'allow';
}

function findingJson(f: Finding): Finding {
  return {
    code: f.code,
    severity: f.severity,
    message: f.message,
    ...(f.rule !== undefined ? { rule: f.rule } : {}),
    ...(f.hint !== undefined ? { hint: f.hint } : {}),
  };
}

function waivedJson(waived: readonly WaivedFinding[] | undefined): WaivedFinding[] {
  return sortFindings(waived ?? []).map((w) => ({ ...findingJson(w), waivedBy: w.waivedBy }));
}

function packageJson(v: PackageVerdict): PackageJson {
  const { ref, evidence: e } = v;
  return {
    name: ref.name,
    version: ref.version,
    aliases: sortStrings(ref.aliases),
    locations: sortStrings(ref.locations),
    registry: ref.registry,
    resolved: ref.resolved,
    integrity: ref.integrity,
    dev: ref.dev,
    optional: ref.optional,
    hasInstallScript: ref.hasInstallScript,
    status: v.status,
    decision: v.decision,
    findings: sortFindings(v.findings).map(findingJson),
    waived: waivedJson(v.waived),
    evidence: {
      unverifiable: e.unverifiable ? { code: e.unverifiable.code, message: e.unverifiable.message } : null,
      integrity: e.integrity ? integrityJson(e.integrity) : null,
      registryIntegrity: e.registryIntegrity ?? null,
      signature: e.signature ? signatureJson(e.signature) : null,
      attestations: e.attestations ? attestationsJson(e.attestations) : null,
      publishedAt: iso(e.publishedAt),
      ...(e.unverifiable ? {} : { tier: tierJson(e) }),
    },
  };
}

function tierJson(e: PackageVerdict['evidence']): { verified: Tier; claimed: Tier | null } {
  const view = tierViewOf(e);
  return { verified: view.tier, claimed: view.claimed ?? null };
}

// Each evidence object is rebuilt field by field: a fixed key order whatever the producer's, and
// nothing the schema does not document.
function integrityJson(i: IntegrityResult): IntegrityResult {
  if (i.kind === 'ok') return { kind: 'ok', integrity: i.integrity, tarballChecked: i.tarballChecked };
  return {
    kind: 'failed',
    code: i.code,
    message: i.message,
    ...(i.expected !== undefined ? { expected: i.expected } : {}),
    ...(i.actual !== undefined ? { actual: i.actual } : {}),
  };
}

function signatureJson(s: SignatureResult): SignatureResult {
  switch (s.kind) {
    case 'verified':
      return { kind: 'verified', keyids: sortStrings(s.keyids) };
    case 'no-keys':
      return { kind: 'no-keys' };
    case 'failed':
      return { kind: 'failed', code: s.code, ...(s.keyid !== undefined ? { keyid: s.keyid } : {}), message: s.message };
  }
}

function attestationsJson(a: AttestationResult): AttestationsJson {
  switch (a.kind) {
    case 'none':
      return { kind: 'none' };
    case 'failed':
      return { kind: 'failed', code: a.code, message: a.message, ...(a.predicateType !== undefined ? { predicateType: a.predicateType } : {}) };
    case 'verified':
      return {
        kind: 'verified',
        provenance: a.provenance ? provenanceJson(a.provenance) : null,
        publish: a.publish ? keyedJson(a.publish) : null,
        publisher: a.publisher ? keyedJson(a.publisher) : null,
      };
  }
}

const OPTIONAL_IDENTITY_FIELDS = [
  'repository',
  'repositoryId',
  'owner',
  'ownerId',
  'ref',
  'commit',
  'workflow',
  'buildConfigUri',
  'buildSignerUri',
  'runnerEnvironment',
] as const satisfies readonly (keyof ProvenanceIdentity)[];

function provenanceJson(p: ProvenanceEvidence): ProvenanceJson {
  const identity: ProvenanceIdentity = { issuer: p.identity.issuer, san: p.identity.san };
  for (const field of OPTIONAL_IDENTITY_FIELDS) {
    const value = p.identity[field];
    if (value !== undefined) identity[field] = value;
  }
  return {
    predicateType: p.predicateType,
    identity,
    integratedTime: iso(p.integratedTime),
    bundleDigest: p.bundleDigest,
    trustRoot: p.trustRoot,
  };
}

function keyedJson(k: KeyedAttestationEvidence): KeyedJson {
  const { logged } = k;
  return {
    predicateType: k.predicateType,
    keyid: k.keyid,
    integratedTime: iso(k.integratedTime),
    bundleDigest: k.bundleDigest,
    ...(logged
      ? {
          logged: {
            logId: logged.logId,
            index: logged.index,
            treeSize: logged.treeSize,
            rootHash: logged.rootHash,
            ...(logged.byRegistry ? { byRegistry: true } : {}),
          },
        }
      : {}),
  };
}

function sourceJson(v: SourceVerdict): SourceJson {
  return {
    name: v.ref.name,
    kind: v.ref.kind,
    spec: v.ref.spec,
    locations: sortStrings(v.ref.locations),
    status: v.status,
    decision: v.decision,
    findings: sortFindings(v.findings).map(findingJson),
    waived: waivedJson(v.waived),
  };
}

// A Date that is invalid would throw in toISOString; it is reported as unknown instead.
function iso(date: Date | null | undefined): string | null {
  return date && !Number.isNaN(date.getTime()) ? date.toISOString() : null;
}
