// The publish policy: what the registry demands of a publish before it stores or signs anything, per
// package glob. Read once at start, from a JSON file (`vouch registry --publish-policy FILE`, or
// `publish_policy: FILE` in Verdaccio's config) or inline under `middlewares.vouch.publish_policy`.
// Every problem in it is reported at once, with its JSON path: a registry with a policy it cannot read
// must not start (it would accept what the policy refuses).
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { nameGlobProblem, PUBLIC_GOOD, VouchError } from './vouch-core.js';

/** What a rule asks of the publishes of the packages its glob matches; every matching rule applies. */
export interface PublishRule {
  /** The package name glob (minimatch, as in vouch.policy.json: `@acme/*`, `acme-*`, `**`). */
  glob: string;
  /** A Sigstore provenance bundle (Fulcio certificate) that verifies against the trusted roots. */
  provenance?: 'required';
  /** The certificate's source repository URI must be one of these (exact). */
  repositories?: string[];
  /** The certificate's build workflow path must be one of these (exact), e.g. `.github/workflows/release.yml`. */
  workflows?: string[];
  /** The certificate's OIDC issuer must be one of these (exact). */
  issuers?: string[];
  /** A publisher attestation (vouch sign/publish): by any key, or by one of these key ids. */
  publisherKey?: 'required' | string[];
  /** `never`: a version the registry ever signed is refused, also after an unpublish. */
  republish?: 'never';
}

export interface PublishPolicy {
  /** Where it was read from, for messages: a file, or the Verdaccio config's path to the inline policy. */
  source: string;
  /** 'public-good' or absolute trusted_root.json paths, in the order they are tried. */
  trustedRoots: string[];
  rules: PublishRule[];
}

const HINT = 'see "Publish policy" in docs/registry-plugin.md: {"trustedRoots": [...], "packages": {"@acme/*": {"provenance": "required", ...}}}';
const TOP_KEYS = new Set(['$schema', 'trustedRoots', 'packages']);
const RULE_KEYS = new Set(['provenance', 'repositories', 'workflows', 'issuers', 'publisherKey', 'republish']);
const KEYID = /^SHA256:[A-Za-z0-9+/]{43}=?$/;

