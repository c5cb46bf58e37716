// Runs Verdaccio in this process with the vouch plugin, for `vouch registry` and the test harness.
// Kept apart from plugin.ts: the plugin entry must not import Verdaccio (Verdaccio imports it).
// Verdaccio only logs a plugin that fails to load and serves unsigned, so start-up ends by asking
// the keys route for the expected key and fails if it does not answer.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VouchError } from './vouch-core.js';
import { readKeyHistory } from './key-history.js';
import { loadKeyRing } from './keys.js';
import { loadPolicyRoots } from './publish-gate.js';
import { readPublishPolicyFile } from './publish-policy.js';
import { DATA_FOLDER, PLUGIN_ID, readKeySpecs, readWitnessUrls, type KeySpec } from './settings.js';

/** The folder Verdaccio's `plugins:` points at (it holds verdaccio-vouch/); lib/ and dist/ sit beside it. */
export const PLUGINS_FOLDER = fileURLToPath(new URL('../plugins', import.meta.url));

export interface RegistryServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Verdaccio storage folder; also holds htpasswd and, when no keys are given, the generated key. */
  storage: string;
  /** Signing keys, active first; none = a key generated once under `<storage>/.vouch/keys/`. */
  keys: KeySpec[];
  /** An operator's own Verdaccio config file (must list the plugin); replaces the embedded one. */
  configFile?: string;
  /** Witness URLs each signing log checkpoint is submitted to (embedded config only: a config file lists its own). */
  witnesses?: string[];
  /** A publish policy JSON file (embedded config only: a config file names its own `publish_policy`). */
  publishPolicy?: string;
}

export interface RunningRegistry {
  /** `http://host:port/` */
  url: string;
  /** Key id of the active signing key, as GET /-/npm/v1/keys lists it first. */
  keyid: string;
  storage: string;
  /** The signing log's verifier key (GET /-/vouch/log/key), for auditors to pin. */
  logKey: string;
  /** GET URL of the registry's Sigstore trusted root (its signing log), for verifiers of the bundles it issues. */
  trustedRoot: string;
  /** The witnesses checkpoints are submitted to (normalized URLs); undefined when a config file sets them. */
  witnesses: string[] | undefined;
  close(): Promise<void>;
}

