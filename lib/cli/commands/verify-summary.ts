// `vouch verify-summary FILE`: a deploy gate that accepts a build on the strength of a signed verification
// summary (`vouch verify --attest`) instead of verifying the whole tree again. Exit 0 only when the
// signature and signer verify, every subject is the project's as it is now, the policy and vouch.lock are
// the project's, and the verification passed; 1 with every difference otherwise; 2 for bad input.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { checkSummary } from '../../attest/index.js';
import type { SummaryCheck } from '../../attest/check-summary.js';
import type { BundleIdentity } from '../../api/verify-bundle.js';
import { VouchError, type ExitCode } from '../../errors/index.js';
import { readPublicKeyFile } from '../../sign/index.js';
import { ATTESTATION_LIMITS } from '../../verify/index.js';
import { keyIdOf } from '../../keys/index.js';
import { parseFlags } from '../flags.js';
import { FLAGS } from './flag-table.js';
import type { Output } from '../output.js';

export async function run(argv: string[], out: Output): Promise<ExitCode> {
  const { values, positionals } = parseFlags(argv, FLAGS['verify-summary'], true);
  if (positionals.length !== 1)
    throw new VouchError(
      'USAGE',
      `verify-summary takes one summary file, got ${positionals.length}`,
      {},
      'vouch verify-summary vouch.summary.json --key ci.pub',
    );
  const identity = identityOf(values);
  if ((values.key === undefined) === (identity === undefined)) {
    throw new VouchError(
      'USAGE',
      values.key ? 'choose --key or the --identity-* flags, not both' : 'say who must have signed the summary',
      {},
      'pass --key FILE (a key-signed summary), or --identity-issuer URL with --identity-repository, --identity-workflow or --identity-san (keyless)',
    );
  }
  const publicKey = values.key ? await readPublicKeyFile(values.key) : undefined;
  const check = await checkSummary(await readSummary(positionals[0]!), {
    projectDir: resolve(values.prefix ?? '.'),
    ...(publicKey ? { key: { publicKey, keyid: keyIdOf(publicKey) } } : {}),
    ...(identity ? { identity } : {}),
    ...(values['trusted-root'] ? { trustedRoots: [...values['trusted-root'], 'public-good'] } : {}),
    requireTree: values.tree === true,
  });
  out.stdout(values.json ? JSON.stringify(checkJson(check)) : describe(check, positionals[0]!));
  return check.ok ? 0 : 1;
}

/** The --identity-* flags as a BundleIdentity; undefined when none is given. */
function identityOf(values: Partial<Record<string, string | boolean | string[]>>): BundleIdentity | undefined {
  const pick = (flag: string): string | undefined => (typeof values[flag] === 'string' ? values[flag] : undefined);
  const fields = {
    issuer: pick('identity-issuer'),
    san: pick('identity-san'),
    repository: pick('identity-repository'),
    repositoryId: pick('identity-repository-id'),
    workflow: pick('identity-workflow'),
    ref: pick('identity-ref'),
  };
  const given = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  if (Object.keys(given).length === 0) return undefined;
  if (!fields.issuer) throw new VouchError('USAGE', 'a keyless identity needs --identity-issuer (the OIDC issuer that vouched for it)');
  if (Object.keys(given).length === 1 || (fields.ref !== undefined && Object.keys(given).length === 2)) {
    throw new VouchError(
      'USAGE',
      'a keyless identity needs --identity-san, --identity-repository, --identity-repository-id or --identity-workflow besides --identity-issuer',
    );
  }
  return given as unknown as BundleIdentity;
}

async function readSummary(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new VouchError('SUMMARY_UNREADABLE', `cannot read the summary ${file} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`, { file });
  }
  if (bytes.length > ATTESTATION_LIMITS.maxBundleBytes) {
    throw new VouchError('SUMMARY_UNREADABLE', `${file} is ${bytes.length} bytes, over the ${ATTESTATION_LIMITS.maxBundleBytes} a bundle may have`, { file });
  }
  return bytes.toString('utf8');
}

function checkJson(check: SummaryCheck): Record<string, unknown> {
  return {
    verified: check.ok,
    problems: check.problems,
    ...(check.signer ? { signer: check.signer } : {}),
    ...(check.summary ? { summary: check.summary } : {}),
  };
}

function describe(check: SummaryCheck, file: string): string {
  const signer =
    check.signer?.kind === 'key'
      ? `key ${check.signer.keyid}`
      : check.signer
        ? `certificate ${check.signer.identity.san} (${check.signer.identity.issuer})`
        : 'not verified';
  const s = check.summary;
  const lines = [
    check.ok ? `${file}: verified` : `${file}: refused`,
    `  signer    ${signer}`,
    ...(s
      ? [`  summary   ${s.verificationResult} (decision ${s.decision}) at ${s.timeVerified} by vouch ${s.vouchVersion}`, `  subjects  ${s.subjects.join(', ')}`]
      : []),
    ...check.problems.map((p) => `  ${p.code}  ${p.message}`),
  ];
  return lines.join('\n');
}
