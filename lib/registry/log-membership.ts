// Every signing event vouch relies on from a registry that keeps a signing log (vouch-registry) must be in
// that log, as this run verified it: the registry signature of a version is the `version-signed` entry its
// `dist.signatures[].logIndex` names (same name, version, integrity, key and signature), proven in the
// checkpoint by an inclusion proof computed from the tiles; the registry's publish attestation carries its
// own inclusion proof (verified by @sigstore/verify against the checkpoint in the bundle), and that checkpoint
// must be one the verified log extends (a consistency proof). A signature made outside the registry's signing
// path (a leaked key, a retired one included) has no entry; a bundle proven into a forked tree fails the
// consistency proof. Either turns the evidence into a failure the policy denies.
import { TileError, leafHash, verifyConsistency, verifyInclusion } from '../tlog/index.js';
import type { AttestationResult, PackageEvidence, SignatureResult } from '../verify/index.js';
import { FetchFailure } from '../errors/index.js';
import type { VerifiedLog } from './log-check.js';
import type { VersionDist } from './packument.js';

/** The evidence with its registry signature and publish attestation checked against the log. */
export async function checkLogMembership(evidence: PackageEvidence, dist: VersionDist, log: VerifiedLog): Promise<PackageEvidence> {
  const out = { ...evidence };
  if (evidence.signature?.kind === 'verified') {
    const proven = await signatureLogged(evidence, dist, log);
    if (typeof proven === 'string') out.signature = notLogged(proven);
    else out.registryLog = proven;
  }
  const attested = evidence.attestations;
  if (attested?.kind === 'verified' && attested.publish) {
    const problem = await attestationLogged(attested, log);
    const { publish } = attested;
    if (problem) out.attestations = { kind: 'failed', code: 'ATTESTATION_NOT_LOGGED', message: problem, predicateType: publish.predicateType };
    else if (publish.logged) out.attestations = { ...attested, publish: { ...publish, logged: { ...publish.logged, byRegistry: true } } };
  }
  return out;
}

/** The entry proving a verified registry signature, or why none does. */
async function signatureLogged(e: PackageEvidence, dist: VersionDist, log: VerifiedLog): Promise<{ index: number; treeSize: number } | string> {
  const { name, version } = e.ref;
  const keyids = e.signature?.kind === 'verified' ? e.signature.keyids : [];
  const problems: string[] = [];
  for (const signature of dist.signatures.filter((s) => keyids.includes(s.keyid))) {
    if (signature.logIndex === undefined) {
      problems.push(`its signature by ${signature.keyid} names no entry of the registry's signing log (dist.signatures[].logIndex)`);
      continue;
    }
    const expected = { type: 'version-signed', name, version, integrity: dist.integrity, keyid: signature.keyid, sig: signature.sig };
    const problem = await entryProblem(log, signature.logIndex, (entry) => sameFields(entry, expected));
    if (!problem) return { index: signature.logIndex, treeSize: log.size };
    problems.push(`its signature by ${signature.keyid}: ${problem}`);
  }
  return `${problems.join('; ') || 'no verified signature to look up'}: the registry's signing path did not make it`;
}

/** Why the entry at `index` is not proven in the verified log as `matches` wants it (undefined: it is). */
async function entryProblem(log: VerifiedLog, index: number, matches: (entry: unknown) => boolean): Promise<string | undefined> {
  if (index >= log.size) return `entry ${index} is past the checkpoint of ${log.size} entries this run verified (run again if it was just published)`;
  try {
    const entry = await log.tiles.entry(index);
    if (!matches(parseJson(entry))) return `entry ${index} of the log records another signing event`;
    const proof = await log.tiles.inclusionProof(index);
    return verifyInclusion(index, log.size, leafHash(entry), proof, log.root)
      ? undefined
      : `entry ${index} is not in the tree of the checkpoint this run verified`;
  } catch (err) {
    if (err instanceof TileError || err instanceof FetchFailure) return `entry ${index} could not be proven: ${err.message}`;
    throw err;
  }
}

/** Why the registry's publish attestation is not in the verified log (undefined: it is, or it is not the registry's). */
async function attestationLogged(a: Extract<AttestationResult, { kind: 'verified' }>, log: VerifiedLog): Promise<string | undefined> {
  const logged = a.publish?.logged;
  if (!logged) return 'the registry keeps a signing log, but its publish attestation carries no entry of it';
  if (logged.logId !== log.logId) return `the publish attestation is logged in ${logged.logId}, not in the registry's signing log ${log.logId}`;
  const root = Buffer.from(logged.rootHash, 'base64');
  if (logged.treeSize > log.size) {
    return `the publish attestation's checkpoint of ${logged.treeSize} entries is past the ${log.size} this run verified (run again if it was just published)`;
  }
  try {
    const proof = logged.treeSize === log.size ? [] : await log.tiles.consistencyProof(logged.treeSize);
    const consistent = logged.treeSize === log.size ? root.equals(Buffer.from(log.root)) : verifyConsistency(logged.treeSize, log.size, root, log.root, proof);
    return consistent
      ? undefined
      : `the publish attestation was proven into a tree of ${logged.treeSize} entries that the registry's log of ${log.size} does not extend: this client was shown another history (a split view)`;
  } catch (err) {
    if (err instanceof TileError || err instanceof FetchFailure)
      return `the publish attestation's checkpoint could not be checked against the log: ${err.message}`;
    throw err;
  }
}

function sameFields(entry: unknown, expected: Record<string, string | undefined>): boolean {
  if (typeof entry !== 'object' || entry === null) return false;
  const fields = entry as Record<string, unknown>;
  return Object.entries(expected).every(([k, v]) => v !== undefined && fields[k] === v);
}

function notLogged(message: string): SignatureResult {
  return { kind: 'failed', code: 'SIGNATURE_NOT_LOGGED', message };
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}
