// `vouch diff` for people (text), scripts (JSON, docs/diff.md), code scanning (SARIF) and GitLab (Code
// Quality), the last two with each result at the package's line of the head package-lock.json.
// Renderers only format: they decide nothing.
import { styleText } from 'node:util';
import type { DiffEntry, DiffReport } from '../../diff/report.js';
import type { Decision, Finding, WaivedFinding } from '../../policy/index.js';
import { renderCodeQuality } from './codequality.js';
import { worstDecision } from './json.js';
import { printable } from './printable.js';
import { renderSarif } from './sarif.js';
import { sortFindings } from './tally.js';

export const DIFF_SCHEMA_VERSION = 1;

export interface DiffRenderOptions {
  /** How the base is named (a path, or a revision and its commit). */
  base: string;
  version: string;
  now: Date;
  color?: boolean;
  /** sarif, codequality: the head lockfile's text and its path from the repository root. */
  lockfileText?: string;
  lockfileUri?: string;
}

export interface DiffJson {
  schemaVersion: typeof DIFF_SCHEMA_VERSION;
  tool: { name: 'vouch'; version: string };
  base: string;
  /** The worst decision over what changed: deny means exit 1. */
  decision: Decision;
  summary: { added: number; changed: number; removed: number; unchanged: number; denied: number };
  packages: DiffEntryJson[];
  notices: string[];
}

export type DiffEntryJson = Omit<DiffEntry, 'released' | 'findings' | 'waived'> & {
  released: { time: string; source: string } | null;
  findings: Finding[];
  waived: WaivedFinding[];
};

export function renderDiff(diff: DiffReport, format: 'text' | 'json' | 'sarif' | 'codequality', opts: DiffRenderOptions): string {
  switch (format) {
    case 'text':
      return renderDiffText(diff, opts);
    case 'json':
      return `${JSON.stringify(toDiffJson(diff, opts), null, 2)}\n`;
    case 'sarif':
      return renderSarif(diff.report, {
        version: opts.version,
        ...(opts.lockfileText !== undefined ? { lockfileText: opts.lockfileText } : {}),
        ...(opts.lockfileUri ? { lockfileUri: opts.lockfileUri } : {}),
      });
    case 'codequality':
      return renderCodeQuality(diff.report, {
        ...(opts.lockfileText !== undefined ? { lockfileText: opts.lockfileText } : {}),
        ...(opts.lockfileUri ? { lockfilePath: opts.lockfileUri } : {}),
      });
  }
}

export function toDiffJson(diff: DiffReport, opts: Pick<DiffRenderOptions, 'base' | 'version'>): DiffJson {
  return {
    schemaVersion: DIFF_SCHEMA_VERSION,
    tool: { name: 'vouch', version: opts.version },
    base: opts.base,
    decision: worstDecision(diff.report),
    summary: summaryOf(diff),
    packages: diff.entries.map((e) => ({
      ...e,
      released: e.released ? { time: e.released.time.toISOString(), source: e.released.source } : null,
      findings: sortFindings(e.findings),
      waived: sortFindings(e.waived ?? []),
    })),
    notices: diff.report.notices,
  };
}

function summaryOf(diff: DiffReport): DiffJson['summary'] {
  const count = (kind: DiffEntry['kind']) => diff.entries.filter((e) => e.kind === kind).length;
  return {
    added: count('added'),
    changed: count('changed'),
    removed: count('removed'),
    unchanged: count('unchanged'),
    denied: diff.entries.filter((e) => e.decision === 'deny').length,
  };
}

type Paint = (style: 'red' | 'yellow' | 'green' | 'bold' | 'dim', text: string) => string;

