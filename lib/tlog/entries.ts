// The entries of a vouch-registry signing log and what an audit checks of each, in log order: a registry
// signature (`version-signed`) verifies with a key the registry lists; a publish attestation is a Rekor v2
// `dsse` 0.0.2 body immediately followed by the `attestation-issued` event naming it (same key, same payload
// digest); key lifecycle events (`key-added`, `key-retired`, `key-revoked`) are well formed, and no key signs
// anything after its retirement or revocation. Entries are attacker-controlled bytes: parsed defensively.
import { verify, type KeyObject } from 'node:crypto';
import { keyIdOf } from '../keys/index.js';

/** A key the log retired or revoked, and where. */
export interface EndedKey {
  keyid: string;
  event: 'key-retired' | 'key-revoked';
  index: number;
}

/** What the checks carry from entry to entry (and, for ended keys, from audit to audit). */
export interface EntryContext {
  /** The registry's keys by keyid; undefined: signatures and keys are not checked, lifecycle is only tracked. */
  keys: ReadonlyMap<string, KeyObject> | undefined;
  ended: Map<string, EndedKey>;
  /** The dsse entry just read, waiting for its attestation-issued event. */
  pendingDsse?: { index: number; keyid: string; digestHex: string } | undefined;
}

type Json = Record<string, unknown>;

/** The signed message of a registry signature, as npm checks it: `${name}@${version}:${integrity}`. */
const signedMessage = (name: string, version: string, integrity: string) => `${name}@${version}:${integrity}`;

/**
 * Checks entry `index` in context; returns its problems (none: it is a valid entry at this place). A dsse
 * entry left without its attestation-issued event is reported when the next entry (or the end) shows it.
 */
export function checkEntry(ctx: EntryContext, index: number, entry: Buffer): { index: number; message: string }[] {
  const problems: { index: number; message: string }[] = [];
  const report = (message: string, at = index) => void problems.push({ index: at, message });
  let event: unknown;
  try {
    event = JSON.parse(entry.toString('utf8'));
  } catch {
    event = undefined;
  }
  const e: Json = isObject(event) ? event : {};
  const pending = ctx.pendingDsse;
  ctx.pendingDsse = undefined;
  if (pending && e['type'] !== 'attestation-issued') report(`the dsse entry ${pending.index} is not followed by its attestation-issued event`, pending.index);
  if (event === undefined) {
    if (ctx.keys) report('not JSON');
    return problems;
  }
  if (e['kind'] === 'dsse' && e['type'] === undefined) {
    const dsse = readDsse(e);
    if (typeof dsse === 'string') report(dsse);
    else {
      checkKey(ctx, dsse.keyid, `the dsse entry ${index}`, report, dsse.spki);
      ctx.pendingDsse = { index, ...dsse };
    }
    return problems;
  }
  switch (e['type']) {
    case 'version-signed': {
      const { name, version, integrity, keyid, sig } = e;
      if (!isString(name) || !isString(version) || !isString(integrity) || !isString(keyid) || !isString(sig)) {
        report('a version-signed entry lacks a field');
        break;
      }
      const id = `${name}@${version}`;
      const key = checkKey(ctx, keyid, id, report);
      if (key && !verify('sha256', Buffer.from(signedMessage(name, version, integrity)), key, Buffer.from(sig, 'base64'))) {
        report(`${id}: the signature does not verify with ${keyid}`);
      }
      break;
    }
    case 'attestation-issued': {
      const { name, version, keyid, digest, entry: target } = e;
      if (!isString(name) || !isString(version) || !isString(keyid) || !isString(digest) || !Number.isSafeInteger(target)) {
        report('an attestation-issued entry lacks a field');
        break;
      }
      const id = `the publish attestation of ${name}@${version}`;
      if (!pending || target !== pending.index || pending.index !== index - 1) {
        report(`${id} names entry ${String(target)}, not the dsse entry just before it`);
        break;
      }
      if (keyid !== pending.keyid) report(`${id} is by ${keyid}, but its dsse entry ${pending.index} by ${pending.keyid}`);
      if (digest !== `sha256:${pending.digestHex}`)
        report(`${id} states payload digest ${digest}, but its dsse entry ${pending.index} sha256:${pending.digestHex}`);
      checkKey(ctx, keyid, id, report);
      break;
    }
    case 'key-added':
    case 'key-retired':
    case 'key-revoked': {
      const { keyid, at } = e;
      if (!isString(keyid) || !isString(at) || Number.isNaN(Date.parse(at))) {
        report(`a ${e['type']} entry needs a keyid and an ISO time "at"`);
        break;
      }
      if (e['type'] !== 'key-added' && ctx.ended.get(keyid)?.event !== 'key-revoked') ctx.ended.set(keyid, { keyid, event: e['type'], index });
      break;
    }
    default:
      if (ctx.keys) report(`unknown entry type ${JSON.stringify(e['type'])}`);
  }
  return problems;
}

