// What the admission preload expects in node_modules, from vouch.lock: each installed package folder
// (npm's record of the tree, node_modules/.package-lock.json, else package-lock.json) mapped to the
// integrity vouch.lock records as signed for that name@version, or, under a signed verification summary,
// the integrity of the lockfile the summary vouches for. Read narrowly and without vouch's schema modules,
// which would cost a start-up hundreds of milliseconds; `vouch ci --locked` validates vouch.lock in full.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AdmissionProblem } from './admit.js';

export interface ExpectedTree {
  /** Package folder (lockfile location) → the signed integrity vouch.lock records for what is installed there. */
  expected: Map<string, string>;
  /** Folders npm records that are not checked against a tarball: links (workspaces) and bundled packages. */
  unchecked: Set<string>;
  /** Locations whose files npm's record says install scripts may have built into (hasInstallScript). */
  scripted: Set<string>;
  problems: AdmissionProblem[];
}

/** A setup problem: nothing can be checked (no vouch.lock, no record of node_modules). */
export class AdmissionSetupError extends Error {}

/** The expected tree from vouch.lock: each folder's name@version must be recorded there, with its signed integrity. */
export async function expectedFromLock(root: string): Promise<ExpectedTree> {
  const vouched = await vouchedIntegrities(root);
  return expectedTree(root, (_location, name, version) => vouched.get(`${name}@${version}`), 'vouch.lock', 'install with vouch ci / vouch install');
}

/**
 * The expected tree from the project's lockfile, once a signed verification summary vouched for exactly that
 * lockfile (process-check.ts checks the summary first): each installed folder must hold the integrity the
 * lockfile records for it.
 */
export async function expectedFromLockfile(root: string): Promise<ExpectedTree> {
  const locked = (await readJson(join(root, 'package-lock.json'))) ?? (await readJson(join(root, 'npm-shrinkwrap.json')));
  if (locked === undefined) throw new AdmissionSetupError(`no package-lock.json in ${root}: the summary vouches for a lockfile the image does not have`);
  const packages = objectAt(locked, 'packages');
  const integrityAt = (location: string): string | undefined => {
    const entry = packages[location];
    const integrity = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>)['integrity'] : undefined;
    return typeof integrity === 'string' ? integrity : undefined;
  };
  return expectedTree(root, (location) => integrityAt(location), 'the lockfile the summary vouches for', 'install with npm ci from that lockfile');
}

/** Each installed package folder mapped to the integrity `vouchedAt` gives it; folders it gives none are problems. */
async function expectedTree(
  root: string,
  vouchedAt: (location: string, name: string, version: string) => string | undefined,
  source: string,
  remedy: string,
): Promise<ExpectedTree> {
  const record = await installedRecord(root);
  const out: ExpectedTree = { expected: new Map(), unchecked: new Set(), scripted: new Set(), problems: [] };
  for (const [location, entry] of Object.entries(record.packages)) {
    if (location === '' || !location.includes('node_modules/') || typeof entry !== 'object' || entry === null) continue;
    const e = entry as Record<string, unknown>;
    // package-lock.json also lists what --omit or a platform check left out: absent, those are not installed.
    const omissible = e['dev'] === true || e['optional'] === true || e['devOptional'] === true || e['peer'] === true;
    if (record.partial && omissible && !existsSync(join(root, location))) continue;
    if (e['link'] === true || e['inBundle'] === true) {
      out.unchecked.add(location);
      continue;
    }
    const name = typeof e['name'] === 'string' ? e['name'] : location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const version = typeof e['version'] === 'string' ? e['version'] : '';
    const signed = vouchedAt(location, name, version);
    if (signed === undefined) {
      out.problems.push({ location, code: 'ADMIT_NOT_VOUCHED', message: `${location}: ${name}@${version} is not recorded in ${source} (${remedy})` });
      continue;
    }
    if (typeof e['integrity'] === 'string' && e['integrity'] !== signed) {
      out.problems.push({ location, code: 'ADMIT_NOT_VOUCHED', message: `${location}: npm records ${name}@${version} with another integrity than ${source}` });
      continue;
    }
    out.expected.set(location, signed);
    if (e['hasInstallScript'] === true) out.scripted.add(location);
  }
  return out;
}

/** name@version → integrity, from vouch.lock's packages.<name>.versions.<version>.integrity. */
async function vouchedIntegrities(root: string): Promise<Map<string, string>> {
  const file = join(root, 'vouch.lock');
  const doc = await readJson(file);
  if (doc === undefined)
    throw new AdmissionSetupError(
      `no vouch.lock in ${root}: nothing says what node_modules should hold (install with vouch ci, and copy vouch.lock into the image)`,
    );
  const out = new Map<string, string>();
  for (const [name, pkg] of Object.entries(objectAt(doc, 'packages'))) {
    for (const [version, entry] of Object.entries(objectAt(pkg, 'versions'))) {
      const integrity = (entry as Record<string, unknown> | null)?.['integrity'];
      if (typeof integrity === 'string') out.set(`${name}@${version}`, integrity);
    }
  }
  return out;
}

/** npm's record of what is installed: the hidden lockfile, else the project lockfile (then omitted packages may be absent). */
async function installedRecord(root: string): Promise<{ packages: Record<string, unknown>; partial: boolean }> {
  const hidden = await readJson(join(root, 'node_modules', '.package-lock.json'));
  if (hidden !== undefined) return { packages: objectAt(hidden, 'packages'), partial: false };
  for (const file of ['npm-shrinkwrap.json', 'package-lock.json']) {
    const locked = await readJson(join(root, file));
    if (locked !== undefined) return { packages: objectAt(locked, 'packages'), partial: true };
  }
  throw new AdmissionSetupError(`no node_modules/.package-lock.json or package-lock.json in ${root}: which package is installed where is unknown`);
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AdmissionSetupError(`${file} is not valid JSON`);
  }
}

function objectAt(value: unknown, key: string): Record<string, unknown> {
  const inner = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  return typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? (inner as Record<string, unknown>) : {};
}
