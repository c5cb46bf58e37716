// The attestation store: bundles that came with a publish (`<name>-<version>.sigstore`), kept
// byte-for-byte, plus the registry's own publish attestation, served as npm serves them:
// GET /-/npm/v1/attestations/<name>@<version> → {"attestations":[{"predicateType", "bundle"}]}.
// The plugin stores and serves; it verifies a bundle only where the publish policy asks (publish-gate.ts),
// otherwise clients do. One file per version
// holds the exact response body, so a GET returns the stored bytes.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileSegment, isPackageName, isVersion } from './names.js';

/** Upper bound for an attached bundle and for its DSSE payload: real npm bundles are ~4-15 KB. */
export const BUNDLE_MAX_BYTES = 512 * 1024;
const BUNDLE_MEDIA_TYPE_PREFIX = 'application/vnd.dev.sigstore.bundle';
const ATTESTATIONS_ROUTE = '/-/npm/v1/attestations/';

export interface StoredAttestation {
  predicateType: string;
  /** The bundle's JSON text exactly as received (or as the registry serialised its own). */
  bundleText: string;
}

export type BundleCheck = { kind: 'ok'; attestation: StoredAttestation } | { kind: 'reject'; message: string };

/**
 * Checks an attached bundle without trusting it: raw JSON text (as libnpmpublish sends it, not base64),
 * bounded, a Sigstore bundle with a DSSE envelope whose payload is a JSON statement naming its predicateType.
 */
export function checkBundleAttachment(data: unknown): BundleCheck {
  if (typeof data !== 'string') return reject('the .sigstore attachment must carry the bundle as JSON text');
  if (Buffer.byteLength(data) > BUNDLE_MAX_BYTES) return reject(`the .sigstore attachment exceeds ${BUNDLE_MAX_BYTES} bytes`);
  const bundle = parseJson(data);
  if (!isRecord(bundle)) return reject('the .sigstore attachment is not a JSON object');
  if (typeof bundle['mediaType'] !== 'string' || !bundle['mediaType'].startsWith(BUNDLE_MEDIA_TYPE_PREFIX)) {
    return reject('the .sigstore attachment is not a Sigstore bundle (mediaType)');
  }
  const envelope = bundle['dsseEnvelope'];
  const payload = isRecord(envelope) ? envelope['payload'] : undefined;
  if (typeof payload !== 'string' || payload.length > (BUNDLE_MAX_BYTES * 4) / 3) {
    return reject('the .sigstore bundle has no DSSE envelope payload');
  }
  const statement = parseJson(Buffer.from(payload, 'base64').toString('utf8'));
  const predicateType = isRecord(statement) ? statement['predicateType'] : undefined;
  if (typeof predicateType !== 'string' || predicateType === '' || predicateType.length > 512) {
    return reject('the .sigstore bundle payload names no predicateType');
  }
  return { kind: 'ok', attestation: { predicateType, bundleText: data } };
}

/** The response body, built by concatenation so each bundle's bytes are served exactly as stored. */
export function attestationsBody(entries: readonly StoredAttestation[]): string {
  const items = entries.map((e) => `{"predicateType":${JSON.stringify(e.predicateType)},"bundle":${e.bundleText}}`);
  return `{"attestations":[${items.join(',')}]}`;
}

/**
 * The entries of a stored response body, each bundle's text exactly as stored, so a body can be
 * rewritten (one entry re-issued) while every other bundle keeps its bytes. Undefined when the text is
 * not a body attestationsBody wrote (the rebuilt body must equal it byte for byte).
 */
export function parseAttestationsBody(text: string): StoredAttestation[] | undefined {
  const head = '{"attestations":[';
  if (!text.startsWith(head) || !text.endsWith(']}')) return undefined;
  const entries: StoredAttestation[] = [];
  let at = head.length;
  while (text[at] === '{') {
    const typeStart = at + '{"predicateType":'.length;
    if (!text.startsWith('{"predicateType":', at)) return undefined;
    const typeEnd = jsonValueEnd(text, typeStart);
    if (typeEnd === undefined || !text.startsWith(',"bundle":', typeEnd)) return undefined;
    const bundleStart = typeEnd + ',"bundle":'.length;
    const bundleEnd = jsonValueEnd(text, bundleStart);
    if (bundleEnd === undefined || text[bundleEnd] !== '}') return undefined;
    const predicateType = parseJson(text.slice(typeStart, typeEnd));
    if (typeof predicateType !== 'string') return undefined;
    entries.push({ predicateType, bundleText: text.slice(bundleStart, bundleEnd) });
    at = bundleEnd + 1;
    if (text[at] === ',') at += 1;
  }
  if (attestationsBody(entries) !== text) return undefined;
  return entries.every((e) => parseJson(e.bundleText) !== undefined) ? entries : undefined;
}

/**
 * Where the JSON string, object or array starting at `start` ends (the index after it). Iterative, so a
 * deeply nested bundle cannot overflow the stack; the caller re-checks the slices with JSON.parse.
 */
function jsonValueEnd(text: string, start: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i += 1) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') {
        inString = false;
        if (depth === 0) return i + 1;
      }
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth += 1;
    else if (c === '}' || c === ']') {
      depth -= 1;
      if (depth === 0) return i + 1;
      if (depth < 0) return undefined;
    } else if (depth === 0) return undefined; // only strings, objects and arrays are expected here
  }
  return undefined;
}

/** Path of a version's attestations; scoped names are URL-encoded (`%40scope%2Fname@1.2.3`), as npm does. */
export function attestationsPath(name: string, version: string): string {
  return `${ATTESTATIONS_ROUTE}${encodeURIComponent(name)}@${version}`;
}

/** Reads `<name>@<version>` from a request path under the route; names may arrive encoded or not. */
export function parseAttestationsSpec(path: string): { name: string; version: string } | undefined {
  if (!path.startsWith(ATTESTATIONS_ROUTE)) return undefined;
  let spec: string;
  try {
    spec = decodeURIComponent(path.slice(ATTESTATIONS_ROUTE.length));
  } catch {
    return undefined;
  }
  const at = spec.lastIndexOf('@');
  if (at <= 0) return undefined;
  const name = spec.slice(0, at);
  const version = spec.slice(at + 1);
  return isPackageName(name) && isVersion(version) ? { name, version } : undefined;
}

export class AttestationStore {
  constructor(private readonly dir: string) {}

  private fileFor(name: string, version: string): string {
    return join(this.dir, fileSegment(name), `${fileSegment(version)}.json`);
  }

  /** Stores a version's attestations (replacing earlier ones); synchronous, like the record commit. */
  put(name: string, version: string, entries: readonly StoredAttestation[]): void {
    const file = this.fileFor(name, version);
    mkdirSync(join(this.dir, fileSegment(name)), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, attestationsBody(entries));
    renameSync(tmp, file);
  }

  /** The stored response body, or undefined when the version has none. */
  async get(name: string, version: string): Promise<string | undefined> {
    try {
      return await readFile(this.fileFor(name, version), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }
}

function reject(message: string): BundleCheck {
  return { kind: 'reject', message };
}

/** JSON.parse that answers undefined for text that is not JSON (stored files may be damaged). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
