// `vouch approve <name>[@range] --reason "…"`: a person accepts what the gate denied for one package.
// An identity change is re-pinned in vouch.lock (old → new, who, when, why); a waivable finding
// (missing provenance, unsigned registry, …) becomes a dated exception in vouch.policy.json.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import npa from 'npm-package-arg';
import { satisfies, validRange } from 'semver';
import { VouchError, type ExitCode } from '../../errors/index.js';
import { approve, approveRegistry, diffLock, serializeLock, writeLockAtomic } from '../../lock/index.js';
import {
  addException,
  identityOf,
  normalizeRegistryUrl,
  POLICY_FILE,
  schemaRefFor,
  WAIVABLE_CODES,
  policyDate,
  type PackageVerdict,
} from '../../policy/index.js';
import type { WaivableCode } from '../../policy/schema.js';
import { gateOptions, loadProjectConfig, npmArgs } from '../common-flags.js';
import { FLAGS } from './flag-table.js';
import { parseFlags } from '../flags.js';
import { gateIdealTree, gateProjectTree, type TreeGate } from '../project-gate.js';
import type { Output } from '../output.js';

const DEFAULT_EXCEPTION_DAYS = 30;

export async function run(argv: string[], out: Output): Promise<ExitCode> {
  const { values, positionals } = parseFlags(argv, FLAGS.approve, true);
  const [spec, ...extra] = positionals;
  if (!values.reason?.trim()) throw new VouchError('USAGE', 'a --reason is required: it is recorded with the approval');
  if (values.expires !== undefined) checkExpiry(values.expires, new Date());
  if (!spec && values.registry) return approveRegistryKeys(values.registry, { ...values, reason: values.reason }, out);
  if (!spec || extra.length > 0)
    throw new VouchError('USAGE', 'approve takes exactly one package, or --registry URL alone: vouch approve <name>[@range] --reason "…"');
  const { name, range } = parseSpec(spec);
  const config = await loadProjectConfig(npmArgs(values));
  const cwd = config.localPrefix;
  const opts = { ...gateOptions(values, config), locked: false };
  const matching = (g: TreeGate) =>
    g.report.verdicts.filter((v): v is PackageVerdict => v.kind === 'package' && v.ref.name === name && inRange(v.ref.version, range));
  let gate = await gateProjectTree(opts, config, false, out);
  let verdicts = matching(gate);
  if (verdicts.length === 0 && range && validRange(range)) {
    // Not locked yet: the version a denied `vouch install <name>@<range>` asked for. Judge that tree.
    gate = await gateIdealTree(opts, config, [spec], out);
    verdicts = matching(gate);
  }
  if (verdicts.length === 0) throw new VouchError('USAGE', `${spec} is not in this project's lockfile`, { pkg: name });
  const approvedBy = values.by?.trim() || whoAmI();
  const reason = values.reason.trim();

  const changed = verdicts.filter((v) => v.findings.some((f) => f.code === 'IDENTITY_CHANGED' || isRepublish(f.code, f.rule)));
  let wrote = false;
  if (changed.length > 0) {
    const newest = changed[changed.length - 1]!;
    const identity = identityOf(newest.evidence) ?? undefined;
    const forget = changed.filter((v) => v.findings.some((f) => isRepublish(f.code, f.rule))).map((v) => v.ref.version);
    const next = approve(gate.inputs.lock, { name, ...(range ? { range } : {}), reason, approvedBy, now: opts.now, ...(identity ? { identity } : {}), forget });
    await writeLockAtomic(cwd, next);
    out.stdout(`vouch: recorded the approval in vouch.lock\n${diffLock(gate.inputs.lockText ?? '', serializeLock(next))}`);
    wrote = true;
  }

  const waivable = waivableCodes(verdicts, values.allow);
  if (waivable.length > 0) {
    const expires = values.expires ?? isoDay(new Date(opts.now.getTime() + DEFAULT_EXCEPTION_DAYS * 86_400_000));
    await addPolicyException(cwd, { name, ...(range ? { versions: range } : {}), allow: waivable, reason, approvedBy, expires });
    out.stdout(`vouch: added an exception for ${name}${range ? `@${range}` : ''} to ${POLICY_FILE}: allow ${waivable.join(', ')} until ${expires}`);
    wrote = true;
  }
  if (!wrote) {
    const versions = verdicts.map((v) => v.ref.version).join(', ');
    out.stdout(
      `vouch: nothing to approve for ${spec} (${versions} in the lockfile): no identity change and no waivable finding` +
        (range
          ? ''
          : `\n  a version \`vouch install ${name}@<version>\` was denied is not in the lockfile yet: approve it by version, vouch approve ${name}@<version> --reason "…"`),
    );
  }
  return 0;
}

