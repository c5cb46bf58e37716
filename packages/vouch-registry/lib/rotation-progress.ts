// The progress record of `vouch registry rotate`, `<storage>/.vouch/rotation.json`: which rotation
// (old and new key ids), how far it got (a cursor in package-then-version order) and its counts. Only
// rotate reads it; deleting it is safe (a new run skips what is already under the new key).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VouchError } from './vouch-core.js';

export const ROTATION_FILE = 'rotation.json';
export const ROTATION_VERSION = 1;

/** The progress record, `<storage>/.vouch/rotation.json`. */
export interface RotationProgress {
  rotationVersion: 1;
  from: string;
  to: string;
  started: string;
  /**
   * The last version completed, in the rotation's order (package name, then version); `version` null
   * when the whole package is done.
   */
  cursor: { name: string; version: string | null } | null;
  resigned: number;
  skipped: number;
  refused: number;
  finished: string | null;
}

export function progressFile(dataDir: string): string {
  return join(dataDir, ROTATION_FILE);
}

/** The recorded progress, or undefined when no rotation was ever run here. A damaged file is a CONFIG error. */
export function readProgress(dataDir: string): RotationProgress | undefined {
  const file = progressFile(dataDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = undefined;
  }
  if (!isProgress(data)) {
    throw new VouchError(
      'CONFIG',
      `${file} is not a rotation progress record`,
      { file },
      'delete it to start the rotation over (re-running is safe: versions already under the new key are skipped)',
    );
  }
  return data;
}

export function writeProgress(dataDir: string, progress: RotationProgress): void {
  mkdirSync(dataDir, { recursive: true });
  const file = progressFile(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(progress, null, 2)}\n`, { mode: 0o644 });
  renameSync(tmp, file);
}

function isProgress(value: unknown): value is RotationProgress {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  const cursor = p['cursor'];
  const cursorOk =
    cursor === null ||
    (typeof cursor === 'object' &&
      cursor !== null &&
      typeof (cursor as Record<string, unknown>)['name'] === 'string' &&
      (typeof (cursor as Record<string, unknown>)['version'] === 'string' || (cursor as Record<string, unknown>)['version'] === null));
  return (
    p['rotationVersion'] === ROTATION_VERSION &&
    typeof p['from'] === 'string' &&
    typeof p['to'] === 'string' &&
    typeof p['started'] === 'string' &&
    cursorOk &&
    typeof p['resigned'] === 'number' &&
    typeof p['skipped'] === 'number' &&
    typeof p['refused'] === 'number' &&
    (p['finished'] === null || typeof p['finished'] === 'string')
  );
}
