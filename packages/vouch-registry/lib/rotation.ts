// `vouch registry rotate`, the storage side: moves every recorded version from the old registry key to
// the new one while the registry is stopped. Per version it re-signs the registry signature over the
// integrity recorded at publish and re-issues the registry's publish attestation from the same record;
// tarballs, integrity and publisher bundles are never touched. It records the old key's endorsement of
// the new one, and its own progress in `<storage>/.vouch/rotation.json`, so an interrupted run
// continues where it stopped and a finished one is a no-op.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { VouchError, signEndorsement, type RawSigner } from './vouch-core.js';
import { AttestationStore, parseAttestationsBody, type StoredAttestation } from './attestations.js';
import { readKeyHistory, revocationOf, withEndorsement, writeKeyHistory } from './key-history.js';
import { logKeyLifecycle } from './key-lifecycle.js';
import { publishedKey } from './keys.js';
import { isLoggedAttestation, renewPublishAttestations } from './publish-attestation.js';
import { logVersionSigned, SigningLog } from './signing-log.js';
import { RecordStore, type PackageRecords, type VersionRecord } from './records.js';
import { ROTATION_VERSION, progressFile, readProgress, writeProgress, type RotationProgress } from './rotation-progress.js';
import { signedMessage, signVersion } from './signing.js';

export interface RotationOptions {
  /** `<storage>/.vouch` */
  dataDir: string;
  /** The old key (public or private). */
  from: KeyObject;
  /** Signs the endorsement of `to`; absent when only the old public key is at hand. */
  fromSigner: RawSigner | undefined;
  to: RawSigner;
  /** Re-sign at most this many versions in this run, then stop (the next run continues). */
  limit?: number;
  now?: () => Date;
  /** Asked between versions (e.g. after SIGINT): stop cleanly, progress saved. */
  shouldStop?: () => boolean;
  /** Called after each version. */
  onVersion?: (tally: RotationTally, at: { name: string; version: string }) => void;
}

export interface Refusal {
  name: string;
  version: string;
  reason: string;
}

export interface RotationTally {
  /** Versions whose signature and/or publish attestation were re-signed. */
  resigned: number;
  /** Versions already entirely under the new key. */
  skipped: number;
  refused: Refusal[];
}

export interface RotationResult {
  status: 'finished' | 'stopped' | 'already-finished';
  from: string;
  to: string;
  /** This run. */
  run: RotationTally;
  /** All runs of this rotation (refusals counted). */
  total: { resigned: number; skipped: number; refused: number };
  /** What was recorded: the new key endorsed by the old one, or why not. */
  endorsement: { by: string } | { none: string } | undefined;
  started: string;
  finished: string | null;
}

