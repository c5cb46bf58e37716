// The signing-log section of docs/benchmarks.md (bench/log-scale.ts measures it): rendered from its own
// results file and kept between markers, so that a full benchmark report rendered again keeps it.
import { existsSync, readFileSync } from 'node:fs';
import type { Machine } from './machine.js';
import { int, mb } from './format.js';

export interface LogScaleResults {
  measuredAt: string;
  machine: Machine;
  entries: number;
  build: { ms: number; entriesPerSecond: number; batch: number };
  appendOne: { medianMs: number; entriesPerSecond: number; samples: number };
  appendBatch: { ms: number; entries: number; entriesPerSecond: number };
  reopen: { ms: number };
  inclusion: { hashes: number; bytes: number; makeMedianMs: number; verifyMedianMs: number };
  consistency: { from: number; hashes: number; bytes: number; makeMs: number; verifyMs: number };
  audit: { fullMs: number; fullEntries: number; incrementalMs: number; incrementalEntries: number };
  diskBytes: number;
}

const START = '<!-- log-scale -->';
const END = '<!-- /log-scale -->';

const ms = (x: number): string => (x < 1 ? `${(x * 1000).toFixed(0)} µs` : x < 1000 ? `${x.toFixed(1)} ms` : `${(x / 1000).toFixed(1)} s`);

export function logScaleSection(r: LogScaleResults): string {
  const m = r.machine;
  return [
    START,
    `## The signing log at ${int(r.entries)} entries (\`node dist/bench/log-scale.js\`)`,
    '',
    `Measured ${r.measuredAt.slice(0, 16).replace('T', ' ')} UTC on ${m.cpu} (${m.cores} cores), Node ${m.node}, commit ${m.commit ?? 'unknown'}. ` +
      `A log of generated version-signed entries (real sizes: scoped name, sha512 integrity, npm key id, DER signature) built by the plugin's own ` +
      '`SigningLog` on the local disk, read back only through the files it serves (checkpoint, hash tiles, entry bundles), as an auditor reads them.',
    '',
    '| what | measured |',
    '|---|---|',
    `| append one entry, as a publish does (tiles + a signed checkpoint per entry), median of ${r.appendOne.samples} | ${ms(r.appendOne.medianMs)} (${int(r.appendOne.entriesPerSecond)} entries/s) |`,
    `| append a batch (a package's versions, a rotation): ${int(r.appendBatch.entries)} entries, one checkpoint | ${ms(r.appendBatch.ms)} (${int(r.appendBatch.entriesPerSecond)} entries/s) |`,
    `| build the first ${int(r.entries - r.audit.incrementalEntries)} entries in batches of ${int(r.build.batch)} | ${ms(r.build.ms)} (${int(r.build.entriesPerSecond)} entries/s) |`,
    `| reopen after a restart (recompute the frontier from the tiles, check the checkpoint) | ${ms(r.reopen.ms)} |`,
    `| inclusion proof at ${int(r.entries)} | ${r.inclusion.hashes} hashes, ${r.inclusion.bytes} bytes; made from the tiles in ${ms(r.inclusion.makeMedianMs)}, checked in ${ms(r.inclusion.verifyMedianMs)} (medians of 200) |`,
    `| consistency proof ${int(r.consistency.from)} → ${int(r.entries)} | ${r.consistency.hashes} hashes, ${r.consistency.bytes} bytes; made in ${ms(r.consistency.makeMs)}, checked in ${ms(r.consistency.verifyMs)} |`,
    `| audit of the whole log (every entry read and hashed, root recomputed; signatures not checked) | ${ms(r.audit.fullMs)} for ${int(r.audit.fullEntries)} entries |`,
    `| incremental audit of the newest ${int(r.audit.incrementalEntries)} entries (\`vouch log verify\` from its saved state) | ${ms(r.audit.incrementalMs)} |`,
    `| the log on disk (with the partial tiles and bundles each single append leaves) | ${mb(r.diskBytes)} |`,
    '',
    'Proof sizes grow with log2 of the log: a client checks inclusion at 10^6 entries with about 20 hashes. A publish pays one',
    "append (a few tile writes and one Ed25519 signature); checking each entry's ECDSA registry signature in an audit costs",
    'about as much as `vouch verify` checking one (see the microbenchmarks) and is left out of the audit rows.',
    END,
  ].join('\n');
}

/** `doc` with the log-scale section replaced, or appended when it has none. */
export function spliceLogScale(doc: string, section: string): string {
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start >= 0 && end > start) return `${doc.slice(0, start)}${section}${doc.slice(end + END.length)}`;
  return `${doc.trimEnd()}\n\n${section}\n`;
}

/** A rendered benchmark report with the log-scale section of `<out>.log-scale.json` kept, when there is one. */
export function withLogScale(report: string, out: string): string {
  const file = out.replace(/\.md$/, '.log-scale.json');
  if (!existsSync(file)) return report;
  return spliceLogScale(report, logScaleSection(JSON.parse(readFileSync(file, 'utf8')) as LogScaleResults));
}
