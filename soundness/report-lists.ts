// The report's lists, every entry whole: violations (by class, tool and mutation kind), over-blocking
// (by kind), vouch ci's differences from npm ci, sources contacted before judging, harness errors.
import type { CaseRef, SoundnessResults } from './results.js';

export function listSections(r: SoundnessResults): string[] {
  return [...violationSection(r), ...overBlockingSection(r), ...ciDifferenceSection(r), ...contactedSection(r), ...harnessSection(r)];
}

function violationSection(r: SoundnessResults): string[] {
  const out = ['## Violations', ''];
  if (r.violations.length === 0) return [...out, 'None.', ''];
  out.push(
    'By class, the vouch command whose allow (or output) it is, and mutation kind:',
    '',
    '| class | vouch command | kind | violations | cases | cache states | omit flags |',
    '|---|---|---|---|---|---|---|',
  );
  for (const [key, items] of groupBy(r.violations, (v) => `${v.class}\t${v.tool}\t${v.kind}`)) {
    const [cls, tool, kind] = key.split('\t');
    out.push(
      `| ${cls} | ${tool} | \`${kind}\` | ${items.length} | ${new Set(items.map((v) => v.case)).size} | ${counts(items.map((v) => v.cache))} | ${counts(items.map((v) => v.omit))} |`,
    );
  }
  out.push('', 'Each one in full. `path` is the offending file or folder in the project; the last columns are what each tool did in that case.', '');
  for (const [group, list] of groupBy(r.violations, (v) => `${v.class} — ${v.tool}`)) {
    out.push(`### ${group} (${list.length} in ${new Set(list.map((v) => v.case)).size} cases)`, '');
    for (const [kind, items] of groupBy(list, (v) => v.kind)) {
      out.push(`#### \`${kind}\` (${items.length})`, '', '| case | path | reason | vouch verify | npm ci | vouch ci |', '|---|---|---|---|---|---|');
      for (const v of items)
        out.push(`| \`${cell(v.case)}\` | \`${cell(v.path)}\` | ${cell(v.reason)} | ${cell(v.verify)} | ${cell(v.npm)} | ${cell(v.ci ?? '—')} |`);
      out.push('');
    }
  }
  return out;
}

function overBlockingSection(r: SoundnessResults): string[] {
  const out = ['## Over-blocking', ''];
  if (r.overBlocking.length === 0) return [...out, 'None.', ''];
  out.push(
    'vouch exited non-zero where npm ci wrote only registry-signed bytes in their places, by mutation kind and what vouch said',
    '(every case is listed in soundness.results.json):',
    '',
    '| kind | vouch verify | vouch ci | what vouch said (cases) | example |',
    '|---|---|---|---|---|',
  );
  for (const [kind, items] of groupBy(r.overBlocking, (o) => o.kind)) {
    const by = (tool: string) => items.filter((o) => o.tool === tool).length;
    out.push(
      `| \`${kind}\` | ${by('vouch verify')} | ${by('vouch ci')} | ${cell(counts(items.map((o) => said(o.summary))))} | \`${cell(items[0]?.case ?? '')}\` |`,
    );
  }
  return [...out, ''];
}

/** The deny codes of a one-line vouch summary, or its message with the run's URLs and paths left out. */
function said(summary: string): string {
  const codes = [...summary.matchAll(/\[([A-Z0-9_,]+)\]/g)].flatMap((m) => (m[1] ?? '').split(','));
  if (codes.length > 0) return [...new Set(codes)].sort().join(', ');
  return summary
    .replace(/https?:\/\/\S+/g, '<url>')
    .replace(/\/\S+/g, '<path>')
    .slice(0, 90);
}

/** "a ×3, b ×1": how often each value occurs, most frequent first. */
function counts(values: readonly string[]): string {
  const tally = new Map<string, number>();
  for (const v of values) tally.set(v, (tally.get(v) ?? 0) + 1);
  return [...tally]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([v, n]) => `${v} ×${n}`)
    .join(', ');
}

function ciDifferenceSection(r: SoundnessResults): string[] {
  const out = ['## vouch ci installed something other than npm ci', ''];
  if (r.ciDifferences.length === 0) return [...out, 'None.', ''];
  out.push('| case | first differing paths | vouch ci | npm ci |', '|---|---|---|---|');
  for (const d of r.ciDifferences)
    out.push(`| \`${cell(d.case)}\` | ${cell(d.paths.map((p) => `\`${p}\``).join(', '))} | ${cell(d.ci ?? '')} | ${cell(d.npm)} |`);
  return [...out, ''];
}

function contactedSection(r: SoundnessResults): string[] {
  const out = ['## Sources contacted before they were judged', ''];
  if (r.contacted.length === 0) return [...out, 'None: no git, remote or file source the mutations injected received a request from vouch.', ''];
  out.push('| case | requests from vouch | vouch verify | vouch ci |', '|---|---|---|---|');
  for (const c of r.contacted) out.push(`| \`${cell(c.case)}\` | ${c.requests} | ${cell(c.verify)} | ${cell(c.ci ?? '—')} |`);
  return [...out, ''];
}

function harnessSection(r: SoundnessResults): string[] {
  if (r.harnessErrors.length === 0) return [];
  const out = ['## Harness errors', '', 'The harness could not judge these cases; they count nowhere else.', '', '| case | error |', '|---|---|'];
  for (const h of r.harnessErrors) out.push(`| \`${cell(h.case)}\` | ${cell(h.error.split('\n')[0] ?? '')} |`);
  return [...out, ''];
}

function groupBy<T extends Omit<CaseRef, 'seed'>>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return new Map([...groups].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** A table cell: one line, pipes escaped, long text cut. */
function cell(text: string): string {
  const line = text.replace(/\s+/g, ' ').replace(/\|/g, '\\|');
  return line.length > 400 ? `${line.slice(0, 400)}…` : line;
}
