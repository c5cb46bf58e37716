// The plugin's own record of each version it signed: the integrity it computed from the tarball bytes
// and the signature it made, so that what is served later is what was checked at publish (a tarball
// swapped in storage afterwards no longer matches). One JSON file per package under
// `<storage>/.vouch/records/`. Every write is synchronous (read, change, rename in one tick), so a
// publish commit and a lazy signing can never interleave and lose each other's entry.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileSegment } from './names.js';

export interface VersionRecord {
  /** sha512 SRI of the tarball, computed by the plugin (never taken from the publisher). */
  integrity: string;
  keyid: string;
  /** Base64 DER ECDSA signature over `${name}@${version}:${integrity}`. */
  sig: string;
  /** publish: signed when published; lazy: signed from stored bytes later; re-signed: key retired. */
  source: 'publish' | 'lazy' | 're-signed';
  /** Predicate type of the publisher's stored attestation bundle, when one came with the publish. */
  attestation?: { predicateType: string };
  /** Index of the signature's `version-signed` entry in the signing log (absent: signed before the log kept indexes). */
  logIndex?: number;
}

export type PackageRecords = Record<string, VersionRecord>;

/**
 * Told of the signatures one write adds, before the record holding them is written (and so before they can
 * be served); returns the log index of each, in order, which the records then keep.
 */
export type OnSigned = (name: string, signed: readonly [version: string, record: VersionRecord][]) => readonly number[];

export class RecordStore {
  private tmpCounter = 0;

  constructor(
    readonly dir: string,
    private readonly onSigned?: OnSigned,
  ) {}

  /** The file holding one package's records; the name is URL-encoded so it is one path segment. */
  fileFor(name: string): string {
    return join(this.dir, `${fileSegment(name)}.json`);
  }

  /** Records of one package; none yet is `{}`. A damaged file throws: nothing is signed from it. */
  async read(name: string): Promise<PackageRecords> {
    let text: string;
    try {
      text = await readFile(this.fileFor(name), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
    return parseRecords(text, this.fileFor(name));
  }

  /**
   * Changes one package's records in place; `change` returns false to write nothing. Returns the records as
   * written (new signatures with their log indexes), or undefined when nothing was written.
   */
  update(name: string, change: (records: PackageRecords) => boolean): PackageRecords | undefined {
    const file = this.fileFor(name);
    let records: PackageRecords = {};
    try {
      records = parseRecords(readFileSync(file, 'utf8'), file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const before = new Map(Object.entries(records));
    if (!change(records)) return undefined;
    const signed = Object.entries(records).filter(([version, record]) => before.get(version)?.sig !== record.sig);
    for (const [version, record] of Object.entries(records)) {
      // The same signature again (deterministic signing of the same message): it keeps its entry.
      const logIndex = before.get(version)?.logIndex;
      if (before.get(version)?.sig === record.sig && record.logIndex === undefined && logIndex !== undefined) records[version] = { ...record, logIndex };
    }
    if (signed.length > 0 && this.onSigned) {
      const indexes = this.onSigned(name, signed);
      signed.forEach(([version, record], i) => {
        const logIndex = indexes[i];
        records[version] = logIndex === undefined ? withoutLogIndex(record) : { ...record, logIndex };
      });
    }
    mkdirSync(this.dir, { recursive: true });
    const tmp = `${file}.${process.pid}.${++this.tmpCounter}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ versions: records }, null, 2)}\n`, { mode: 0o644 });
    renameSync(tmp, file);
    return records;
  }

  /** Records a version signed at publish, replacing any earlier record (a re-publish after unpublish); returns it as written. */
  put(name: string, version: string, record: VersionRecord): VersionRecord {
    const written = this.update(name, (records) => {
      records[version] = record;
      return true;
    });
    return written?.[version] ?? record;
  }

  /** Records a lazily signed version unless a record appeared meanwhile; returns the one that holds. */
  putIfMissing(name: string, version: string, record: VersionRecord): VersionRecord {
    let held = record;
    const written = this.update(name, (records) => {
      const existing = records[version];
      if (existing) {
        held = existing;
        return false;
      }
      records[version] = record;
      return true;
    });
    return written?.[version] ?? held;
  }
}

function withoutLogIndex(record: VersionRecord): VersionRecord {
  const { logIndex: _dropped, ...rest } = record;
  return rest;
}

function parseRecords(text: string, file: string): PackageRecords {
  const data: unknown = JSON.parse(text);
  const versions = isRecord(data) ? data['versions'] : undefined;
  if (!isRecord(versions)) throw new Error(`${file}: not a vouch record file`);
  const out: PackageRecords = {};
  for (const [version, entry] of Object.entries(versions)) {
    // One damaged entry condemns the file: re-signing from stored bytes would launder a tampered tarball.
    if (!isVersionRecord(entry)) throw new Error(`${file}: damaged record for version ${version}`);
    out[version] = entry;
  }
  return out;
}

function isVersionRecord(value: unknown): value is VersionRecord {
  return (
    isRecord(value) &&
    typeof value['integrity'] === 'string' &&
    typeof value['keyid'] === 'string' &&
    typeof value['sig'] === 'string' &&
    typeof value['source'] === 'string' &&
    (value['logIndex'] === undefined || (Number.isSafeInteger(value['logIndex']) && (value['logIndex'] as number) >= 0))
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
