// `vouch registry rotate`: moves a stopped registry's storage from the old signing key to the new one
// (../rotation.ts), printing a progress line every few seconds and a summary.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { VouchError, keySigner, parseFlags, positiveInt, FLAGS, type ExitCode, type Output } from '../vouch-core.js';
import { readKeyFile } from '../keys.js';
import { progressFile } from '../rotation-progress.js';
import { rotateStorage, type RotationResult, type RotationTally } from '../rotation.js';
import { DATA_FOLDER } from '../settings.js';

/** A progress line at most this often, and at least every PROGRESS_EVERY_VERSIONS versions. */
export const PROGRESS_INTERVAL_MS = 2_000;
export const PROGRESS_EVERY_VERSIONS = 1_000;

export async function run(argv: string[], out: Output): Promise<ExitCode> {
  const { values } = parseFlags(argv, FLAGS['registry rotate']);
  if (!values.from || !values.to) {
    throw new VouchError(
      'USAGE',
      'vouch registry rotate needs --from OLD.pem and --to NEW.pem',
      {},
      'vouch registry rotate --storage DIR --from OLD.pem --to NEW.pem',
    );
  }
  const storage = resolve(values.storage ?? '.vouch-registry');
  if (!existsSync(storage)) throw new VouchError('USAGE', `the storage folder ${storage} does not exist`);
  const fromKey = readKeyFile(resolve(values.from), 'any');
  const toKey = readKeyFile(resolve(values.to), 'private');
  const limit = values.limit === undefined ? undefined : positiveInt('limit', values.limit, 1);

  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    out.stderr('vouch registry rotate: stopping after the current version (progress is saved)…');
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const progress = progressPrinter(out, Date.now);
  let result: RotationResult;
  try {
    result = await rotateStorage({
      dataDir: join(storage, DATA_FOLDER),
      from: fromKey,
      fromSigner: fromKey.type === 'private' ? keySigner(fromKey) : undefined,
      to: keySigner(toKey),
      ...(limit !== undefined ? { limit } : {}),
      shouldStop: () => interrupted,
      onVersion: progress,
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  out.stdout(values.json ? JSON.stringify(result) : summary(result, storage, values.from, values.to));
  return result.run.refused.length > 0 ? 1 : 0;
}

/** Prints `rotate: N versions done …` when PROGRESS_INTERVAL_MS passed or PROGRESS_EVERY_VERSIONS more were done. */
export function progressPrinter(out: Output, now: () => number): (tally: RotationTally, at: { name: string; version: string }) => void {
  let lastTime = now();
  let lastCount = 0;
  return (tally, at) => {
    const count = tally.resigned + tally.skipped + tally.refused.length;
    const t = now();
    if (t - lastTime < PROGRESS_INTERVAL_MS && count - lastCount < PROGRESS_EVERY_VERSIONS) return;
    lastTime = t;
    lastCount = count;
    out.stderr(
      `rotate: ${count} versions done (re-signed ${tally.resigned}, skipped ${tally.skipped}, ` +
        `refused ${tally.refused.length}), at ${at.name}@${at.version}`,
    );
  };
}

function endorsementLine(r: RotationResult): string {
  const e = r.endorsement;
  if (e && 'by' in e) return `  endorsement  ${r.to} endorsed by ${e.by}`;
  const why = e && 'none' in e ? e.none : 'not recorded';
  return `  endorsement  none (${why}): consumers who pinned ${r.from} must approve ${r.to}`;
}

function summary(r: RotationResult, storage: string, fromFile: string, toFile: string): string {
  if (r.status === 'already-finished') {
    return [
      `vouch registry rotate: the rotation ${r.from} → ${r.to} already finished ${r.finished}: nothing left to do.`,
      `  (${r.total.resigned} versions re-signed, ${r.total.skipped} skipped, ${r.total.refused} refused in all)`,
    ].join('\n');
  }
  const lines = [
    `vouch registry rotate: ${r.from} → ${r.to} in ${storage}`,
    endorsementLine(r),
    `  re-signed    ${r.run.resigned} versions (registry signature and publish attestation now by ${r.to})`,
    `  skipped      ${r.run.skipped} versions (already under ${r.to})`,
    `  refused      ${r.run.refused.length} versions`,
    ...r.run.refused.slice(0, 20).map((f) => `    ${f.name}@${f.version}: ${f.reason}`),
    ...(r.run.refused.length > 20 ? [`    … and ${r.run.refused.length - 20} more (--json lists them all)`] : []),
  ];
  if (r.status === 'stopped') {
    lines.push(`Stopped before the end (progress in ${progressFile(join(storage, DATA_FOLDER))}); run the same command again to continue.`);
  } else {
    lines.push(`Done. Restart the registry with: --key ${toFile} --key ${fromFile}=${new Date().toISOString()}`);
  }
  return lines.join('\n');
}
