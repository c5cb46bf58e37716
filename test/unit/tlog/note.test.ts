// Signed notes and checkpoints (lib/tlog) against Go's reference vector and a real Rekor checkpoint.
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatCheckpoint, parseCheckpoint } from '../../../lib/tlog/checkpoint.js';
import { EMPTY_ROOT } from '../../../lib/tlog/merkle.js';
import {
  NoteError,
  ecdsaVerifier,
  ed25519Signer,
  ed25519Verifier,
  keyIdOf,
  openNote,
  parseVerifierKey,
  rawEd25519,
  signNote,
  verifierKey,
} from '../../../lib/tlog/note.js';
import { entriesPath, tilePath } from '../../../lib/tlog/tiles.js';
import { packagePath } from '../../../lib/config/package-root.js';

const fixture = <T>(path: string) => JSON.parse(readFileSync(packagePath(path), 'utf8')) as T;
const go = fixture<{ peterNeumann: { signerKey: string; verifierKey: string; text: string; note: string } }>(
  'fixtures/real/tlog-note-vectors.json',
).peterNeumann;

/** Go's PRIVATE+KEY+name+id+base64(0x01 || seed) as a node key. */
function goSigner(skey: string) {
  const [, , name, , ...key] = skey.split('+'); // the base64 key may hold "+"
  const seed = Buffer.from(key.join('+'), 'base64').subarray(1);
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  return ed25519Signer(name!, createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }));
}

describe('signed notes', () => {
  it("signs exactly as Go's sumdb/note does, and opens its note", () => {
    const signer = goSigner(go.signerKey);
    expect(signer.keyId.toString(16)).toBe('c74f20a3');
    expect(signNote(go.text, [signer])).toBe(go.note);
    const verifier = parseVerifierKey(go.verifierKey);
    expect(openNote(go.note, [verifier]).text).toBe(go.text);
  });

  it('rejects a changed text, a bad signature by a known key, and a note no known key signed; ignores unknown signers', () => {
    const verifier = parseVerifierKey(go.verifierKey);
    expect(() => openNote(go.note.replace('problem,', 'problem;'), [verifier])).toThrow(NoteError);
    const other = generateKeyPairSync('ed25519');
    const stranger = ed25519Signer('stranger.example', other.privateKey);
    const cosigned = signNote(go.text, [goSigner(go.signerKey), stranger]);
    expect(openNote(cosigned, [verifier]).verifiedBy.map((v) => v.name)).toEqual(['PeterNeumann']);
    expect(() => openNote(signNote(go.text, [stranger]), [verifier])).toThrow(/no known key signed the note/);
    // A stranger's signature under PeterNeumann's name and key ID: the known key fails to verify it.
    const impostor = { ...stranger, name: 'PeterNeumann', keyId: verifier.keyId };
    expect(() => openNote(signNote(go.text, [impostor]), [verifier])).toThrow(/does not verify/);
  });

  it('derives key IDs as the spec recommends and round-trips verifier keys', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const raw = rawEd25519(publicKey);
    const key = verifierKey('log.example/vouch', raw);
    const parsed = parseVerifierKey(key);
    expect(parsed.keyId).toBe(keyIdOf('log.example/vouch', 0x01, raw));
    expect(parsed.keyId).toBe(ed25519Signer('log.example/vouch', privateKey).keyId);
    expect(ed25519Verifier('log.example/vouch', raw).keyId).toBe(parsed.keyId);
    for (const bad of [key.replace('+', ' '), `${key.slice(0, -4)}AAAA`, key.replace(/\+[0-9a-f]{8}\+/, '+00000000+')])
      expect(() => parseVerifierKey(bad)).toThrow(NoteError);
  });
});

describe('checkpoints', () => {
  it("opens a real Rekor checkpoint with the public-good Rekor key; its root is the bundle's inclusion proof root", () => {
    const bundle = fixture<{
      verificationMaterial: { tlogEntries: { inclusionProof: { checkpoint: { envelope: string }; rootHash: string; treeSize: string } }[] };
    }>('fixtures/real/bundles/02-playwright-cli-0.1.1.provenance.sigstore.json');
    const proof = bundle.verificationMaterial.tlogEntries[0]!.inclusionProof;
    const root = fixture<{ tlogs: { baseUrl: string; publicKey: { rawBytes: string } }[] }>('fixtures/real/sigstore-public-good-trusted_root.json');
    const rekor = root.tlogs.find((t) => t.baseUrl === 'https://rekor.sigstore.dev')!;
    const verifier = ecdsaVerifier('rekor.sigstore.dev', Buffer.from(rekor.publicKey.rawBytes, 'base64'));
    const opened = openNote(proof.checkpoint.envelope, [verifier]);
    const checkpoint = parseCheckpoint(opened.text);
    expect(checkpoint.origin).toBe('rekor.sigstore.dev - 1193050959916656506');
    expect(checkpoint.size).toBe(Number(proof.treeSize));
    expect(Buffer.from(checkpoint.root).toString('base64')).toBe(proof.rootHash);
    expect(() => openNote(proof.checkpoint.envelope.replace('831393313', '831393314'), [verifier])).toThrow(NoteError);
  });

  it('formats and parses the body; refuses malformed ones', () => {
    const body = formatCheckpoint({ origin: 'registry.example/log', size: 0, root: EMPTY_ROOT, extensions: ['ext one'] });
    expect(body).toBe('registry.example/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next one\n');
    expect(parseCheckpoint(body)).toEqual({ origin: 'registry.example/log', size: 0, root: Buffer.from(EMPTY_ROOT), extensions: ['ext one'] });
    for (const bad of [
      'o\n01\nx\n',
      'o\n1\n',
      'o\n1\nAAAA\n',
      `o\n-1\n${Buffer.from(EMPTY_ROOT).toString('base64')}\n`,
      `o\n1\n${Buffer.from(EMPTY_ROOT).toString('base64')}`,
    ]) {
      expect(() => parseCheckpoint(bad), JSON.stringify(bad)).toThrow(NoteError);
    }
  });
});

describe('tile paths', () => {
  it('encodes indexes in groups of three digits, as c2sp.org/tlog-tiles shows', () => {
    expect(tilePath(0, 1234067)).toBe('tile/0/x001/x234/067');
    expect(tilePath(1, 0)).toBe('tile/1/000');
    expect(tilePath(0, 1234067, 8)).toBe('tile/0/x001/x234/067.p/8');
    expect(entriesPath(1000)).toBe('tile/entries/x001/000');
    expect(() => tilePath(0, 1, 0)).toThrow(RangeError);
  });
});