/** Reads and checks a policy file; a relative trusted root is resolved against the file's folder. */
export function readPublishPolicyFile(file: string): PublishPolicy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new VouchError('CONFIG', `cannot read the publish policy ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { file }, HINT);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new VouchError('CONFIG', `the publish policy ${file} is not JSON: ${err instanceof Error ? err.message : String(err)}`, { file }, HINT);
  }
  return checkPublishPolicy(raw, { source: file, base: dirname(file), file });
}

/**
 * Checks a parsed policy; throws one CONFIG error listing every problem (`file` and the first problem's
 * JSON path in its location). `base` anchors relative trusted-root paths.
 */
export function checkPublishPolicy(raw: unknown, at: { source: string; base: string; file?: string }): PublishPolicy {
  const problems: { path: string; problem: string }[] = [];
  const report = (path: string, problem: string) => void problems.push({ path, problem });
  const policy = readPolicy(raw, at, report);
  if (problems.length > 0) {
    const list = problems.map((p) => `${p.path || '(top)'}: ${p.problem}`).join('; ');
    throw new VouchError(
      'CONFIG',
      `the publish policy ${at.source} is not valid: ${list}`,
      { ...(at.file ? { file: at.file } : {}), path: problems[0]?.path ?? '' },
      HINT,
    );
  }
  return policy;
}

type Report = (path: string, problem: string) => void;

function readPolicy(raw: unknown, at: { source: string; base: string }, report: Report): PublishPolicy {
  if (!isRecord(raw)) {
    report('', 'expected an object {"trustedRoots": [...], "packages": {...}}');
    return { source: at.source, trustedRoots: [], rules: [] };
  }
  for (const key of Object.keys(raw)) if (!TOP_KEYS.has(key)) report(key, `unknown field (expected ${[...TOP_KEYS].join(', ')})`);
  const packages = raw['packages'];
  const rules: PublishRule[] = [];
  if (!isRecord(packages) || Object.keys(packages).length === 0) {
    report('packages', 'expected an object of package globs, each with its rule, e.g. {"@acme/*": {"provenance": "required"}}');
  } else {
    for (const [glob, entry] of Object.entries(packages)) rules.push(readRule(glob, entry, `packages["${glob}"]`, report));
  }
  return { source: at.source, trustedRoots: readTrustedRoots(raw['trustedRoots'], at.base, report), rules };
}

function readTrustedRoots(raw: unknown, base: string, report: Report): string[] {
  if (raw === undefined) return [PUBLIC_GOOD];
  if (!Array.isArray(raw) || raw.length === 0) {
    report('trustedRoots', `expected a non-empty list of "${PUBLIC_GOOD}" and trusted_root.json paths`);
    return [];
  }
  return raw.flatMap((entry, i) => {
    if (typeof entry !== 'string' || entry === '') {
      report(`trustedRoots[${i}]`, `expected "${PUBLIC_GOOD}" or the path of a trusted_root.json`);
      return [];
    }
    return [entry === PUBLIC_GOOD || isAbsolute(entry) ? entry : resolve(base, entry)];
  });
}

function readRule(glob: string, raw: unknown, path: string, report: Report): PublishRule {
  const problem = nameGlobProblem(glob);
  if (problem) report(path, `${problem} (the key is a package name glob)`);
  const rule: PublishRule = { glob };
  if (!isRecord(raw)) {
    report(path, 'expected an object, e.g. {"provenance": "required", "repositories": ["https://github.com/acme/widget"]}');
    return rule;
  }
  for (const key of Object.keys(raw)) if (!RULE_KEYS.has(key)) report(`${path}.${key}`, `unknown field (expected ${[...RULE_KEYS].join(', ')})`);
  const { provenance, publisherKey, republish } = raw;
  if (provenance !== undefined) {
    if (provenance === 'required') rule.provenance = provenance;
    else report(`${path}.provenance`, `expected "required", got ${JSON.stringify(provenance)}`);
  }
  const repositories = readList(raw['repositories'], `${path}.repositories`, report, urlProblem('https://github.com/acme/widget'));
  const workflows = readList(raw['workflows'], `${path}.workflows`, report, workflowProblem);
  const issuers = readList(raw['issuers'], `${path}.issuers`, report, urlProblem('https://token.actions.githubusercontent.com'));
  if (repositories) rule.repositories = repositories;
  if (workflows) rule.workflows = workflows;
  if (issuers) rule.issuers = issuers;
  const namesIdentity = ['repositories', 'workflows', 'issuers'].some((key) => raw[key] !== undefined);
  if (namesIdentity && provenance !== 'required') {
    report(`${path}.provenance`, 'repositories, workflows and issuers are read from the provenance certificate: set "provenance": "required"');
  }
  if (publisherKey !== undefined) {
    if (publisherKey === 'required') rule.publisherKey = publisherKey;
    else if (!Array.isArray(publisherKey)) report(`${path}.publisherKey`, `expected "required" or a list of key ids, got ${JSON.stringify(publisherKey)}`);
    else {
      const keys = readList(publisherKey, `${path}.publisherKey`, report, (v) =>
        KEYID.test(v) ? null : 'expected a key id as `vouch keygen` prints it (SHA256:<43 base64 characters>)',
      );
      if (keys) rule.publisherKey = keys;
    }
  }
  if (rule.provenance && rule.publisherKey) {
    // A publish carries one bundle: a certificate (provenance) or a publisher key signs it, never both.
    report(path, 'provenance and publisherKey cannot both be required: a publish carries one bundle, signed by a Fulcio certificate or by a publisher key');
  }
  if (republish !== undefined) {
    if (republish === 'never') rule.republish = republish;
    else report(`${path}.republish`, `expected "never", got ${JSON.stringify(republish)}`);
  }
  return rule;
}

/** A non-empty list of strings each `check` accepts; undefined (after reporting) otherwise. */
function readList(raw: unknown, path: string, report: Report, check: (value: string) => string | null): string[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw) || raw.length === 0) {
    report(path, typeof raw === 'string' ? `expected a list: [${JSON.stringify(raw)}]` : 'expected a non-empty list of strings');
    return undefined;
  }
  let ok = true;
  raw.forEach((value, i) => {
    const problem = typeof value === 'string' ? check(value) : 'expected a string';
    if (problem) {
      ok = false;
      report(`${path}[${i}]`, problem);
    }
  });
  return ok ? (raw as string[]) : undefined;
}

function urlProblem(example: string): (value: string) => string | null {
  return (value) => {
    if (!URL.canParse(value) || !/^https?:\/\//.test(value)) return `expected an absolute URL, e.g. ${example}`;
    if (value.endsWith('/')) return `no trailing "/": the certificate's value is compared exactly, e.g. ${example}`;
    return null;
  };
}

function workflowProblem(value: string): string | null {
  if (value === '' || value.startsWith('/') || value.includes('@') || /^https?:/.test(value)) {
    return "expected the workflow file's path in its repository, without ref, e.g. .github/workflows/release.yml";
  }
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
