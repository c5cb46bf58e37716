// Log entries without a SET (Rekor v2: integratedTime 0, inclusion proof and checkpoint only): the bounds
// @sigstore/verify 3.1.1 applies to a SET entry, applied to them. Runs after the verifier accepted a bundle.
//
// Why: for a SET the verifier picks the entry's own log and requires its key to be valid at the integrated
// time (trust/filter.ts). For a checkpoint it accepts a signature by ANY log of the root whose id starts with
// the key hint and whose URL matches the name (tlog/checkpoint.ts), and never looks at validFor. So a log key
// retired (validFor.end) and later leaked could sign checkpoints forever, and one trusted log could vouch
// for an entry that names another. Here: the entry's own log signed the checkpoint, and its key was valid
// at every time a TSA signed for the bundle (Rekor v2 bundles are timed by RFC 3161 tokens, not the log).
import { crypto } from '@sigstore/core';
import type { SignedEntity, TrustMaterial } from '@sigstore/verify';
import { truncate } from '../errors/index.js';

type TLogAuthority = TrustMaterial['tlogs'][number];
type LogEntry = SignedEntity['tlogEntries'][number];

// The signature lines of a signed note, as @sigstore/verify reads them; names are not used as patterns here.
const SIGNATURE_LINE = /\u2014 (\S+) (\S+)\n/g;

/** Throws unless every SET-less entry's own log signed its checkpoint and was valid at the TSA times. */
export function verifyEntriesWithoutSet(entity: SignedEntity, tlogs: readonly TLogAuthority[]): void {
  const signedTimes = entity.timestamps.flatMap((t) => (t.$case === 'timestamp-authority' ? [t.timestamp.signingTime] : []));
  for (const entry of entity.tlogEntries) {
    if (entry.inclusionPromise) continue; // the verifier checked the SET against the entry's own log
    const logId = Buffer.from(entry.logId?.keyId ?? []);
    const log = tlogs.find((t) => t.logID.equals(logId));
    if (!log) throw new Error(`log ${truncate(logId.toString('base64'), 60)} of a log entry is not in the trusted root`);
    for (const at of signedTimes) {
      if (at < log.validFor.start || at > log.validFor.end) {
        throw new Error(
          `log ${log.baseURL} was not valid at the timestamp ${at.toISOString()} (valid ${log.validFor.start.toISOString()} to ${log.validFor.end.toISOString()})`,
        );
      }
    }
    if (!signedByLog(entry, log)) throw new Error(`checkpoint of a ${log.baseURL} entry is not signed by that log`);
  }
}

/** Does a signature line of the entry's checkpoint carry the log's key hint and verify under its key? */
function signedByLog(entry: LogEntry, log: TLogAuthority): boolean {
  const envelope = entry.inclusionProof?.checkpoint?.envelope ?? '';
  const split = envelope.indexOf('\n\n');
  if (split < 0) return false;
  const note = Buffer.from(envelope.slice(0, split + 1), 'utf8');
  const hint = log.logID.subarray(0, 4);
  for (const [, , encoded = ''] of envelope.slice(split + 2).matchAll(SIGNATURE_LINE)) {
    const bytes = Buffer.from(encoded, 'base64');
    if (bytes.length > 4 && bytes.subarray(0, 4).equals(hint) && crypto.verify(note, log.publicKey, bytes.subarray(4))) return true;
  }
  return false;
}
