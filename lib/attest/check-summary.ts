// `vouch verify-summary` as a function: is this signed verification summary, by this signer, about the
// project as it is now, and did it pass? Every difference is reported, not the first.
// Untrusted: the summary file. Trusted: the key or identity, the trust roots, the project folder.
import { createHash } from 'node:crypto';
import { verifyBundle } from '../api/index.js';
import type { BundlePublicKey } from '../api/bundle-key.js';
import type { TrustedRootInput } from '../api/bundle-roots.js';
import type { BundleErrorCode, BundleIdentity, BundleVerified } from '../api/verify-bundle.js';
import { VouchError, truncate } from '../errors/index.js';
import { TREE_DIGEST_FOLDER } from '../installed/index.js';
import { openBundle, readStatement } from '../verify/index.js';
import type { Statement } from '../verify/bundle-checks.js';
import { isSubjectName, subjectDigest, trustFileDigests } from './project-files.js';
import { BUILT_IN_POLICY_URI, PREDICATE_VSA_V1, VOUCH_SUMMARY_DETAILS, VOUCH_VERIFIER_ID, type FileDigest } from './summary.js';

export type SummaryProblemCode =
  | BundleErrorCode // the bundle does not verify as asked (verifyBundle's codes)
  | 'SUMMARY_NOT_VSA' // signed, but not a vouch verification summary
  | 'SUMMARY_FAILED' // the verification it summarises was denied
  | 'SUMMARY_SUBJECT' // a subject differs from the project now (lockfile, node_modules), or is missing
  | 'SUMMARY_POLICY' // judged under another vouch.policy.json than the project's
  | 'SUMMARY_LOCK'; // judged against another vouch.lock than the project's

export interface SummaryProblem {
  code: SummaryProblemCode;
  message: string;
}

export interface SummaryCheckOptions {
  projectDir: string;
  /** Exactly one of `key` (a key-signed summary) and `identity` (keyless). */
  key?: BundlePublicKey;
  identity?: BundleIdentity;
  trustedRoots?: readonly TrustedRootInput[];
  /** The summary must also bind node_modules (`--tree`). */
  requireTree: boolean;
}

export interface SummaryCheck {
  ok: boolean;
  problems: SummaryProblem[];
  /** What the signature established; absent when it did not verify. */
  signer?: BundleVerified['signer'];
  /** The summary's own words, once its signature verified. */
  summary?: { timeVerified: string; verificationResult: string; decision: string; vouchVersion: string; subjects: string[] };
}

/** Reads nothing but the project's subjects, policy and lock; throws SUMMARY_UNREADABLE (exit 2) for a file that is not JSON. */
export async function checkSummary(summaryText: string, opts: SummaryCheckOptions): Promise<SummaryCheck> {
  const json = parseSummary(summaryText);
  let verified: BundleVerified;
  try {
    // verifyBundle binds a bundle to one artifact; a summary has several subjects, each compared below once
    // the signature verified. So the binding digest is the summary's own first subject, which it signs.
    verified = await verifyBundle(json, { digest: { algorithm: 'sha256', hex: firstSubjectSha256(json) }, ...signerOptions(opts) });
  } catch (err) {
    if (err instanceof VouchError && err.code.startsWith('BUNDLE_')) return refused([{ code: err.code as SummaryProblemCode, message: err.message }]);
    throw err;
  }
  if (verified.content.kind !== 'dsse' || verified.content.statement.predicateType !== PREDICATE_VSA_V1) {
    return refused([{ code: 'SUMMARY_NOT_VSA', message: `the bundle does not carry a verification summary (${PREDICATE_VSA_V1})` }], verified);
  }
  const statement = verified.content.statement;
  const predicate = asRecord(statement.predicate);
  const verifier = asRecord(predicate['verifier']);
  if (verifier['id'] !== VOUCH_VERIFIER_ID) {
    return refused(
      [
        {
          code: 'SUMMARY_NOT_VSA',
          message: `the summary's verifier is ${JSON.stringify(truncate(String(verifier['id']), 80))}, not vouch (${VOUCH_VERIFIER_ID})`,
        },
      ],
      verified,
    );
  }
  const details = asRecord(predicate[VOUCH_SUMMARY_DETAILS]);
  const problems = [
    ...resultProblems(predicate, details),
    ...(await subjectProblems(statement, opts)),
    ...(await trustFileProblems(predicate, details, opts.projectDir)),
  ];
  return {
    ok: problems.length === 0,
    problems,
    signer: verified.signer,
    summary: {
      timeVerified: String(predicate['timeVerified']),
      verificationResult: String(predicate['verificationResult']),
      decision: String(details['decision']),
      vouchVersion: String(asRecord(verifier['version'])['vouch']),
      subjects: subjectsOf(statement).map((s) => s.name),
    },
  };
}

function parseSummary(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new VouchError(
      'SUMMARY_UNREADABLE',
      `the summary is not JSON: ${truncate(err instanceof Error ? err.message : String(err))}`,
      {},
      'give the file `vouch verify --attest FILE` wrote',
    );
  }
}

function signerOptions(opts: SummaryCheckOptions): { key: BundlePublicKey } | { identity: BundleIdentity; trustedRoots?: readonly TrustedRootInput[] } {
  if (opts.key) return { key: opts.key, ...(opts.trustedRoots ? { trustedRoots: opts.trustedRoots } : {}) };
  if (opts.identity) return { identity: opts.identity, ...(opts.trustedRoots ? { trustedRoots: opts.trustedRoots } : {}) };
  throw new VouchError('USAGE', 'say who must have signed the summary: a public key or a keyless identity');
}

