// `vouch log witness`: runs a C2SP tlog-witness for the logs named by their verifier keys (a vouch registry's
// signing log, or any Ed25519 checkpoint log), cosigning each checkpoint consistent with the last one it
// cosigned (tlog-cosignature/v1, with the time). Loopback by default; until SIGINT/SIGTERM (or, started
// with an IPC channel, until the parent goes away).
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { VouchError, type ExitCode } from '../../errors/index.js';
import { NoteError, ed25519Cosigner, parseVerifierKey, rawEd25519, type Cosigner, type NoteVerifier } from '../../tlog/index.js';
import { WitnessStateFile, startWitnessServer, type RunningWitness } from '../../witness/index.js';
import { parseFlags } from '../flags.js';
import type { Output } from '../output.js';
import { FLAGS } from './flag-table.js';

export const DEFAULT_WITNESS_PORT = 7380;

export async function run(argv: string[], out: Output): Promise<ExitCode> {
  const { values } = parseFlags(argv, FLAGS['log witness']);
  if (!values.log?.length || !values.key || !values.state) {
    throw new VouchError(
      'USAGE',
      'vouch log witness needs --log (at least one), --key and --state',
      {},
      'e.g. vouch log witness --log "$(cat registry-log.vkey)" --key witness.pem --state witness-state.json',
    );
  }
  const logs = logsOf(values.log);
  if (values.name !== undefined && (values.name === '' || /[\s+]/u.test(values.name))) {
    throw new VouchError(
      'USAGE',
      `--name ${JSON.stringify(values.name)}: a witness name has no spaces or "+"`,
      {},
      'a witness name is a schema-less URL, e.g. witness.example.com/w1',
    );
  }
  const keyFile = resolve(values.key);
  const key = readOrCreateKey(keyFile, out);
  const name =
    values.name ??
    `vouch-witness/${createHash('sha256')
      .update(rawEd25519(createPublicKey(key)))
      .digest('hex')
      .slice(0, 16)}`;
  const cosigner = cosignerNamed(name, key);
  const host = values.host ?? '127.0.0.1';
  const port = portFlag(values.port);
  const store = WitnessStateFile.open(values.state);
  let witness: RunningWitness;
  try {
    witness = await startWitnessServer({
      host,
      port,
      logs,
      cosigners: [cosigner],
      store,
      onAnswer: (a) => out.stderr(`vouch log witness: ${a.status} ${a.message}`),
    });
  } catch (err) {
    store.close();
    throw new VouchError('CONFIG', `cannot listen on ${host}:${port}: ${(err as Error).message}`, {}, 'choose another --port (0 picks a free one)');
  }
  const origins = [...logs.keys()].sort();
  if (values.json) {
    out.stdout(JSON.stringify({ url: witness.url, name, verifierKey: cosigner.verifierKey, logs: origins, state: store.file, key: keyFile }));
  } else {
    out.stdout(
      [
        `vouch log witness: ${witness.url}`,
        `  witness key     ${cosigner.verifierKey}`,
        `  add-checkpoint  POST ${witness.url}add-checkpoint`,
        ...origins.map((o, i) => `  ${i === 0 ? 'logs           ' : '               '} ${o}`),
        `  state           ${store.file}`,
        `  private key     ${keyFile} (back it up: a witness that loses it must start over under a new key)`,
        'Ctrl-C stops it.',
      ].join('\n'),
    );
  }
  await untilStopped(witness);
  store.close();
  return 0;
}

/** Each --log is a log's verifier key (name+keyid+base64(0x01 ‖ key)); its name is the checkpoint origin. */
function logsOf(keys: readonly string[]): Map<string, NoteVerifier[]> {
  const logs = new Map<string, NoteVerifier[]>();
  for (const text of keys) {
    let verifier: NoteVerifier;
    try {
      verifier = parseVerifierKey(text.trim());
    } catch (err) {
      if (!(err instanceof NoteError)) throw err;
      throw new VouchError(
        'USAGE',
        `--log ${text.slice(0, 80)}: ${err.message}`,
        {},
        "give the log's verifier key as `vouch registry` prints it (signing log … key …)",
      );
    }
    logs.set(verifier.name, [...(logs.get(verifier.name) ?? []), verifier]);
  }
  return logs;
}

/** The witness's Ed25519 private key (PKCS#8 PEM); created with mode 0600 when the file does not exist. */
function readOrCreateKey(file: string, out: Output): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new VouchError('KEY_FILE', `cannot read ${file}: ${(err as Error).message}`, { file });
    mkdirSync(dirname(file), { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    out.stderr(`vouch log witness: created the witness key ${file} (mode 0600); back it up`);
    return privateKey;
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new VouchError('KEY_FILE', `${file} is not a private key (PKCS#8 PEM)`, { file });
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new VouchError('KEY_FILE', `${file} is a ${key.asymmetricKeyType ?? 'unknown'} key; a witness key is Ed25519`, { file });
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
    out.stderr(`vouch log witness: warning: ${file} is readable by group or others (chmod 600 it)`);
  }
  return key;
}

function cosignerNamed(name: string, key: KeyObject): Cosigner {
  try {
    return ed25519Cosigner(name, key);
  } catch (err) {
    if (!(err instanceof NoteError)) throw err;
    throw new VouchError('USAGE', `--name: ${err.message}`, {}, 'a witness name is a schema-less URL, e.g. witness.example.com/w1');
  }
}

function portFlag(value: string | undefined): number {
  if (value === undefined) return DEFAULT_WITNESS_PORT;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new VouchError('USAGE', `--port must be 0-65535, got "${value}"`);
  return port;
}

/** Resolves after a clean shutdown on SIGINT/SIGTERM or when an IPC parent disconnects. */
function untilStopped(witness: RunningWitness): Promise<void> {
  return new Promise((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.off('disconnect', stop);
      witness.close().then(done, done);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (process.channel) {
      process.channel.unref();
      process.once('disconnect', stop);
    }
  });
}