function renderDiffText(diff: DiffReport, opts: DiffRenderOptions): string {
  const paint: Paint = opts.color ? (style, text) => styleText(style, text, { validateStream: false }) : (_s, text) => text;
  const s = summaryOf(diff);
  const counts = `${s.added} added, ${s.changed} changed, ${s.removed} removed${s.unchanged > 0 ? `, ${s.unchanged} unchanged with findings` : ''}`;
  const verdict = s.denied > 0 ? paint('red', `${s.denied} denied`) : paint('green', 'nothing denied');
  const lines = [`${paint('bold', 'vouch diff:')} package-lock.json against ${printable(opts.base)}: ${counts}; ${verdict}`];
  if (diff.entries.length === 0) lines.push('', 'No package changed.');
  for (const e of diff.entries) lines.push('', ...entryLines(e, paint, opts.now));
  if (diff.report.notices.length > 0) lines.push('', paint('bold', 'Notices:'), ...diff.report.notices.map((n) => `  - ${printable(n)}`));
  return `${lines.join('\n')}\n`;
}

const MARK: Record<DiffEntry['kind'], string> = { added: '+', changed: '~', removed: '-', unchanged: '!' };

function entryLines(e: DiffEntry, paint: Paint, now: Date): string[] {
  const version = e.link ? `link → ${e.resolved.after ?? e.resolved.before ?? ''}` : (e.version ?? '');
  const title = e.kind === 'changed' && e.changed.includes('version') ? `${e.name} ${e.from.join(', ')} → ${version}` : `${e.name}@${version}`;
  const decision =
    e.decision === null
      ? paint('dim', 'removed')
      : e.decision === 'deny'
        ? paint('red', 'DENY')
        : e.decision === 'warn'
          ? paint('yellow', 'warn')
          : paint('green', 'allow');
  const what =
    e.kind === 'changed' && !e.changed.includes('version') ? ` (${e.changed.join(' and ')} changed)` : e.kind === 'unchanged' ? ' (not changed here)' : '';
  const out = [`${MARK[e.kind]} ${printable(title)}${what}  ${decision}${e.status && e.status !== 'verified' ? ` (${e.status})` : ''}`];
  if (e.kind === 'removed') return out;
  const facts: string[] = [];
  if (e.released) facts.push(`released ${e.released.time.toISOString()} (${age(e.released.time, now)}; ${e.released.source})`);
  facts.push(
    e.provenance
      ? `provenance ${printable(e.provenance.repository ?? e.provenance.issuer ?? '')}${e.provenance.workflow ? ` (${printable(e.provenance.workflow)})` : ''}`
      : e.attested === 'publisher'
        ? 'publisher-signed, no provenance'
        : 'no provenance',
  );
  if (e.tier) facts.push(`tier ${printable(e.tier)}`);
  out.push(`    ${facts.join(' · ')}`);
  out.push(`    at ${e.locations.map(printable).join(', ')}`);
  const scripts =
    e.scripts && Object.keys(e.scripts).length > 0
      ? Object.entries(e.scripts)
          .map(([event, body]) => `${event}: ${printable(body)}`)
          .join('; ')
      : e.hasInstallScript
        ? 'yes (hasInstallScript in package-lock.json)'
        : null;
  if (scripts) out.push(`    install scripts: ${scripts}`);
  if (e.newDependencies.length > 0) out.push(`    new dependencies: ${e.newDependencies.map(printable).join(', ')}`);
  for (const f of sortFindings(e.findings)) {
    out.push(`    ${f.severity === 'deny' ? paint('red', '✗') : paint('yellow', '!')} ${f.code} ${printable(f.message)}`);
    if (f.hint) out.push(`      fix: ${printable(f.hint)}`);
  }
  for (const w of e.waived ?? []) out.push(`    ${paint('dim', `~ ${w.code} waived by ${printable(w.waivedBy)}`)}`);
  return out;
}

function age(time: Date, now: Date): string {
  const days = Math.floor((now.getTime() - time.getTime()) / 86_400_000);
  return days < 1 ? 'less than a day ago' : days === 1 ? '1 day ago' : `${days} days ago`;
}
