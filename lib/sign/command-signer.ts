// A signer that hands the bytes to sign to an external program (a KMS or HSM client) and reads the
// signature back. The contract (docs/publishing.md):
//   stdin   the exact bytes to sign (the DSSE pre-authentication encoding); the program hashes them
//           with SHA-256 itself (ECDSA P-256) or signs them as they are (Ed25519);
//   env     VOUCH_SIGN_SHA256 = hex sha256 of stdin (for KMS APIs that sign a digest),
//           VOUCH_SIGN_KEYID = the expected key id;
//   stdout  the signature, either as base64 text (whitespace ignored) or as raw bytes. ECDSA P-256 may be
//           DER (ASN.1, as AWS/GCP KMS and openssl return it) or raw r||s (64 bytes, as Azure/PKCS#11 do);
//   exit 0  on success; anything else is a signing failure.
// The signature is checked against the public key before it is used, so a wrong key fails here.
import { spawn } from 'node:child_process';
import { createHash, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { VouchError, truncate } from '../errors/index.js';
import { keyIdOf } from '../keys/index.js';
import { spkiPem } from './keys.js';
import type { RawSigner } from './signer.js';

const MAX_OUTPUT_BYTES = 64 * 1024;
const DEFAULT_TIMEOUT_MS = 120_000;

export interface CommandSignerOptions {
  timeoutMs?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** A RawSigner backed by `command` (run through the shell) holding the private half of `publicKey`. */
export function commandSigner(command: string, publicKey: KeyObject, opts: CommandSignerOptions = {}): RawSigner {
  const keyid = keyIdOf(publicKey);
  return {
    keyid,
    publicKeyPem: spkiPem(publicKey),
    async sign(data) {
      const stdout = await runSigner(command, data, keyid, opts);
      const signature = decodeSignature(stdout, publicKey);
      if (!verifySignature(data, publicKey, signature)) {
        throw new VouchError(
          'SIGN_FAILED',
          `the signature from --signer-command does not verify with the public key ${keyid}`,
          {},
          'check that --public-key is the public half of the key the command signs with, and that it signs stdin (SHA-256 for P-256)',
        );
      }
      return signature;
    },
  };
}

/** Verifies a DER (ECDSA) or raw (Ed25519) signature over `data` as @sigstore/verify will. */
export function verifySignature(data: Buffer, publicKey: KeyObject, signature: Buffer): boolean {
  try {
    return nodeVerify(publicKey.asymmetricKeyType === 'ed25519' ? null : 'sha256', data, publicKey, signature);
  } catch {
    return false;
  }
}

/** Base64 text or raw bytes; for P-256, raw r||s becomes DER (the encoding DSSE bundles carry). */
export function decodeSignature(output: Buffer, publicKey: KeyObject): Buffer {
  const text = output.toString('latin1').replace(/\s+/g, '');
  if (text.length === 0) throw new VouchError('SIGN_FAILED', '--signer-command printed no signature');
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : output;
  if (publicKey.asymmetricKeyType === 'ec' && bytes.length === 64 && bytes[0] !== 0x30) {
    return Buffer.from(p256.Signature.fromBytes(bytes, 'compact').toBytes('der'));
  }
  return bytes;
}

function runSigner(command: string, data: Buffer, keyid: string, opts: CommandSignerOptions): Promise<Buffer> {
  const env = {
    ...(opts.env ?? process.env),
    VOUCH_SIGN_SHA256: createHash('sha256').update(data).digest('hex'),
    VOUCH_SIGN_KEYID: keyid,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(command, { shell: true, cwd: opts.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    let settled = false;
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new VouchError('SIGN_FAILED', message, {}, 'run the signer command by hand: it must read stdin and print the signature'));
    };
    const timer = setTimeout(
      () => fail(`--signer-command did not finish within ${opts.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`),
      opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    );
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > MAX_OUTPUT_BYTES) fail(`--signer-command printed more than ${MAX_OUTPUT_BYTES} bytes`);
      else out.push(chunk);
    });
    // Only the first line of stderr is echoed, cut short: a signer's diagnostics are not ours to print in full.
    child.stderr.on('data', (chunk: Buffer) => void (err = (err + chunk.toString('utf8')).slice(0, 4096)));
    child.on('error', (e) => fail(`--signer-command could not start: ${truncate(e.message)}`));
    child.on('close', (code, signal) => {
      if (settled) return;
      if (code !== 0) {
        const first = err.split('\n').find((l) => l.trim() !== '') ?? '';
        return fail(`--signer-command exited with ${signal ?? code}${first ? `: ${truncate(first, 160)}` : ''}`);
      }
      settled = true;
      clearTimeout(timer);
      resolve(Buffer.concat(out));
    });
    child.stdin.on('error', () => undefined); // a signer that exits without reading stdin: judged by its exit code
    child.stdin.end(data);
  });
}
