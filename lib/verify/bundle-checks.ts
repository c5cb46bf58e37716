// What @sigstore/verify does not check: the DSSE payload type, the in-toto statement, its predicate
// type and its subject. The subject binds a signature to *this* tarball: without it any valid
// attestation of any package would do. Pure functions over the parsed bundle.
import { BUNDLE_V01_MEDIA_TYPE, BUNDLE_V02_MEDIA_TYPE, BUNDLE_V03_LEGACY_MEDIA_TYPE, BUNDLE_V03_MEDIA_TYPE, type Bundle } from '@sigstore/bundle';
import { isRecord } from './checkpoint-guard.js';
import type { AttestationCode } from './types.js';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const STATEMENT_TYPES: ReadonlySet<string> = new Set(['https://in-toto.io/Statement/v0.1', 'https://in-toto.io/Statement/v1']);

export interface Statement {
  _type: string;
  predicateType: string;
  subject: { name: string; digest: Record<string, unknown> }[];
  predicate: unknown;
}

export type StatementCheck = { ok: true; statement: Statement } | { ok: false; code: AttestationCode; message: string };

/**
 * The bundle formats whose verification rules @sigstore/verify implements. @sigstore/bundle accepts any
 * `vX.Y` media type and the verifier then guesses; a format nobody defined yet is refused instead.
 */
export const KNOWN_BUNDLE_MEDIA_TYPES: ReadonlySet<string> = new Set([
  BUNDLE_V01_MEDIA_TYPE,
  BUNDLE_V02_MEDIA_TYPE,
  BUNDLE_V03_LEGACY_MEDIA_TYPE,
  BUNDLE_V03_MEDIA_TYPE,
]);

/** The purl npm signs as the subject name: `pkg:npm/%40scope/name@1.2.3` (npm-package-arg toPurl). */
export function npmPurl(name: string, version: string): string {
  return `pkg:npm/${name.replace(/^@/, '%40')}@${version}`;
}

/** The hex sha512 of an SRI string; throws when it has none or names two different sha512 digests. */
export function sha512Hex(integrity: string): string {
  const digests = new Set<string>();
  for (const token of integrity.trim().split(/\s+/)) {
    const match = /^sha512-([A-Za-z0-9+/]+={0,2})(\?.*)?$/.exec(token);
    if (match?.[1]) digests.add(Buffer.from(match[1], 'base64').toString('hex'));
  }
  const [only, ...others] = digests;
  if (!only || others.length > 0) throw new Error(`integrity ${integrity.slice(0, 24)}… does not name exactly one sha512 digest`);
  if (only.length !== 128) throw new Error('integrity sha512 digest is not 64 bytes');
  return only;
}

/**
 * Reads the DSSE statement of a bundle and checks its types: DSSE only, in-toto payload, a known
 * statement type, and the same predicate type the response's wrapper announced (when there is a wrapper).
 */
export function readStatement(bundle: Bundle, wrapperPredicateType?: string): StatementCheck {
  if (bundle.content.$case !== 'dsseEnvelope') return fail('ATTESTATION_INVALID', 'bundle is not a DSSE envelope');
  const envelope = bundle.content.dsseEnvelope;
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    return fail('ATTESTATION_STATEMENT', `payload type ${JSON.stringify(envelope.payloadType.slice(0, 60))} is not ${IN_TOTO_PAYLOAD_TYPE}`);
  }
  let statement: unknown;
  try {
    statement = JSON.parse(envelope.payload.toString('utf8'));
  } catch {
    return fail('ATTESTATION_STATEMENT', 'DSSE payload is not JSON');
  }
  if (!isRecord(statement)) return fail('ATTESTATION_STATEMENT', 'DSSE payload is not a JSON object');
  if (typeof statement._type !== 'string' || !STATEMENT_TYPES.has(statement._type)) {
    return fail('ATTESTATION_STATEMENT', `statement type ${JSON.stringify(String(statement._type).slice(0, 60))} is not an in-toto Statement v0.1 or v1`);
  }
  if (wrapperPredicateType === undefined ? typeof statement.predicateType !== 'string' : statement.predicateType !== wrapperPredicateType) {
    const expected = wrapperPredicateType === undefined ? 'is not a string' : `differs from the announced ${wrapperPredicateType}`;
    return fail('ATTESTATION_STATEMENT', `statement predicate type ${JSON.stringify(String(statement.predicateType).slice(0, 80))} ${expected}`);
  }
  if (!Array.isArray(statement.subject)) return fail('ATTESTATION_SUBJECT', 'statement has no subject list');
  return { ok: true, statement: statement as unknown as Statement };
}

/** Exactly one subject, named by the locked package's purl, with the locked tarball's sha512. */
export function checkSubject(statement: Statement, purl: string, sha512: string): StatementCheck {
  const subjects: unknown[] = statement.subject;
  if (subjects.length !== 1) return fail('ATTESTATION_SUBJECT', `statement has ${subjects.length} subjects, expected exactly 1`);
  const subject = subjects[0];
  if (!isRecord(subject)) return fail('ATTESTATION_SUBJECT', 'statement subject is not an object');
  if (subject.name !== purl) {
    return fail('ATTESTATION_SUBJECT', `statement subject ${JSON.stringify(String(subject.name).slice(0, 100))} is not ${purl}`);
  }
  const digest = isRecord(subject.digest) ? subject.digest.sha512 : undefined;
  if (typeof digest !== 'string' || digest.toLowerCase() !== sha512) {
    return fail('ATTESTATION_SUBJECT', `statement subject sha512 ${String(digest).slice(0, 16)}… is not the locked tarball's ${sha512.slice(0, 16)}…`);
  }
  return { ok: true, statement };
}

const fail = (code: AttestationCode, message: string): StatementCheck => ({ ok: false, code, message });