/**
 * `vouch approve --registry URL`: the registry's keys as served now replace what vouch.lock pinned.
 * The tree is still verified (npm's own registry setting, not URL, decides where each package comes from).
 */
async function approveRegistryKeys(registry: string, values: ApproveValues, out: Output): Promise<ExitCode> {
  const url = normalizeRegistryUrl(registry);
  const config = await loadProjectConfig(npmArgs({ ...values, registry: undefined }));
  const cwd = config.localPrefix;
  const opts = { ...gateOptions(values, config), locked: false };
  const gate = await gateProjectTree(opts, config, false, out);
  const served = gate.report.registryServed[url];
  if (!served) {
    const known = Object.keys(gate.report.registryServed).sort();
    throw new VouchError(
      'USAGE',
      `no package of this project's lockfile comes from ${url}${known.length ? ` (its registries with keys: ${known.join(', ')})` : ''}`,
    );
  }
  const next = approveRegistry(gate.inputs.lock, { url, served, reason: values.reason.trim(), approvedBy: values.by?.trim() || whoAmI(), now: opts.now });
  await writeLockAtomic(cwd, next);
  out.stdout(`vouch: pinned the keys ${url} serves now in vouch.lock\n${diffLock(gate.inputs.lockText ?? '', serializeLock(next))}`);
  return 0;
}

type ApproveValues = Parameters<typeof gateOptions>[0] & {
  reason: string;
  by?: string | undefined;
  registry?: string | undefined;
  omit?: string[] | undefined;
  offline?: boolean | undefined;
};

function parseSpec(spec: string): { name: string; range?: string } {
  try {
    const parsed = npa(spec);
    if (!parsed.name) throw new Error('no name');
    const range = parsed.rawSpec && parsed.rawSpec !== '*' ? parsed.rawSpec : undefined;
    return range ? { name: parsed.name, range } : { name: parsed.name };
  } catch {
    throw new VouchError('USAGE', `"${spec}" is not a package name with an optional version range`);
  }
}

const inRange = (version: string, range: string | undefined): boolean => !range || satisfies(version, range, { includePrerelease: true });

/** A version whose bytes differ from what vouch.lock recorded: a republish a person may accept. */
const isRepublish = (code: string, rule: string | undefined): boolean => code === 'INTEGRITY_MISMATCH' && Boolean(rule?.startsWith('vouch.lock:'));

function waivableCodes(verdicts: readonly PackageVerdict[], requested: string[] | undefined): WaivableCode[] {
  const allowed = new Set<string>(WAIVABLE_CODES);
  if (requested?.length) {
    const bad = requested.filter((c) => !allowed.has(c));
    if (bad.length) throw new VouchError('USAGE', `--allow ${bad.join(', ')}: not a code an exception can waive (${WAIVABLE_CODES.join(', ')})`);
    return [...new Set(requested)].sort() as WaivableCode[];
  }
  const found = verdicts
    .flatMap((v) => v.findings)
    .filter((f) => f.severity === 'deny' && allowed.has(f.code))
    .map((f) => f.code);
  return [...new Set(found)].sort() as WaivableCode[];
}

async function addPolicyException(cwd: string, exception: Parameters<typeof addException>[1]): Promise<void> {
  const file = join(cwd, POLICY_FILE);
  const current = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, addException(current, exception, file, schemaRefFor(cwd, existsSync)));
  await rename(temp, file);
}

/** Who approves: git's user.email where there is one, else the OS user. */
function whoAmI(): string {
  const git = spawnSync('git', ['config', 'user.email'], { encoding: 'utf8' });
  const email = git.status === 0 ? git.stdout.trim() : '';
  return email || userInfo().username;
}

const isoDay = (d: Date): string => d.toISOString().slice(0, 10);

/** `--expires`: a date the policy accepts, in the future (an exception already expired waives nothing). */
function checkExpiry(text: string, now: Date): void {
  const parsed = policyDate(text);
  const wellFormed = /^\d{4}-\d{2}-\d{2}$/.test(text)
    ? isoDay(parsed) === text
    : /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(text) && !Number.isNaN(parsed.getTime());
  if (!wellFormed)
    throw new VouchError(
      'USAGE',
      `--expires takes a date "YYYY-MM-DD" (or an RFC 3339 date-time), got ${JSON.stringify(text)}`,
      {},
      'e.g. --expires 2027-03-01',
    );
  if (parsed.getTime() <= now.getTime())
    throw new VouchError(
      'USAGE',
      `--expires ${text} is not in the future: an exception that has already expired waives nothing`,
      {},
      `pick a later date, e.g. --expires ${isoDay(new Date(now.getTime() + DEFAULT_EXCEPTION_DAYS * 86_400_000))}`,
    );
}
