// The plugin's settings, read from the config Verdaccio hands a plugin. Verdaccio 6 merges the whole
// config into each plugin's section (legacyMergeConfigs), so option names avoid top-level keys
// (`storage`, `auth`, `publish`, `url_prefix`, …) and the filter instance finds the keys listed under
// `middlewares.vouch`. Keys are always file paths, never inline PEM: config files get copied around.
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { checkPublishPolicy, readPublishPolicyFile, type PublishPolicy } from './publish-policy.js';
import { VouchError } from './vouch-core.js';

/** One `signing_keys` entry: the first is the active signer, later ones are retired and must expire. */
export interface KeySpec {
  file: string;
  expires: Date | null;
}

export interface PluginSettings {
  /** Verdaccio's storage folder, absolute; the plugin's own records live in `<storage>/.vouch/`. */
  storageDir: string;
  dataDir: string;
  keys: KeySpec[];
  /** Public URL of the registry, when set; otherwise each request's own origin is used. */
  registryUrl: string | undefined;
  /** Largest publish body the plugin reads (Verdaccio's `max_body_size`, default 10mb). */
  maxBodyBytes: number;
  /** Witnesses (their add-checkpoint URL prefixes) each signing log checkpoint is submitted to (`witnesses:`). */
  witnesses: string[];
  /** What a publish must bring (`publish_policy:`, a JSON file or inline); undefined: no policy. */
  publishPolicy: PublishPolicy | undefined;
}

/** The subset of Verdaccio's Config the plugin reads. */
export interface VerdaccioConfigView {
  storage?: unknown;
  configPath?: unknown;
  self_path?: unknown;
  max_body_size?: unknown;
  middlewares?: unknown;
}

export const PLUGIN_ID = 'vouch';
/** Sub-folder of Verdaccio's storage for the plugin's records; dot-named so Verdaccio's search skips it. */
export const DATA_FOLDER = '.vouch';

/** Reads settings from the plugin's (merged) section and Verdaccio's own config. */
export function readSettings(section: Record<string, unknown>, verdaccio: VerdaccioConfigView): PluginSettings {
  const base = configDir(verdaccio);
  if (typeof verdaccio.storage !== 'string' || verdaccio.storage === '') {
    throw new VouchError('CONFIG', "the vouch registry plugin needs Verdaccio's `storage:` folder to be set");
  }
  const storageDir = resolve(base, verdaccio.storage);
  const fromMiddlewares = pluginSection(verdaccio.middlewares);
  const rawKeys = section['signing_keys'] ?? fromMiddlewares['signing_keys'];
  const rawUrl = section['registry_url'] ?? fromMiddlewares['registry_url'];
  const rawWitnesses = section['witnesses'] ?? fromMiddlewares['witnesses'];
  const rawPolicy = section['publish_policy'] ?? fromMiddlewares['publish_policy'];
  return {
    storageDir,
    dataDir: join(storageDir, DATA_FOLDER),
    keys: readKeySpecs(rawKeys, base),
    registryUrl: readUrl(rawUrl),
    maxBodyBytes: parseByteSize(verdaccio.max_body_size, 10 * 1024 * 1024),
    witnesses: readWitnessUrls(rawWitnesses),
    publishPolicy: readPolicySetting(rawPolicy, base, verdaccio),
  };
}

/** `publish_policy`: a JSON file's path (relative to the config's folder) or the policy inline. */
function readPolicySetting(raw: unknown, base: string, verdaccio: VerdaccioConfigView): PublishPolicy | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'string' && raw !== '') return readPublishPolicyFile(isAbsolute(raw) ? raw : resolve(base, raw));
  const configFile = typeof verdaccio.configPath === 'string' ? verdaccio.configPath : undefined;
  const source = `${configFile ?? 'the Verdaccio config'} (middlewares.vouch.publish_policy)`;
  return checkPublishPolicy(raw, { source, base, ...(configFile ? { file: configFile } : {}) });
}

function configDir(verdaccio: VerdaccioConfigView): string {
  const path = typeof verdaccio.configPath === 'string' ? verdaccio.configPath : verdaccio.self_path;
  return typeof path === 'string' ? dirname(path) : process.cwd();
}

