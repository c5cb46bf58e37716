// The installed-files section of docs/benchmarks.md (bench/installed-files.ts measures it): rendered from
// its own results file and kept between markers, so that a full benchmark report rendered again keeps it.
import { existsSync, readFileSync } from 'node:fs';
import { int } from './format.js';
import type { Machine } from './machine.js';

export interface InstalledFilesResults {
  machine: Machine;
  /** What was measured: the bench tree's installed project. */
  tree: { packages: number; files: number; bytes: number };
  runs: number;
  readsInFlight: number;
  /** Making every file list from the verified tarballs (once per integrity; later runs read them from the cache). */
  fileListsMs: number;
  /** Medians over the runs, alternated. */
  plainReadMs: number;
  deepCheckMs: number;
  /** The admission preload's warm path: every folder listed and every file stat'ed, nothing read. */
  warmMs: number;
  /** deepCheckMs / plainReadMs. */
  ratio: number;
  /** `node --import …/admit/preload.js` on the same tree, minus a bare `node` start (medians). */
  admission?: { coldMs: number; warmMs: number; runs: number };
}

const START = '<!-- installed-files -->';
const END = '<!-- /installed-files -->';

export function installedFilesSection(r: InstalledFilesResults): string {
  const m = r.machine;
  const rows = [
    `| a plain read of every file of every package folder (\`readFile\`, ${r.readsInFlight} in flight, nothing computed) | ${int(r.plainReadMs)} ms |`,
    `| the deep check (\`lib/installed\`, as \`vouch verify --installed\` runs it after the evidence): list, stat, sha512 of every file, compared | ${int(r.deepCheckMs)} ms (**${r.ratio.toFixed(2)}×** the plain read) |`,
    `| the admission preload's warm path: every folder listed and every file stat'ed against the folders that matched before, nothing read | ${int(r.warmMs)} ms |`,
    `| making the file lists from the verified tarballs, once per integrity (kept in \`<npm cache>/_vouch/files\` after that) | ${int(r.fileListsMs)} ms |`,
  ];
  if (r.admission) {
    rows.push(
      `| \`node --import vouch/admit app.js\`, cold (file lists in place, every file hashed) minus a bare \`node app.js\`, median of ${r.admission.runs} | ${int(r.admission.coldMs)} ms |`,
    );
    rows.push(`| the same, warm | ${int(r.admission.warmMs)} ms |`);
  }
  return [
    START,
    '## Installed files: the deep check (`node dist/bench/installed-files.js`)',
    '',
    `Measured ${m.date.slice(0, 16).replace('T', ' ')} UTC on ${m.cpu} (${m.cores} cores, load ${m.loadAtStart.map((l) => l.toFixed(2)).join(' / ')} at start), Node ${m.node}, commit ${m.commit ?? 'unknown'}. ` +
      `The 1,000-package tree as \`vouch ci\` installed it: ${int(r.tree.packages)} package folders, ${int(r.tree.files)} files, ${(r.tree.bytes / 1e6).toFixed(1)} MB. ` +
      `Medians of ${r.runs} alternated runs, the files in the page cache (a warm machine).`,
    '',
    '| what | time |',
    '|---|---|',
    ...rows,
    '',
    "The target: hashing costs no more than about twice reading the same files. The warm path's cost is the `readdir` and `lstat` calls themselves.",
    END,
  ].join('\n');
}

/** `doc` with the installed-files section replaced, or appended when it has none. */
export function spliceInstalledFiles(doc: string, section: string): string {
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start >= 0 && end > start) return `${doc.slice(0, start)}${section}${doc.slice(end + END.length)}`;
  return `${doc.trimEnd()}\n\n${section}\n`;
}

/** A rendered benchmark report with the installed-files section of `<out>.installed-files.json` kept, when there is one. */
export function withInstalledFiles(report: string, out: string): string {
  const file = out.replace(/\.md$/, '.installed-files.json');
  if (!existsSync(file)) return report;
  return spliceInstalledFiles(report, installedFilesSection(JSON.parse(readFileSync(file, 'utf8')) as InstalledFilesResults));
}