/** The problems of a log whose last entry read is a dsse entry without its attestation-issued event. */
export function finishEntries(ctx: EntryContext): { index: number; message: string }[] {
  const pending = ctx.pendingDsse;
  ctx.pendingDsse = undefined;
  return pending ? [{ index: pending.index, message: `the dsse entry ${pending.index} is not followed by its attestation-issued event` }] : [];
}

/**
 * The lifecycle rule (no signing event by a key after its key-retired or key-revoked entry), then, with the
 * registry's keys, that the key is listed (and is the one a dsse entry carries). Returns the key to verify with.
 */
function checkKey(ctx: EntryContext, keyid: string, what: string, report: (message: string) => void, spki?: Buffer): KeyObject | undefined {
  const ended = ctx.ended.get(keyid);
  if (ended) report(`${what}: signed by ${keyid} after its ${ended.event} entry ${ended.index}`);
  if (!ctx.keys) return undefined;
  const key = ctx.keys.get(keyid);
  if (!key) {
    report(`${what}: signed by ${keyid}, which the registry does not list`);
    return undefined;
  }
  if (spki && !key.export({ type: 'spki', format: 'der' }).equals(spki)) report(`${what}: its verifier key is not the registry's ${keyid}`);
  return key;
}

/** The fields of a Rekor v2 dsse 0.0.2 body the audit uses, or why it is not one. */
function readDsse(e: Json): { keyid: string; digestHex: string; spki: Buffer } | string {
  const spec = isObject(e['spec']) ? e['spec']['dsseV002'] : undefined;
  const hash = isObject(spec) ? spec['payloadHash'] : undefined;
  const signatures = isObject(spec) ? spec['signatures'] : undefined;
  const signature: unknown = Array.isArray(signatures) && signatures.length === 1 ? signatures[0] : undefined;
  const verifier = isObject(signature) ? signature['verifier'] : undefined;
  const publicKey = isObject(verifier) ? verifier['publicKey'] : undefined;
  const rawBytes = isObject(publicKey) ? publicKey['rawBytes'] : undefined;
  const digest = isObject(hash) && hash['algorithm'] === 'SHA2_256' ? hash['digest'] : undefined;
  if (e['apiVersion'] !== '0.0.2' || !isString(digest) || !isString(rawBytes) || !isObject(signature) || !isString(signature['content'])) {
    return 'a dsse entry is not a Rekor v2 dsse 0.0.2 body with one signature and its verifier key';
  }
  const digestBytes = Buffer.from(digest, 'base64');
  if (digestBytes.length !== 32) return "the dsse entry's payload digest is not a SHA-256 hash";
  let keyid: string;
  try {
    keyid = keyIdOf(rawBytes);
  } catch {
    return "the dsse entry's verifier key is not a public key";
  }
  return { keyid, digestHex: digestBytes.toString('hex'), spki: Buffer.from(rawBytes, 'base64') };
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}
