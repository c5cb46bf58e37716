// `node dist/bench/log-scale.js [--entries N] [--out docs/benchmarks.md]`: the registry's signing log at
// scale (issue 17, item 7). A log of N generated signing events (default 10^6) is built with the plugin's
// own SigningLog in batches, then measured: appends one by one as a publish makes them (one checkpoint
// each) and in batches, reopening after a restart, inclusion and consistency proofs (size, and the cost
// of making one from the served tiles and of checking it), and an audit, full and of the newest 10^4
// entries (the incremental `vouch log verify`). Results go to docs/benchmarks.log-scale.json and into
// docs/benchmarks.md between the log-scale markers (render-report keeps them).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { packagePath } from '../lib/config/package-root.js';
import { auditLog, consistencyProof, inclusionProof, leafHash, treeHash, verifyConsistency, verifyInclusion, type AuditState } from '../lib/tlog/index.js';
import { mulberry32 } from '../test/support/prng.js';
import { describeMachine } from './machine.js';
import { logScaleSection, spliceLogScale, type LogScaleResults } from './log-scale-report.js';

/** One signing event, as the plugin logs a registry signature. */
interface SigningEvent {
  type: 'version-signed';
  name: string;
  version: string;
  integrity: string;
  keyid: string;
  sig: string;
  source: string;
}

/** What the benchmark uses of vouch-registry's SigningLog (loaded at run time: the package is built after vouch). */
interface SigningLog {
  readonly verifierKey: string;
  append(event: SigningEvent): number;
  appendBatch(events: readonly SigningEvent[]): number[];
  read(path: string): Buffer | undefined;
  subtreeHash(level: number, index: number): Uint8Array;
  root(): Uint8Array;
}
interface SigningLogModule {
  SigningLog: { open(dataDir: string): SigningLog };
}

async function signingLogModule(): Promise<SigningLogModule> {
  const specifier = 'vouch-registry/signing-log';
  const mod: unknown = await import(specifier);
  const open = typeof mod === 'object' && mod !== null && 'SigningLog' in mod ? (mod.SigningLog as { open?: unknown }).open : undefined;
  if (typeof open !== 'function') throw new Error('vouch-registry/signing-log has no SigningLog.open: build the workspace (npm run build)');
  return mod as SigningLogModule;
}

const BATCH = 10_000;
const INCREMENT = 10_000;

export async function measureLogScale(entries: number): Promise<LogScaleResults> {
  const { SigningLog } = await signingLogModule();
  const dir = await mkdtemp(join(tmpdir(), 'vouch-log-scale-'));
  try {
    const log = SigningLog.open(dir);
    const base = entries - INCREMENT;
    const built = timed(() => {
      for (let at = 0; at < base; at += BATCH) log.appendBatch(events(at, Math.min(BATCH, base - at)));
    });
    const fetch = async (path: string): Promise<Buffer> => {
      const body = path === 'key' ? Buffer.from(log.verifierKey) : log.read(path);
      if (!body) throw new Error(`not served: ${path}`);
      return body;
    };
    const fullAudit = await timedAsync(() => auditLog({ registry: 'bench', fetch, previous: undefined }));
    if (fullAudit.value.findings.length > 0 || !fullAudit.value.next)
      throw new Error(`the generated log does not audit: ${fullAudit.value.findings[0]?.message}`);
    const previous: AuditState = fullAudit.value.next;
    const oldRoot = treeHash(base, (level, index) => log.subtreeHash(level, index));

    const batched = timed(() => log.appendBatch(events(base, INCREMENT - 200)));
    const singles: number[] = [];
    for (let i = entries - 200; i < entries; i++) singles.push(timed(() => log.append(event(i))).ms);
    const incremental = await timedAsync(() => auditLog({ registry: 'bench', fetch, previous }));
    if (incremental.value.findings.length > 0 || incremental.value.checked !== INCREMENT) throw new Error('the incremental audit failed');

    const reopened = timed(() => SigningLog.open(dir));
    const root = log.root();
    const subtree = (level: number, index: number) => log.subtreeHash(level, index);
    const random = mulberry32(17);
    const proofs = Array.from({ length: 200 }, () => Math.floor(random() * entries));
    const made = proofs.map((index) => timed(() => inclusionProof(index, entries, subtree)));
    const checks = made.map((m, i) =>
      timed(() => verifyInclusion(proofs[i]!, entries, leafHash(Buffer.from(JSON.stringify(event(proofs[i]!)))), m.value, root)),
    );
    if (!checks.every((c) => c.value)) throw new Error('an inclusion proof did not verify');
    const consistency = timed(() => consistencyProof(base, entries, subtree));
    const consistencyCheck = timed(() => verifyConsistency(base, entries, oldRoot, root, consistency.value));
    if (!consistencyCheck.value) throw new Error('the consistency proof did not verify');

    return {
      measuredAt: new Date().toISOString(),
      machine: describeMachine(),
      entries,
      build: { ms: built.ms, entriesPerSecond: base / (built.ms / 1000), batch: BATCH },
      appendOne: { medianMs: median(singles), entriesPerSecond: 1000 / median(singles), samples: singles.length },
      appendBatch: { ms: batched.ms, entries: INCREMENT - 200, entriesPerSecond: (INCREMENT - 200) / (batched.ms / 1000) },
      reopen: { ms: reopened.ms },
      inclusion: {
        hashes: made[0]!.value.length,
        bytes: made[0]!.value.length * 32,
        makeMedianMs: median(made.map((m) => m.ms)),
        verifyMedianMs: median(checks.map((c) => c.ms)),
      },
      consistency: {
        from: base,
        hashes: consistency.value.length,
        bytes: consistency.value.length * 32,
        makeMs: consistency.ms,
        verifyMs: consistencyCheck.ms,
      },
      audit: { fullMs: fullAudit.ms, fullEntries: base, incrementalMs: incremental.ms, incrementalEntries: INCREMENT },
      diskBytes: diskBytes(join(dir, 'log')),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Bytes of every file under `dir` (tiles, bundles, checkpoint). */
function diskBytes(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .reduce((sum, d) => sum + statSync(join(d.parentPath, d.name)).size, 0);
}

function event(i: number): SigningEvent {
  // The size of a real entry: an scoped name, a semver, a sha512 SRI, an npm key id, a 70-byte DER signature.
  return {
    type: 'version-signed',
    name: `@bench/package-${i % 50_000}`,
    version: `1.${Math.floor(i / 50_000)}.0`,
    integrity: `sha512-${Buffer.alloc(64, i % 251).toString('base64')}`,
    keyid: 'SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U',
    sig: Buffer.alloc(70, i % 253).toString('base64'),
    source: 'publish',
  };
}

function events(from: number, count: number): SigningEvent[] {
  return Array.from({ length: count }, (_, k) => event(from + k));
}

function timed<T>(f: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = f();
  return { ms: performance.now() - start, value };
}

async function timedAsync<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await f();
  return { ms: performance.now() - start, value };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  const { values } = parseArgs({ options: { entries: { type: 'string', default: '1000000' }, out: { type: 'string' } } });
  const entries = Number(values.entries);
  if (!Number.isInteger(entries) || entries <= INCREMENT) throw new Error(`--entries must be an integer above ${INCREMENT}`);
  const results = await measureLogScale(entries);
  const out = values.out ?? packagePath('docs', 'benchmarks.md');
  await writeFile(out.replace(/\.md$/, '.log-scale.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(out, spliceLogScale(existsSync(out) ? readFileSync(out, 'utf8') : '', logScaleSection(results)));
  process.stdout.write(`${logScaleSection(results)}\nwrote ${out}\n`);
}