export async function rotateStorage(options: RotationOptions): Promise<RotationResult> {
  const now = options.now ?? (() => new Date());
  const fromKey = publishedKey(options.from, null);
  const toKey = publishedKey(createPublicKey(options.to.publicKeyPem), null);
  if (fromKey.keyid === toKey.keyid) throw new VouchError('USAGE', `--from and --to are the same key (${toKey.keyid})`);
  let history = readKeyHistory(options.dataDir);
  const toRevoked = revocationOf(history, toKey.keyid);
  if (toRevoked) throw new VouchError('CONFIG', `the new key ${toKey.keyid} was revoked ${toRevoked.revoked}`, {}, 'rotate to a fresh key');

  const stored = readProgress(options.dataDir);
  if (stored && stored.finished === null && (stored.from !== fromKey.keyid || stored.to !== toKey.keyid)) {
    throw new VouchError(
      'CONFIG',
      `an unfinished rotation ${stored.from} → ${stored.to} is recorded in ${progressFile(options.dataDir)}`,
      { file: progressFile(options.dataDir) },
      'finish it by running rotate with those keys, or delete the file to start over',
    );
  }
  const run: RotationTally = { resigned: 0, skipped: 0, refused: [] };
  if (stored?.finished && stored.from === fromKey.keyid && stored.to === toKey.keyid) {
    return {
      status: 'already-finished',
      from: fromKey.keyid,
      to: toKey.keyid,
      run,
      total: totals(stored),
      endorsement: undefined,
      started: stored.started,
      finished: stored.finished,
    };
  }
  const progress: RotationProgress =
    stored && stored.finished === null
      ? stored
      : {
          rotationVersion: ROTATION_VERSION,
          from: fromKey.keyid,
          to: toKey.keyid,
          started: now().toISOString(),
          cursor: null,
          resigned: 0,
          skipped: 0,
          refused: 0,
          finished: null,
        };
  writeProgress(options.dataDir, progress);

  // The endorsement first: it is what lets consumers who pinned the old key accept the new one.
  let endorsement: RotationResult['endorsement'];
  if (revocationOf(history, fromKey.keyid)) {
    endorsement = { none: `${fromKey.keyid} is revoked: its endorsement would be void` };
  } else if (!options.fromSigner) {
    endorsement = { none: `${fromKey.keyid} was given as a public key only` };
  } else {
    const { sig } = await signEndorsement(toKey, options.fromSigner);
    history = withEndorsement(history, {
      keyid: toKey.keyid,
      key: toKey.key,
      by: { keyid: fromKey.keyid, key: fromKey.key },
      sig,
      recorded: now().toISOString(),
    });
    writeKeyHistory(options.dataDir, history);
    endorsement = { by: fromKey.keyid };
  }

  const log = SigningLog.open(options.dataDir);
  const revoked = history.revocations.map((r) => ({ keyid: r.keyid, at: r.revoked }));
  logKeyLifecycle(log, options.dataDir, { active: [toKey.keyid], retired: [], revoked }, now());
  const records = new RecordStore(join(options.dataDir, 'records'), logVersionSigned(log));
  const attestations = new AttestationStore(join(options.dataDir, 'attestations'));
  const ctx: VersionContext = { from: options.from, fromKeyid: fromKey.keyid, to: options.to, attestations, log };
  const stop = () => options.shouldStop?.() === true || (options.limit !== undefined && run.resigned >= options.limit);
  for (const name of packageNames(records)) {
    const cursor = progress.cursor;
    if (cursor && (name < cursor.name || (name === cursor.name && cursor.version === null))) continue;
    const done = await rotatePackage(name, records, ctx, progress, run, stop, options.onVersion);
    writeProgress(options.dataDir, progress);
    if (!done) return result('stopped', progress, run, endorsement);
  }
  // Every version is under the new key: from here on the old key signs nothing (the log says so).
  logKeyLifecycle(log, options.dataDir, { active: [toKey.keyid], retired: [fromKey.keyid], revoked }, now());
  progress.finished = now().toISOString();
  writeProgress(options.dataDir, progress);
  return result('finished', progress, run, endorsement);
}

interface VersionContext {
  from: KeyObject;
  fromKeyid: string;
  to: RawSigner;
  attestations: AttestationStore;
  log: SigningLog;
}

/** One package's versions after the cursor; false when it stopped before the last. Records are written once. */
async function rotatePackage(
  name: string,
  records: RecordStore,
  ctx: VersionContext,
  progress: RotationProgress,
  run: RotationTally,
  stop: () => boolean,
  onVersion: RotationOptions['onVersion'],
): Promise<boolean> {
  let recorded: PackageRecords;
  try {
    recorded = await records.read(name);
  } catch (err) {
    refuse(run, progress, { name, version: '*', reason: `its record file cannot be read: ${String(err)}` });
    progress.cursor = { name, version: null };
    return true;
  }
  const after = progress.cursor?.name === name ? progress.cursor.version : null;
  const versions = Object.keys(recorded)
    .sort(compareVersions)
    .filter((v) => after === null || compareVersions(v, after) > 0);
  const renewed = new Map<string, VersionRecord>();
  let finished = true;
  for (const version of versions) {
    if (stop()) {
      finished = false;
      break;
    }
    const outcome = await rotateVersion(name, version, recorded[version]!, ctx);
    if (outcome.kind === 'refused') refuse(run, progress, { name, version, reason: outcome.reason });
    else if (outcome.kind === 'unchanged') {
      run.skipped += 1;
      progress.skipped += 1;
    } else {
      if (outcome.record) renewed.set(version, outcome.record);
      run.resigned += 1;
      progress.resigned += 1;
    }
    progress.cursor = { name, version };
    onVersion?.(run, { name, version });
  }
  if (renewed.size > 0) {
    records.update(name, (current) => {
      for (const [version, record] of renewed) current[version] = record;
      return true;
    });
  }
  if (finished) progress.cursor = { name, version: null };
  return finished;
}

