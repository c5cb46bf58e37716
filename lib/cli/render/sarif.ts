// `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers. One result per
// finding, located at the package's key in package-lock.json. Paths stay relative (uriBaseId
// %SRCROOT%): GitHub rejects absolute URIs, and a report must not leak the runner's directory layout.
import { createHash } from 'node:crypto';
import { isAbsolute, win32 } from 'node:path';
import type { Location, Log, ReportingDescriptor, Result } from 'sarif';
import semver from 'semver';
import { VouchError } from '../../errors/index.js';
import { type Finding, type FindingCode, type RegistrySummary, type Report, type Verdict, decidedByRegistry } from '../../policy/index.js';
import { FINDING_CODES } from './finding-codes.js';
import { lockedName, lockfileLines } from './lockfile-lines.js';
import { sortFindings, sortStrings, sortVerdicts, verdictLabel } from './tally.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
/** The partialFingerprints key; bump its /vN when the hashed fields change. */
export const FINGERPRINT_KEY = 'vouchFinding/v1';
/** GitHub accepts at most 1,000 locations per result. */
const MAX_LOCATIONS = 1000;

export interface SarifOptions {
  version: string;
  /** package-lock.json text, to find the line of each package; without it every result points at line 1. */
  lockfileText?: string;
  /** The lockfile's path relative to the repository root (default "package-lock.json"). */
  lockfileUri?: string;
}

export function toSarif(report: Report, opts: SarifOptions): Log {
  const uri = relativeUri(opts.lockfileUri ?? 'package-lock.json');
  const lineOf = lockfileLines(opts.lockfileText, uri);
  const verdicts = sortVerdicts(report.verdicts);
  const rules = rulesFor([...verdicts.flatMap((v) => v.findings), ...report.registries.flatMap((r) => r.findings)]);
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const results: Result[] = [];
  for (const r of report.registries) {
    for (const f of sortFindings(r.findings)) results.push(registryResult(r, f, ruleIndex.get(f.code) ?? 0, uri));
  }
  for (const v of verdicts) {
    for (const f of sortFindings(v.findings)) {
      if (decidedByRegistry(report.registries, v, f)) continue; // one result for the registry instead
      results.push(
        resultFor(v, f, ruleIndex.get(f.code) ?? 0, (location) => ({
          physicalLocation: {
            artifactLocation: { uri, uriBaseId: '%SRCROOT%' },
            region: { startLine: lineOf(location, lockedName(v)) },
          },
          logicalLocations: [{ name: location, fullyQualifiedName: verdictLabel(v), kind: 'package' }],
        })),
      );
    }
  }
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'vouch',
            version: opts.version,
            ...(semver.valid(opts.version) ? { semanticVersion: opts.version } : {}),
            rules,
          },
        },
        results,
      },
    ],
  };
}

export function renderSarif(report: Report, opts: SarifOptions): string {
  return `${JSON.stringify(toSarif(report, opts), null, 2)}\n`;
}

// One rule per code used in this report; its default level is error when any finding of it denies.
function rulesFor(findings: readonly Finding[]): ReportingDescriptor[] {
  const denies = new Map<FindingCode, boolean>();
  for (const f of findings) {
    denies.set(f.code, (denies.get(f.code) ?? false) || f.severity === 'deny');
  }
  return sortStrings([...denies.keys()]).map((code) => {
    const info = FINDING_CODES[code as FindingCode];
    return {
      id: code,
      name: pascalCase(code),
      shortDescription: { text: info.title },
      fullDescription: { text: info.title },
      help: { text: info.help },
      defaultConfiguration: { level: denies.get(code as FindingCode) ? 'error' : 'warning' },
      properties: { tags: ['security', 'supply-chain'] },
    };
  });
}

function resultFor(v: Verdict, f: Finding, ruleIndex: number, locate: (location: string) => Location): Result {
  const label = verdictLabel(v);
  // Most messages already start with the package; name it only where one does not.
  const parts = [f.message.startsWith(label) ? f.message : `${label}: ${f.message}`];
  if (f.rule) parts.push(`(rule: ${f.rule})`);
  if (f.hint) parts.push(`Fix: ${f.hint}`);
  // A package always has a lockfile location; one without still gets a location (line 1).
  const locations = v.ref.locations.length > 0 ? sortStrings(v.ref.locations) : [''];
  const version = v.kind === 'package' ? v.ref.version : v.ref.spec;
  return {
    ruleId: f.code,
    ruleIndex,
    level: f.severity === 'deny' ? 'error' : 'warning',
    message: { text: parts.join(' ') },
    locations: locations.slice(0, MAX_LOCATIONS).map(locate),
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(f.code, v.ref.name, version) },
    properties: {
      package: v.ref.name,
      ...(v.kind === 'package' ? { version: v.ref.version } : { sourceKind: v.ref.kind, spec: v.ref.spec }),
      status: v.status,
      decision: v.decision,
      ...(f.rule ? { policyRule: f.rule } : {}),
    },
  };
}

/** A registry-level finding (its keys), located at the lockfile's first line and named by the registry URL. */
function registryResult(r: RegistrySummary, f: Finding, ruleIndex: number, uri: string): Result {
  const parts = [f.message];
  if (f.rule) parts.push(`(rule: ${f.rule})`);
  if (f.hint) parts.push(`Fix: ${f.hint}`);
  return {
    ruleId: f.code,
    ruleIndex,
    level: f.severity === 'deny' ? 'error' : 'warning',
    message: { text: parts.join(' ') },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri, uriBaseId: '%SRCROOT%' }, region: { startLine: 1 } },
        logicalLocations: [{ name: r.url, fullyQualifiedName: r.url, kind: 'registry' }],
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(f.code, r.url, '') },
    properties: { registry: r.url, decision: r.decision, ...(f.rule ? { policyRule: f.rule } : {}) },
  };
}

/** Stable across runs and machines, so GitHub code scanning keeps one alert per code and package version. */
export function fingerprint(code: string, name: string, version: string): string {
  return createHash('sha256').update(`${code}\0${name}\0${version}`).digest('hex');
}

function pascalCase(code: string): string {
  return code.toLowerCase().replace(/(?:^|_)([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

// A relative, forward-slash, percent-encoded URI reference; absolute paths are a caller bug.
function relativeUri(path: string): string {
  if (isAbsolute(path) || win32.isAbsolute(path) || /^[a-z][a-z0-9+.-]*:/i.test(path)) {
    throw new VouchError('USAGE', `the SARIF lockfile path must be relative to the repository root, got "${path}"`);
  }
  return path.replace(/\\/g, '/').split('/').map(encodeURIComponent).join('/');
}