export async function startRegistryServer(options: RegistryServerOptions): Promise<RunningRegistry> {
  const storage = resolve(options.storage);
  let config: string | Record<string, unknown>;
  let expectedKeyid: string | undefined;
  let witnesses: string[] | undefined;
  if (options.configFile) {
    config = resolve(options.configFile);
  } else {
    const given = options.keys.length > 0 ? options.keys : [{ file: ensureGeneratedKey(storage), expires: null }];
    // The plugin's own rules and key loading run here first: Verdaccio would only log their errors.
    const keys = readKeySpecs(keyEntries(given), storage);
    expectedKeyid = loadKeyRing(keys, readKeyHistory(join(storage, DATA_FOLDER))).active.keyid;
    witnesses = readWitnessUrls(options.witnesses ?? []);
    const policyFile = options.publishPolicy ? resolve(options.publishPolicy) : undefined;
    if (policyFile) loadPolicyRoots(readPublishPolicyFile(policyFile));
    config = embeddedConfig(storage, keys, witnesses, policyFile);
  }
  const { runServer } = (await import('verdaccio')) as { runServer(config: unknown): Promise<Server> };
  const server = await runServer(config);
  await new Promise<void>((ok, fail) => {
    server.once('error', (err: NodeJS.ErrnoException) => fail(listenError(err, options.host, options.port)));
    server.listen(options.port, options.host, () => ok());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${host}:${port}/`;
  const close = () => closeServer(server);
  try {
    const keyid = await checkPluginAnswers(url, expectedKeyid);
    return { url, keyid, storage, logKey: await logKeyOf(url), trustedRoot: new URL('-/vouch/trusted_root.json', url).href, witnesses, close };
  } catch (err) {
    await close();
    throw err;
  }
}

async function logKeyOf(url: string): Promise<string> {
  const response = await fetch(new URL('-/vouch/log/key', url));
  if (!response.ok)
    throw new VouchError(
      'CONFIG',
      `the vouch plugin at ${url} serves no signing log (GET /-/vouch/log/key: ${response.status})`,
      {},
      'run the vouch plugin of this vouch-registry version',
    );
  return (await response.text()).trim();
}

/** The embedded default: loopback-friendly, no uplinks, htpasswd users who may publish. */
export function embeddedConfig(storage: string, keys: readonly KeySpec[], witnesses: readonly string[] = [], publishPolicy?: string): Record<string, unknown> {
  const access = { access: '$all', publish: '$authenticated', unpublish: '$authenticated' };
  const selfPath = join(storage, 'config.yaml'); // need not exist: anchors relative paths
  return {
    self_path: selfPath,
    configPath: selfPath,
    storage,
    plugins: PLUGINS_FOLDER,
    auth: { htpasswd: { file: join(storage, 'htpasswd'), max_users: 1000 } },
    // JWT API tokens: a legacy token makes Verdaccio re-check the password (bcrypt, ~200 ms) on every
    // authenticated request, which npm and vouch send for each packument.
    security: { api: { jwt: { sign: { expiresIn: '30d' } } } },
    uplinks: {},
    packages: { '@*/*': access, '**': access },
    middlewares: {
      [PLUGIN_ID]: {
        signing_keys: keyEntries(keys),
        ...(witnesses.length > 0 ? { witnesses: [...witnesses] } : {}),
        ...(publishPolicy ? { publish_policy: publishPolicy } : {}),
      },
    },
    filters: { [PLUGIN_ID]: {} },
    max_body_size: '64mb',
    web: { enable: false },
    // Logs go to stderr (fd 2), so stdout carries only vouch's own lines (`--json` readers rely on it).
    log: { type: 'file', path: 2, format: 'pretty', level: 'warn' },
  };
}

/** Key specs as `signing_keys` entries: a path for the active key, {file, expires} for retired ones. */
function keyEntries(keys: readonly KeySpec[]): unknown[] {
  return keys.map((k) => (k.expires ? { file: k.file, expires: k.expires.toISOString() } : k.file));
}

/** `<storage>/.vouch/keys/signing-key.pem`, generated (P-256, PKCS#8, mode 600) on first start. */
export function ensureGeneratedKey(storage: string): string {
  const dir = join(storage, DATA_FOLDER, 'keys');
  const file = join(dir, 'signing-key.pem');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  }
  return file;
}

/** GET /-/npm/v1/keys must answer with the active key first; otherwise the plugin did not load. */
async function checkPluginAnswers(url: string, expectedKeyid: string | undefined): Promise<string> {
  const hint =
    'Verdaccio logs why the vouch plugin did not load (above); check `plugins:`, ' + '`middlewares: { vouch: … }`, `filters: { vouch: {} }` and the key files';
  let body: unknown;
  try {
    const res = await fetch(new URL('-/npm/v1/keys', url), { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    body = await res.json();
  } catch (err) {
    throw new VouchError('CONFIG', `the registry is not signing: GET /-/npm/v1/keys failed (${String(err)})`, {}, hint);
  }
  const keys = typeof body === 'object' && body !== null ? (body as { keys?: unknown }).keys : undefined;
  const first = Array.isArray(keys) ? (keys[0] as { keyid?: unknown } | undefined) : undefined;
  const keyid = typeof first?.keyid === 'string' ? first.keyid : undefined;
  if (!keyid || (expectedKeyid && keyid !== expectedKeyid)) {
    throw new VouchError('CONFIG', `the registry is not signing with the expected key (keys route lists ${keyid ?? 'none'})`, {}, hint);
  }
  return keyid;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((done) => server.close(() => done()));
}

/** A port in use or not ours to take is the user's setting (exit 2), not a fault of vouch. */
function listenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  if (err.code === 'EADDRINUSE')
    return new VouchError('CONFIG', `${host}:${port} is already in use`, {}, 'stop what listens there, or pick another port with --port (0 picks a free one)', {
      cause: err,
    });
  if (err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL')
    return new VouchError(
      'CONFIG',
      `cannot listen on ${host}:${port}: ${err.code}`,
      {},
      'use a port above 1023 on an address of this machine (--port, --host)',
      { cause: err },
    );
  return err;
}