type VersionOutcome = { kind: 'unchanged' } | { kind: 'renewed'; record: VersionRecord | undefined } | { kind: 'refused'; reason: string };

/** Moves one version to the new key; its publish attestation file is written here, its record by the caller. */
async function rotateVersion(name: string, version: string, record: VersionRecord, ctx: VersionContext): Promise<VersionOutcome> {
  const toKeyid = ctx.to.keyid;
  if (record.keyid === ctx.fromKeyid && !signatureVerifies(ctx.from, name, version, record)) {
    // Re-signing would launder a record whose integrity was edited in storage.
    return { kind: 'refused', reason: `its recorded signature by ${ctx.fromKeyid} does not verify: the record was changed in storage` };
  }
  let entries: StoredAttestation[] | undefined;
  const body = await ctx.attestations.get(name, version);
  if (body !== undefined) {
    entries = parseAttestationsBody(body);
    if (!entries) return { kind: 'refused', reason: 'its stored attestations file is damaged' };
  }
  let renewedEntries: StoredAttestation[] | undefined;
  if (entries) {
    try {
      renewedEntries = await renewPublishAttestations(
        ctx.to,
        ctx.log,
        { name, version, integrity: record.integrity },
        entries,
        (keyid, entry) => keyid === toKeyid && isLoggedAttestation(entry),
      );
    } catch (err) {
      return { kind: 'refused', reason: err instanceof Error ? err.message : String(err) };
    }
  }
  const newRecord =
    record.keyid === toKeyid
      ? undefined
      : {
          ...(await signVersion({ active: ctx.to }, name, version, record.integrity, 're-signed')),
          ...(record.attestation ? { attestation: record.attestation } : {}),
        };
  if (!newRecord && !renewedEntries) return { kind: 'unchanged' };
  if (renewedEntries) ctx.attestations.put(name, version, renewedEntries);
  return { kind: 'renewed', record: newRecord };
}

function signatureVerifies(key: KeyObject, name: string, version: string, record: VersionRecord): boolean {
  try {
    return verify('sha256', Buffer.from(signedMessage(name, version, record.integrity)), key, Buffer.from(record.sig, 'base64'));
  } catch {
    return false;
  }
}

/** Package names with a record file, sorted (the order the cursor follows). */
function packageNames(records: RecordStore): string[] {
  let files: string[];
  try {
    files = readdirSync(records.dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const names: string[] = [];
  for (const file of files) {
    if (!file.endsWith('.json')) continue;
    try {
      names.push(decodeURIComponent(file.slice(0, -'.json'.length)));
    } catch {
      // not a file RecordStore wrote
    }
  }
  return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Semver order, then plain text order: total and stable, so the cursor is unambiguous. */
export function compareVersions(a: string, b: string): number {
  const va = semver.valid(a);
  const vb = semver.valid(b);
  if (va && vb) {
    const byVersion = semver.compareBuild(va, vb);
    if (byVersion !== 0) return byVersion;
  } else if (va || vb) {
    return va ? -1 : 1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function refuse(run: RotationTally, progress: RotationProgress, refusal: Refusal): void {
  run.refused.push(refusal);
  progress.refused += 1;
}

function result(status: RotationResult['status'], p: RotationProgress, run: RotationTally, endorsement: RotationResult['endorsement']): RotationResult {
  return { status, from: p.from, to: p.to, run, total: totals(p), endorsement, started: p.started, finished: p.finished };
}

function totals(p: RotationProgress): RotationResult['total'] {
  return { resigned: p.resigned, skipped: p.skipped, refused: p.refused };
}
