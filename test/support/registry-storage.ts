// Where the test registry (Verdaccio + the vouch plugin) keeps what it serves, for tests that tamper
// with it: the tarballs Verdaccio stores, the plugin's signing records (the integrity and signature it
// serves for each version) and its stored attestation responses; and the publish times it serves.
//
// Publish times: vouch denies a version younger than a day by default (minReleaseAge), and every test
// publishes seconds before it installs. The harness therefore publishes "in the past", as a real
// registry's packages are: after a publish it rewrites the version's `time` in Verdaccio's packument
// (Verdaccio reads `<storage>/<name>/package.json` on every request and keeps no copy in memory).
// One package's backdated versions stay in publish order, PUBLISH_SPACING_MS apart, from
// PUBLISHED_DAYS_AGO days back. A test that needs a young version publishes it `{ fresh: true }` (time
// as Verdaccio set it) or sets a time of its own with setPublishTimes.
//
// API
//   PUBLISHED_DAYS_AGO, PUBLISH_SPACING_MS, pastPublishTime(now?)  the default publish time scheme;
//                                               pastPublishTime: PUBLISHED_DAYS_AGO days before now
//                                               (for transparency-log times, see provenance.ts)
//   packumentFile(storage, name)              → <storage>/<name>/package.json (Verdaccio's stored packument)
//   setPublishTimes(storage, name, times)     rewrites time[version] for each {version: Date}, and
//                                               time.created / time.modified to the earliest / latest version; the
//                                               registry's publish attestation of each version is re-dated with it
//                                               (its signing-log integratedTime and SET, signed again with the log
//                                               key in storage), so the signed time and the packument agree
//   backdateLogCreation(storage)              a new storage's signing log dated a year back (before any backdated
//                                               publish), as the trusted root it serves says; call before the start
//   backdateVersions(storage, name, versions, now?) → the times given: each version PUBLISH_SPACING_MS after
//                                               the package's latest backdated version, from pastPublishTime
//   backdateStorage(storage, now?)            → how many versions it dated back: every version of every package
//                                               in the storage published in the last week (a storage a run made
//                                               before publishes were backdated, reused by the bench or soundness)
//   storedTarball(storage, name, version)     → <storage>/<name>/<unscoped>-<version>.tgz
//   recordsFile(storage, name)                → <storage>/.vouch/records/<encoded name>.json
//                                               ({versions: {<version>: {integrity, keyid, sig, source, attestation?}}})
//   storedAttestations(storage, name, version) → <storage>/.vouch/attestations/<encoded name>/<version>.json
//                                               (the exact /-/npm/v1/attestations response body)
import { createPrivateKey, sign } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import semver from 'semver';
import { attestationsBody, parseAttestationsBody } from '../../packages/vouch-registry/lib/attestations.js';
import { PREDICATE_PUBLISH_NPM } from '../../lib/verify/types.js';

const DAY_MS = 86_400_000;
/** How long ago tests' packages were published by default: older than any release age a test sets by accident. */
export const PUBLISHED_DAYS_AGO = 30;
/** Between two backdated versions of one package. */
export const PUBLISH_SPACING_MS = 3 * 60_000;
/** Versions at least this old count as backdated (the next one follows them); younger ones were published fresh. */
const BACKDATED_BEFORE_DAYS = 7;

const segment = (text: string): string => encodeURIComponent(text).replace(/^\./, '%2E');

export function storedTarball(storage: string, name: string, version: string): string {
  return join(storage, ...name.split('/'), `${name.replace(/^@[^/]+\//, '')}-${version}.tgz`);
}

export function recordsFile(storage: string, name: string): string {
  return join(storage, '.vouch', 'records', `${segment(name)}.json`);
}

export function storedAttestations(storage: string, name: string, version: string): string {
  return join(storage, '.vouch', 'attestations', segment(name), `${segment(version)}.json`);
}

export function packumentFile(storage: string, name: string): string {
  return join(storage, ...name.split('/'), 'package.json');
}

/** PUBLISHED_DAYS_AGO days before `now`, in whole seconds (as a transparency log records it). */
export function pastPublishTime(now = new Date()): Date {
  return new Date(Math.floor((now.getTime() - PUBLISHED_DAYS_AGO * DAY_MS) / 1000) * 1000);
}

type StoredPackument = { time?: Record<string, string>; versions?: Record<string, unknown> } & Record<string, unknown>;

/** Sets time[version] of the given versions; time.created and time.modified follow the versions' times. */
export async function setPublishTimes(storage: string, name: string, times: Readonly<Record<string, Date>>): Promise<void> {
  const file = packumentFile(storage, name);
  const doc = JSON.parse(await readFile(file, 'utf8')) as StoredPackument;
  const time: Record<string, string> = { ...doc.time };
  for (const [version, at] of Object.entries(times)) {
    if (!doc.versions || !(version in doc.versions)) throw new Error(`setPublishTimes: ${name}@${version} is not in ${file}`);
    time[version] = at.toISOString();
  }
  const versionTimes = Object.keys(doc.versions ?? {}).flatMap((v) => (time[v] ? [Date.parse(time[v])] : []));
  if (versionTimes.length > 0) {
    time.created = new Date(Math.min(...versionTimes)).toISOString();
    time.modified = new Date(Math.max(...versionTimes)).toISOString();
  }
  // Verdaccio reads the file on every request: a reader sees the old document or the new one, never half.
  const temp = `${file}.backdate-${process.pid}`;
  await writeFile(temp, JSON.stringify({ ...doc, time }, null, 2));
  await rename(temp, file);
  for (const [version, at] of Object.entries(times)) await redatePublishAttestation(storage, name, version, at);
}

