// Who built a package, read from the Fulcio leaf certificate (OID 1.3.6.1.4.1.57264.1.*) and nothing else.
// The certificate's extensions come from the CI's OIDC token through Fulcio; the SLSA predicate is
// written by the (possibly hostile) build itself, so it is never a source of identity.
import { X509Certificate } from '@sigstore/core';
import type { ProvenanceIdentity } from './types.js';

const FULCIO_OID = '1.3.6.1.4.1.57264.1.';
const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';
const UTF8_STRING_TAG = 0x0c;
// Identity values reach reports, SARIF and vouch.lock: control characters there are a forgery tool.
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/**
 * The provenance identity in a Fulcio certificate (given parsed or as DER).
 * Throws on duplicate extensions, malformed encodings or a certificate without issuer or SAN:
 * the caller turns that into ATTESTATION_INVALID.
 */
export function identityFromCertificate(certificate: X509Certificate | Uint8Array): ProvenanceIdentity {
  const cert = certificate instanceof X509Certificate ? certificate : X509Certificate.parse(Buffer.from(certificate));
  const ext = fulcioExtensions(cert);
  const issuer = ext.utf8(8) ?? ext.raw(1);
  if (!issuer) throw new Error('certificate names no OIDC issuer (Fulcio OID .8 or .1)');
  const san = subjectAlternativeName(cert);

  // Certificates before Fulcio's v2 extensions (2023-02) carry only the raw GitHub claims .1–.6:
  // .5 is the "owner/repo" claim, which names a GitHub repository only under GitHub's issuer.
  const legacyRepo = ext.raw(5);
  const repository = ext.utf8(12) ?? (legacyRepo && issuer === GITHUB_ACTIONS_ISSUER ? `https://github.com/${legacyRepo}` : undefined);
  const buildConfigUri = ext.utf8(18);
  const identity: ProvenanceIdentity = {
    issuer,
    san,
    repository,
    repositoryId: ext.utf8(15),
    ownerId: ext.utf8(17),
    owner: ext.utf8(16),
    ref: ext.utf8(14) ?? ext.raw(6),
    commit: ext.utf8(13) ?? ext.raw(3),
    workflow: workflowPath(buildConfigUri ?? san, repository),
    buildConfigUri,
    buildSignerUri: ext.utf8(9),
    runnerEnvironment: ext.utf8(11),
  };
  // Absent claims stay absent (no `undefined` keys): the identity is compared and serialized as data.
  return Object.fromEntries(Object.entries(identity).filter(([, v]) => v !== undefined)) as ProvenanceIdentity;
}

/**
 * The workflow file of a build config or signer URI: `https://github.com/o/r/.github/workflows/x.yml@refs/tags/v1`
 * → `.github/workflows/x.yml`. The repository prefix comes from the certificate's own repository claim.
 */
export function workflowPath(uri: string, repository: string | undefined): string | undefined {
  let rest: string | undefined;
  if (repository && uri.startsWith(`${repository}/`)) rest = uri.slice(repository.length + 1);
  else rest = /^https:\/\/github\.com\/[^/]+\/[^/]+\/(.+)$/.exec(uri)?.[1];
  if (!rest) return undefined;
  const at = rest.indexOf('@');
  // GitLab's build config URI separates project and file with '//'.
  const path = (at === -1 ? rest : rest.slice(0, at)).replace(/^\/+/, '');
  return path.length > 0 ? path : undefined;
}

interface FulcioExtensions {
  /** OIDs .8 and later: DER UTF8String. */
  utf8(n: number): string | undefined;
  /** OIDs .1–.6 (deprecated): the raw string bytes. */
  raw(n: number): string | undefined;
}

function fulcioExtensions(cert: X509Certificate): FulcioExtensions {
  const values = new Map<string, Buffer>();
  const seen = new Set<string>();
  for (const ext of cert.extensions) {
    const oid = ext.subs[0]?.toOID();
    if (oid === undefined) throw new Error('certificate extension without an OID');
    // RFC 5280 §4.2: an extension appears at most once. Two answers to "which repository" is forgery.
    if (seen.has(oid)) throw new Error(`certificate repeats extension ${oid}`);
    seen.add(oid);
    const value = ext.subs[ext.subs.length - 1]?.value;
    if (oid.startsWith(FULCIO_OID) && value) values.set(oid, value);
  }
  return {
    utf8: (n) => {
      const value = values.get(FULCIO_OID + n);
      return value === undefined ? undefined : checked(n, decodeUtf8String(value, n));
    },
    raw: (n) => {
      const value = values.get(FULCIO_OID + n);
      return value === undefined ? undefined : checked(n, decodeUtf8(value, n));
    },
  };
}

/** A DER UTF8String with a minimal definite length that covers the value exactly. */
function decodeUtf8String(der: Buffer, n: number): string {
  if (der.length < 2 || der[0] !== UTF8_STRING_TAG) throw new Error(`Fulcio extension .${n} is not a UTF8String`);
  const first = der[1]!;
  let length = first;
  let offset = 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 3 || der.length < 2 + count) throw new Error(`Fulcio extension .${n} has a bad length`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[2 + i]!;
    offset = 2 + count;
    if (length < 0x80 || der[2] === 0) throw new Error(`Fulcio extension .${n} has a non-minimal length`);
  }
  if (offset + length !== der.length) throw new Error(`Fulcio extension .${n} length does not match its value`);
  return decodeUtf8(der.subarray(offset), n);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Buffer, n: number): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new Error(`Fulcio extension .${n} is not valid UTF-8`);
  }
}

function checked(n: number, value: string): string {
  if (CONTROL_CHARS.test(value)) throw new Error(`Fulcio extension .${n} contains control characters`);
  return value;
}

function subjectAlternativeName(cert: X509Certificate): string {
  const ext = cert.extSubjectAltName;
  const san = ext?.uri ?? ext?.rfc822Name;
  if (!san) throw new Error('certificate has no URI or email subject alternative name');
  if (CONTROL_CHARS.test(san)) throw new Error('certificate SAN contains control characters');
  return san;
}