/** The hex sha256 the (not yet verified) summary claims for its first subject; sha256 of nothing when it claims none. */
function firstSubjectSha256(json: unknown): string {
  const opened = openBundle(json);
  const read = opened.ok ? readStatement(opened.bundle) : undefined;
  const claimed = read?.ok ? subjectsOf(read.statement)[0]?.digest['sha256'] : undefined;
  return typeof claimed === 'string' && /^[0-9a-f]{64}$/.test(claimed) ? claimed : createHash('sha256').digest('hex');
}

function resultProblems(predicate: Record<string, unknown>, details: Record<string, unknown>): SummaryProblem[] {
  if (predicate['verificationResult'] === 'PASSED') return [];
  const decision = typeof details['decision'] === 'string' ? ` (decision ${details['decision']})` : '';
  return [
    {
      code: 'SUMMARY_FAILED',
      message: `the verification it summarises did not pass: ${JSON.stringify(truncate(String(predicate['verificationResult']), 20))}${decision}`,
    },
  ];
}

async function subjectProblems(statement: Statement, opts: SummaryCheckOptions): Promise<SummaryProblem[]> {
  const subjects = subjectsOf(statement);
  const problems: SummaryProblem[] = [];
  if (subjects.length === 0) problems.push(subjectProblem('the summary names no subject'));
  if (opts.requireTree && !subjects.some((s) => s.name === TREE_DIGEST_FOLDER)) {
    problems.push(subjectProblem(`--tree: the summary does not bind ${TREE_DIGEST_FOLDER} (sign it with vouch verify --attest-tree)`));
  }
  for (const subject of subjects) {
    if (!isSubjectName(subject.name)) {
      problems.push(subjectProblem(`unknown subject ${JSON.stringify(truncate(subject.name, 80))}`));
      continue;
    }
    const now = await subjectDigest(opts.projectDir, subject.name);
    if (!now) {
      problems.push(subjectProblem(`${subject.name} is not in ${opts.projectDir}`));
      continue;
    }
    const compared = Object.entries(now.digest).filter(([algorithm]) => subject.digest[algorithm] !== undefined);
    if (compared.length === 0) problems.push(subjectProblem(`${subject.name}: the summary gives no ${Object.keys(now.digest).join(' or ')} digest`));
    for (const [algorithm, hex] of compared) {
      if (subject.digest[algorithm] !== hex) {
        problems.push(
          subjectProblem(`${subject.name} changed: ${algorithm} is ${hex.slice(0, 16)}…, the summary signed ${short(String(subject.digest[algorithm]))}`),
        );
        break;
      }
    }
  }
  return problems;
}

async function trustFileProblems(predicate: Record<string, unknown>, details: Record<string, unknown>, projectDir: string): Promise<SummaryProblem[]> {
  const now = await trustFileDigests(projectDir);
  const problems: SummaryProblem[] = [];
  const policy = asRecord(predicate['policy']);
  const policySigned = describedDigest(policy);
  const builtIn = typeof policy['uri'] === 'string' && policy['uri'].startsWith(`${BUILT_IN_POLICY_URI}@`);
  if (now.policy ? policySigned !== now.policy.sha256 : !builtIn) {
    problems.push({
      code: 'SUMMARY_POLICY',
      message: `judged under ${builtIn ? 'the built-in policy' : `a vouch.policy.json with sha256 ${short(policySigned)}`}; the project has ${describe(now.policy, 'no vouch.policy.json')}`,
    });
  }
  const lockSigned = details['lock'] === null ? null : describedDigest(asRecord(details['lock']));
  if ((now.lock?.sha256 ?? null) !== lockSigned) {
    problems.push({
      code: 'SUMMARY_LOCK',
      message: `judged against ${lockSigned === null ? 'no vouch.lock' : `a vouch.lock with sha256 ${short(lockSigned)}`}; the project has ${describe(now.lock, 'no vouch.lock')}`,
    });
  }
  return problems;
}

function subjectsOf(statement: Statement): { name: string; digest: Record<string, unknown> }[] {
  const subjects: unknown[] = Array.isArray(statement.subject) ? statement.subject : [];
  return subjects.flatMap((s) => {
    const subject = asRecord(s);
    return typeof subject['name'] === 'string' ? [{ name: subject['name'], digest: asRecord(subject['digest']) }] : [];
  });
}

function describedDigest(descriptor: Record<string, unknown>): string | undefined {
  const sha256 = asRecord(descriptor['digest'])['sha256'];
  return typeof sha256 === 'string' ? sha256 : undefined;
}

const describe = (file: FileDigest, absent: string): string => (file ? `sha256 ${short(file.sha256)}` : absent);
const short = (hex: string | undefined): string => (hex === undefined ? '(none)' : `${truncate(hex, 80).slice(0, 16)}…`);
const subjectProblem = (message: string): SummaryProblem => ({ code: 'SUMMARY_SUBJECT', message });
const refused = (problems: SummaryProblem[], verified?: BundleVerified): SummaryCheck => ({
  ok: false,
  problems,
  ...(verified ? { signer: verified.signer } : {}),
});

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