function pluginSection(middlewares: unknown): Record<string, unknown> {
  if (!isRecord(middlewares)) return {};
  const section = middlewares[PLUGIN_ID];
  return isRecord(section) ? section : {};
}

const KEYS_HINT = 'list PEM files under middlewares.vouch.signing_keys: the first is the active key, ' + 'retired ones as {file, expires}';

/** Validates `signing_keys`: a non-empty list; the active key has no expiry, retired keys must have one. */
export function readKeySpecs(raw: unknown, base: string): KeySpec[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new VouchError('CONFIG', 'no signing keys configured for the vouch registry plugin', {}, KEYS_HINT);
  }
  return raw.map((entry, index): KeySpec => {
    const where = { path: `signing_keys[${index}]` };
    const file = typeof entry === 'string' ? entry : isRecord(entry) ? entry['file'] : undefined;
    if (typeof file !== 'string' || file === '') {
      throw new VouchError('CONFIG', 'a signing key entry needs a file path', where, KEYS_HINT);
    }
    const expiresRaw = isRecord(entry) ? entry['expires'] : undefined;
    const expires = expiresRaw === undefined || expiresRaw === null ? null : readDate(expiresRaw, where.path);
    if (index === 0 && expires) {
      throw new VouchError(
        'CONFIG',
        'the active signing key (the first) must not expire',
        where,
        'put the new key first; give `expires` only to the retired keys after it',
      );
    }
    if (index > 0 && !expires) {
      throw new VouchError(
        'CONFIG',
        `retired signing key ${file} needs an expires date`,
        where,
        'set expires to the moment it stopped signing; versions published before then stay verifiable',
      );
    }
    return { file: isAbsolute(file) ? file : resolve(base, file), expires };
  });
}

function readDate(raw: unknown, path: string): Date {
  // YAML turns an unquoted timestamp into a Date already.
  const date = raw instanceof Date ? raw : typeof raw === 'string' ? new Date(raw) : new Date(NaN);
  if (Number.isNaN(date.getTime())) {
    throw new VouchError('CONFIG', `expires must be an ISO 8601 date, got ${JSON.stringify(raw)}`, { path });
  }
  return date;
}

function readUrl(raw: unknown): string | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw !== 'string' || !URL.canParse(raw)) {
    throw new VouchError('CONFIG', `registry_url must be an absolute URL, got ${JSON.stringify(raw)}`);
  }
  return raw.replace(/\/+$/, '');
}

/**
 * Validates `witnesses`: a list of http(s) URLs, each a witness's submission prefix (`vouch log witness`
 * prints it; add-checkpoint is POSTed under it), normalized to end in "/", each once.
 */
export function readWitnessUrls(raw: unknown): string[] {
  if (raw === undefined || raw === null) return [];
  const hint = "give each witness's URL as `vouch log witness` prints it: --witness URL, or witnesses: [URL, …] in the plugin's config";
  if (!Array.isArray(raw)) throw new VouchError('CONFIG', 'witnesses must be a list of URLs', { path: 'witnesses' }, hint);
  const urls = raw.map((entry, index) => {
    const where = { path: `witnesses[${index}]` };
    if (typeof entry !== 'string' || !URL.canParse(entry))
      throw new VouchError('CONFIG', `a witness is an absolute URL, got ${JSON.stringify(entry)}`, where, hint);
    const url = new URL(entry);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new VouchError('CONFIG', `a witness URL is http or https, got ${entry}`, where, hint);
    if (url.username || url.password || url.search || url.hash)
      throw new VouchError('CONFIG', `a witness URL carries no credentials, query or fragment: ${entry}`, where, hint);
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    return url.href;
  });
  const twice = urls.find((u, i) => urls.indexOf(u) !== i);
  if (twice) throw new VouchError('CONFIG', `witness ${twice} is listed twice`, { path: 'witnesses' }, hint);
  return urls;
}

/** Parses Verdaccio's size strings ("10mb", "512kb", a number of bytes). */
export function parseByteSize(raw: unknown, fallback: number): number {
  if (typeof raw === 'number' && raw > 0) return raw;
  if (typeof raw !== 'string') return fallback;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(raw);
  if (!match) return fallback;
  const unit = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(match[2] ?? 'b').toLowerCase() as 'b'];
  return Math.floor(Number(match[1]) * unit);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
