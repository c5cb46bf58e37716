// The report for people: the summary first, then every denial with its reasons, rule and fix, then
// warnings, then notices. Allowed packages are listed only with --verbose: a clean run stays short.
import { styleText } from 'node:util';
import { type Finding, type PackageVerdict, type RegistrySummary, type Report, type Verdict, decidedByRegistry } from '../../policy/index.js';
import { FINDING_CODES } from './finding-codes.js';
import { printable } from './printable.js';
import { sortFindings, sortStrings, sortVerdicts, tallyReport, verdictLabel, type Tally } from './tally.js';

export interface TextOptions {
  /** ANSI colour; only when the output is a terminal. */
  color?: boolean;
  /** Also list allowed packages, every location and every key id. */
  verbose?: boolean;
}

type Style = Exclude<Parameters<typeof styleText>[0], readonly unknown[]>;
type Paint = (style: Style, text: string) => string;

export function renderText(report: Report, opts: TextOptions = {}): string {
  // validateStream: false, because the caller decided (the stream may not be process.stdout).
  const paint: Paint = opts.color ? (style, text) => styleText(style, text, { validateStream: false }) : (_s, text) => text;
  const verbose = opts.verbose ?? false;
  const verdicts = sortVerdicts(report.verdicts);
  const denied = verdicts.filter((v) => v.decision === 'deny');
  const warned = verdicts.filter((v) => v.decision === 'warn' || (v.decision === 'allow' && v.findings.some((f) => f.severity === 'warn')));
  const sections = [summaryLines(report, tallyReport(report), paint, verbose)];
  const registries = report.registries.filter((r) => r.findings.length > 0);
  if (registries.length > 0) sections.push(registrySection(registries, paint));
  if (denied.length > 0) sections.push(verdictSection(`Denied (${denied.length}):`, denied, 'red', paint, verbose, report.registries));
  if (warned.length > 0) sections.push(verdictSection(`Warnings (${warned.length}):`, warned, 'yellow', paint, verbose, report.registries));
  const waived = verdicts.filter((v) => (v.waived?.length ?? 0) > 0);
  if (waived.length > 0) sections.push(waivedSection(waived, paint));
  if (report.notices.length > 0) {
    sections.push([paint('bold', 'Notices:'), ...report.notices.map((n) => `  - ${printable(n)}`)]);
  }
  if (verbose) {
    const allowed = verdicts.filter((v) => v.decision === 'allow');
    if (allowed.length > 0) sections.push([paint('bold', `Allowed (${allowed.length}):`), ...allowed.map((v) => allowedLine(v, paint))]);
  }
  return `${sections.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

function summaryLines(report: Report, tally: Tally, paint: Paint, verbose: boolean): string[] {
  const s = report.summary;
  // allowed + warned + denied = total; unverifiable packages are among the denied, said inside.
  const unverifiable = s.unverifiable > 0 ? ` (${s.unverifiable === s.denied ? 'all' : s.unverifiable} unverifiable)` : '';
  const parts = [paint('green', `${s.allowed} allowed`)];
  if (s.warned > 0) parts.push(paint('yellow', `${s.warned} allowed with ${s.warned === 1 ? 'a warning' : 'warnings'}`));
  parts.push(paint(s.denied > 0 ? 'red' : 'green', `${s.denied} denied${unverifiable}`));
  const head = `${paint('bold', 'vouch:')} ${plural(s.total, 'package', 'packages')} checked: ${parts.join(', ')}`;
  const registries = [...report.registries].sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
  const counts: [number, string, Style][] = [
    [tally.registrySignatures, 'verified registry signatures', 'green'],
    [tally.provenance, `verified provenance (${plural(tally.provenanceIdentities, 'source repository', 'source repositories')})`, 'green'],
    [tally.publisherSigned, 'publisher-signed', 'green'],
  ];
  const problems: [number, string, Style][] = [
    [tally.byStatus['unsigned-registry'], 'from a registry without signing keys (unsigned-registry)', 'yellow'],
    [tally.byStatus.missing, 'missing a registry signature (missing)', 'red'],
    [tally.byStatus.invalid, 'failed verification (invalid)', 'red'],
    [tally.byStatus.unverifiable - tally.sources, 'could not be verified (unverifiable)', 'red'],
    [tally.sources, `git, file or remote ${tally.sources === 1 ? 'dependency' : 'dependencies'} (no registry evidence)`, 'yellow'],
  ];
  const shown = [...counts, ...problems.filter(([n]) => n > 0)];
  const width = Math.max(...shown.map(([n]) => String(n).length));
  return [
    head,
    ...registries.map((r) => `  registry ${printable(r.url)}: ${registryKeys(r, verbose)}`),
    ...shown.map(([n, text, style]) => `  ${paint(n > 0 ? style : 'dim', String(n).padStart(width))} ${text}`),
  ];
}

function registryKeys(r: RegistrySummary, verbose: boolean): string {
  if (r.keys === 'none') return 'no signing keys';
  if (r.keys === 'unreachable') return 'keys endpoint unreachable';
  const count = plural(r.keyids.length, 'key', 'keys');
  return verbose && r.keyids.length > 0 ? `${count} (${sortStrings(r.keyids).map(printable).join(', ')})` : count;
}

function verdictSection(title: string, verdicts: Verdict[], color: Style, paint: Paint, verbose: boolean, registries: readonly RegistrySummary[]): string[] {
  const lines = [paint('bold', paint(color, title))];
  // Packages denied or warned for one shared reason are listed briefly, per reason, after the rest.
  const groups = new Map<string, { head: string; fix?: string; verdicts: Verdict[] }>();
  for (const v of verdicts) {
    const group = sharedReason(v, registries);
    if (group) {
      const entry = groups.get(group.key) ?? { ...group, verdicts: [] };
      entry.verdicts.push(v);
      groups.set(group.key, entry);
      continue;
    }
    lines.push(`  ${headLine(v, paint, verbose)}`);
    for (const f of sortFindings(v.findings)) lines.push(...findingLines(f, paint));
  }
  for (const group of groups.values()) lines.push(...groupLines(group, paint, verbose));
  return lines;
}

/** The one reason a verdict shares with others, when it has no other: its registry's decision, or vouch.lock not recording it. */
function sharedReason(v: Verdict, registries: readonly RegistrySummary[]): { key: string; head: string; fix?: string } | undefined {
  if (v.kind !== 'package' || v.findings.length === 0) return undefined;
  if (v.findings.every((f) => decidedByRegistry(registries, v, f))) {
    return { key: `registry ${v.ref.registry}`, head: `from ${printable(v.ref.registry)} (unsigned-registry, decided once under Registries)` };
  }
  if (v.findings.every((f) => f.code === 'LOCK_MISSING_ENTRY')) {
    return {
      key: 'lock',
      head: 'in package-lock.json that vouch.lock does not record (LOCK_MISSING_ENTRY)',
      fix: 'run `vouch install` (or `vouch ci --update-lock`) where you can review the result, and commit vouch.lock',
    };
  }
  return undefined;
}

const GROUP_NAMES_SHOWN = 8;

/** "N packages <why>: a@1, b@2 … and K more", and the one fix. */
function groupLines(group: { head: string; fix?: string; verdicts: readonly Verdict[] }, paint: Paint, verbose: boolean): string[] {
  const names = group.verdicts.map((v) => printable(verdictLabel(v)));
  const shown = verbose ? names : names.slice(0, GROUP_NAMES_SHOWN);
  const more = names.length - shown.length;
  return [
    `  ${paint('bold', plural(names.length, 'package', 'packages'))} ${group.head}:`,
    `    ${shown.join(', ')}${more > 0 ? ` and ${more} more (--verbose lists them)` : ''}`,
    ...(group.fix ? [`      ${paint('cyan', 'fix:')} ${group.fix}`] : []),
  ];
}

/** Findings an exception waived: listed so a reviewer sees what the policy is accepting, and until when. */
function waivedSection(verdicts: Verdict[], paint: Paint): string[] {
  const lines = [paint('bold', `Waived by exceptions (${verdicts.length}):`)];
  for (const v of verdicts) {
    for (const w of sortFindings(v.waived ?? [])) {
      lines.push(`  ${printable(verdictLabel(v))} ${paint('dim', w.code)}: waived by ${printable(w.waivedBy)}`);
    }
  }
  return lines;
}

function headLine(v: Verdict, paint: Paint, verbose: boolean): string {
  const name = paint('bold', printable(verdictLabel(v)));
  const alias = v.kind === 'package' && v.ref.aliases.length > 0 ? ` as ${sortStrings(v.ref.aliases).map(printable).join(', ')}` : '';
  const source = v.kind === 'source' ? ` ${printable(v.ref.spec)}` : '';
  const locations = sortStrings(v.ref.locations).map(printable);
  const where =
    locations.length === 0 ? '' : verbose || locations.length === 1 ? ` at ${locations.join(', ')}` : ` at ${locations[0]} and ${locations.length - 1} more`;
  return `${name}${alias}${source} (${v.status})${where}`;
}

/** Registry-level findings (its signing keys against vouch.lock's and the policy's pins): once per registry. */
function registrySection(registries: readonly RegistrySummary[], paint: Paint): string[] {
  const denied = registries.some((r) => r.decision === 'deny');
  const lines = [paint('bold', paint(denied ? 'red' : 'yellow', `Registries (${registries.length}):`))];
  for (const r of [...registries].sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0))) {
    lines.push(`  ${paint('bold', printable(r.url))}`);
    for (const f of sortFindings(r.findings)) lines.push(...findingLines(f, paint));
  }
  return lines;
}

function findingLines(f: Finding, paint: Paint): string[] {
  const lines = [`    ${paint(f.severity === 'deny' ? 'red' : 'yellow', f.code)}: ${printable(f.message)}`];
  if (f.rule) lines.push(`      ${paint('dim', 'rule:')} ${printable(f.rule)}`);
  lines.push(`      ${paint('cyan', 'fix:')} ${printable(f.hint ?? FINDING_CODES[f.code].help)}`);
  return lines;
}

function allowedLine(v: Verdict, paint: Paint): string {
  const facts = v.kind === 'package' ? evidenceFacts(v) : [printable(v.ref.spec)];
  return `  ${paint('bold', printable(verdictLabel(v)))} (${v.status})${facts.length > 0 ? `: ${facts.join('; ')}` : ''}`;
}

// What the evidence of an allowed package showed, in a few words per kind.
function evidenceFacts(v: PackageVerdict): string[] {
  const { signature, attestations } = v.evidence;
  const facts: string[] = [];
  if (signature?.kind === 'verified') facts.push(`signed by ${sortStrings(signature.keyids).map(printable).join(', ')}`);
  if (attestations?.kind === 'verified') {
    const id = attestations.provenance?.identity;
    if (id) {
      const workflow = id.workflow ? ` ${id.workflow}` : '';
      facts.push(`provenance ${printable(`${id.repository ?? id.san}${workflow}`)}`);
    }
    if (attestations.publisher) facts.push(`publisher key ${printable(attestations.publisher.keyid)}`);
  }
  return facts;
}