/** A new storage's signing log dated a year back, so that backdated signed times fall inside its validity. */
export async function backdateLogCreation(storage: string): Promise<void> {
  const file = join(storage, '.vouch', 'log-created');
  if (existsSync(file)) return;
  await mkdir(join(storage, '.vouch'), { recursive: true });
  await writeFile(file, `${new Date(Date.now() - 365 * DAY_MS).toISOString()}\n`);
}

/**
 * The registry's publish attestation of name@version with its log entry's integratedTime set to `at` and the
 * SET signed again with the log key in storage (the inclusion proof does not cover the time). Other bundles
 * keep their bytes.
 */
async function redatePublishAttestation(storage: string, name: string, version: string, at: Date): Promise<void> {
  const file = storedAttestations(storage, name, version);
  if (!existsSync(file)) return;
  const entries = parseAttestationsBody(await readFile(file, 'utf8'));
  if (!entries) throw new Error(`redate: ${file} is not a stored attestations body`);
  const logKey = createPrivateKey(await readFile(join(storage, '.vouch', 'keys', 'log-ed25519.pem'), 'utf8'));
  const seconds = Math.floor(at.getTime() / 1000);
  let changed = false;
  const redated = entries.map((entry) => {
    if (entry.predicateType !== PREDICATE_PUBLISH_NPM) return entry;
    const bundle = JSON.parse(entry.bundleText) as { verificationMaterial?: { tlogEntries?: TlogEntryJson[] } };
    for (const tlog of bundle.verificationMaterial?.tlogEntries ?? []) {
      if (!tlog.inclusionPromise) continue;
      tlog.integratedTime = String(seconds);
      const payload = `{"body":${JSON.stringify(tlog.canonicalizedBody)},"integratedTime":${seconds},"logID":"${Buffer.from(tlog.logId.keyId, 'base64').toString('hex')}","logIndex":${Number(tlog.logIndex)}}`;
      tlog.inclusionPromise.signedEntryTimestamp = sign(null, Buffer.from(payload), logKey).toString('base64');
      changed = true;
    }
    return { predicateType: entry.predicateType, bundleText: JSON.stringify(bundle) };
  });
  if (!changed) return;
  const temp = `${file}.redate-${process.pid}`;
  await writeFile(temp, attestationsBody(redated));
  await rename(temp, file);
}

interface TlogEntryJson {
  logIndex: string;
  logId: { keyId: string };
  integratedTime: string;
  inclusionPromise?: { signedEntryTimestamp: string };
  canonicalizedBody: string;
}

/** Backdates just-published versions (in the order given) to after the package's latest backdated one. */
export async function backdateVersions(storage: string, name: string, versions: readonly string[], now = new Date()): Promise<Record<string, Date>> {
  if (versions.length === 0) return {};
  const doc = JSON.parse(await readFile(packumentFile(storage, name), 'utf8')) as StoredPackument;
  const backdatedBefore = now.getTime() - BACKDATED_BEFORE_DAYS * DAY_MS;
  const earlier = Object.keys(doc.versions ?? {})
    .filter((v) => !versions.includes(v))
    .map((v) => Date.parse(doc.time?.[v] ?? ''))
    .filter((t) => !Number.isNaN(t) && t < backdatedBefore - versions.length * PUBLISH_SPACING_MS);
  let at = Math.max(pastPublishTime(now).getTime(), ...earlier.map((t) => t + PUBLISH_SPACING_MS));
  const times: Record<string, Date> = {};
  for (const version of versions) {
    times[version] = new Date(at);
    at += PUBLISH_SPACING_MS;
  }
  await setPublishTimes(storage, name, times);
  return times;
}

/** Dates back, in version order, every version in `storage` published in the last BACKDATED_BEFORE_DAYS days. */
export async function backdateStorage(storage: string, now = new Date()): Promise<number> {
  const recent = now.getTime() - BACKDATED_BEFORE_DAYS * DAY_MS;
  let count = 0;
  for (const name of await packageNames(storage)) {
    const doc = JSON.parse(await readFile(packumentFile(storage, name), 'utf8')) as StoredPackument;
    const young = Object.keys(doc.versions ?? {}).filter((v) => Date.parse(doc.time?.[v] ?? '') > recent);
    if (young.length === 0) continue;
    await backdateVersions(storage, name, young.sort(semver.compare), now);
    count += young.length;
  }
  return count;
}

/** Names of the packages Verdaccio stores: `<name>/package.json` and `@scope/<name>/package.json`. */
async function packageNames(storage: string): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await readdir(storage, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    if (!entry.name.startsWith('@')) {
      if ((await readdir(join(storage, entry.name))).includes('package.json')) names.push(entry.name);
      continue;
    }
    for (const scoped of await readdir(join(storage, entry.name), { withFileTypes: true })) {
      if (scoped.isDirectory() && (await readdir(join(storage, entry.name, scoped.name))).includes('package.json')) names.push(`${entry.name}/${scoped.name}`);
    }
  }
  return names;
}
