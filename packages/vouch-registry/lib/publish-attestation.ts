// The registry's own publish attestation, shaped like npm's: an in-toto Statement v0.1 whose subject
// is the package URL and the hex sha512 of the tarball the registry received, signed with the
// registry's active key as a DSSE bundle (public-key hint = key id), logged in the registry's signing log
// before it is stored or served: the bundle carries its tlog entry with inclusion proof (log-witness.ts).
import { isDeepStrictEqual } from 'node:util';
import { PREDICATE_PUBLISH_NPM, buildKeyedBundle, type InTotoStatement, type RawSigner } from './vouch-core.js';
import { isRecord, parseJson, type StoredAttestation } from './attestations.js';
import { logWitness } from './log-witness.js';
import { npmPurl } from './names.js';
import type { SigningLog } from './signing-log.js';

export interface PublishFacts {
  name: string;
  version: string;
  /** Hex sha512 of the tarball bytes, computed by the registry. */
  sha512Hex: string;
  /** Registry URL without a trailing slash, as npm writes it (`https://registry.npmjs.org`). */
  registry: string;
}

export function publishStatement(facts: PublishFacts): InTotoStatement {
  return {
    _type: 'https://in-toto.io/Statement/v0.1',
    subject: [{ name: npmPurl(facts.name, facts.version), digest: { sha512: facts.sha512Hex } }],
    predicateType: PREDICATE_PUBLISH_NPM,
    predicate: { name: facts.name, version: facts.version, registry: facts.registry },
  };
}

/** Signs the publish attestation and logs it (dsse entry + attestation-issued, one batch) in `log`. */
export async function buildPublishAttestation(signer: RawSigner, facts: PublishFacts, log: SigningLog): Promise<StoredAttestation> {
  const bundle = await buildKeyedBundle(publishStatement(facts), signer, [logWitness(log, { name: facts.name, version: facts.version })]);
  return { predicateType: PREDICATE_PUBLISH_NPM, bundleText: JSON.stringify(bundle) };
}

/** The key id a stored publish attestation is signed with (its DSSE signature's keyid), if readable. */
export function publishAttestationKeyid(entry: StoredAttestation): string | undefined {
  const bundle = parseJson(entry.bundleText);
  const envelope = isRecord(bundle) ? bundle['dsseEnvelope'] : undefined;
  const signatures = isRecord(envelope) ? envelope['signatures'] : undefined;
  const first: unknown = Array.isArray(signatures) ? signatures[0] : undefined;
  const keyid = isRecord(first) ? first['keyid'] : undefined;
  return typeof keyid === 'string' ? keyid : undefined;
}

/**
 * Whether a stored bundle carries a transparency-log entry. Publish attestations issued before the signing
 * log recorded them carry none (npm 11 stops on such a bundle); they are re-issued, and so logged, when served.
 */
export function isLoggedAttestation(entry: StoredAttestation): boolean {
  const bundle = parseJson(entry.bundleText);
  const material = isRecord(bundle) ? bundle['verificationMaterial'] : undefined;
  const tlogEntries = isRecord(material) ? material['tlogEntries'] : undefined;
  return Array.isArray(tlogEntries) && tlogEntries.length > 0;
}

/**
 * The same publish attestation signed by `signer`. The statement is rebuilt from the registry's own
 * record (name, version, integrity computed at publish); the old one must say exactly that, so a
 * re-issue never launders a statement edited in storage. Only its `registry` URL is carried over.
 * Throws when the old statement does not match the record.
 */
export async function reissuePublishAttestation(
  signer: RawSigner,
  log: SigningLog,
  record: { name: string; version: string; integrity: string },
  old: StoredAttestation,
): Promise<StoredAttestation> {
  const bundle = parseJson(old.bundleText);
  const envelope = isRecord(bundle) ? bundle['dsseEnvelope'] : undefined;
  const payload = isRecord(envelope) ? envelope['payload'] : undefined;
  const statement = typeof payload === 'string' ? parseJson(Buffer.from(payload, 'base64').toString('utf8')) : undefined;
  const predicate = isRecord(statement) ? statement['predicate'] : undefined;
  const registry = isRecord(predicate) ? predicate['registry'] : undefined;
  const sha512Hex = sha512HexOf(record.integrity);
  if (typeof registry !== 'string' || sha512Hex === undefined) {
    throw new Error('the stored publish attestation has no registry URL, or the record no sha512 integrity');
  }
  const expected = publishStatement({ name: record.name, version: record.version, sha512Hex, registry });
  if (!isDeepStrictEqual(statement, expected)) {
    throw new Error('the stored publish attestation does not state the recorded name, version and tarball digest');
  }
  return buildPublishAttestation(signer, { name: record.name, version: record.version, sha512Hex, registry }, log);
}

/** Hex of the sha512 in a one-hash SRI string (`sha512-<base64>`), as the statement subject carries it. */
export function sha512HexOf(integrity: string): string | undefined {
  const match = /^sha512-([A-Za-z0-9+/]{86}==)$/.exec(integrity);
  return match?.[1] ? Buffer.from(match[1], 'base64').toString('hex') : undefined;
}

/**
 * `entries` with every registry publish attestation whose key `keep` refuses re-issued by `signer`
 * (other bundles untouched, order kept); undefined when none needed it. Throws as
 * reissuePublishAttestation does when a stored statement does not match the record.
 */
export async function renewPublishAttestations(
  signer: RawSigner,
  log: SigningLog,
  record: { name: string; version: string; integrity: string },
  entries: readonly StoredAttestation[],
  keep: (keyid: string | undefined, entry: StoredAttestation) => boolean,
): Promise<StoredAttestation[] | undefined> {
  let changed = false;
  const out: StoredAttestation[] = [];
  for (const entry of entries) {
    if (entry.predicateType === PREDICATE_PUBLISH_NPM && !keep(publishAttestationKeyid(entry), entry)) {
      out.push(await reissuePublishAttestation(signer, log, record, entry));
      changed = true;
    } else {
      out.push(entry);
    }
  }
  return changed ? out : undefined;
}
