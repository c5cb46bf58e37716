// `vouch log verify <registry>`: audits a registry's signing log (vouch-registry's /-/vouch/log/): the
// checkpoint verifies with the log key pinned on the first audit, every new entry's registry signature
// verifies with the registry's keys, and the tree of all entries is the checkpoint's, extending the one the
// last audit saw. Remembers the log key and the tree's frontier per registry, so each run reads only what
// is new. `vouch log witness` runs a witness instead (log-witness.ts).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { vouchDataDir } from '../../config/index.js';
import { VouchError, type ExitCode, FetchFailure } from '../../errors/index.js';
import { normalizeRegistryUrl } from '../../policy/index.js';
import { fetchRegistryKeys, logFetcher, logStateFile } from '../../registry/index.js';
import type { HttpOptions } from '../../registry/http.js';
import { auditLog, auditStateText, keyObjectsOf, parseAuditState, type AuditResult, type AuditState } from '../../tlog/index.js';
import { loadProjectConfig } from '../common-flags.js';
import { oneOf, parseFlags, positiveInt } from '../flags.js';
import type { Output } from '../output.js';
import { FLAGS } from './flag-table.js';

const USAGE = 'vouch log verify <registry-url> | vouch log show <registry-url> <package> | vouch log witness --log VKEY --key FILE --state FILE';

export async function run(argv: string[], out: Output): Promise<ExitCode> {
  if (argv[0] === 'witness') return (await import('./log-witness.js')).run(argv.slice(1), out);
  const { values, positionals } = parseFlags(argv, FLAGS.log, true);
  const [subcommand, registryArg, ...rest] = positionals;
  const wanted = subcommand === 'verify' ? 0 : subcommand === 'show' ? 1 : -1;
  if (wanted < 0 || !registryArg || rest.length !== wanted) {
    throw new VouchError(
      'USAGE',
      `vouch log takes a subcommand: ${USAGE}`,
      {},
      'e.g. vouch log verify http://127.0.0.1:4873/, vouch log show http://127.0.0.1:4873/ left-pad',
    );
  }
  const registry = normalizeRegistryUrl(registryArg); // the registry's identity: without a password in its URL
  const format = oneOf('format', values.format, ['text', 'json'] as const, 'text');
  const config = await loadProjectConfig([`--registry=${registryArg}`]); // a password in the URL becomes its _auth
  const http: HttpOptions = { flat: config.flat, offline: false, timeoutMs: positiveInt('timeout', values.timeout, 30_000), retries: 2 };
  const stateFile = values.state ?? logStateFile(join(vouchDataDir(), 'logs'), registry);
  const previous = readState(stateFile, registry);
  const keys = await fetching(`${registry}-/npm/v1/keys`, () => fetchRegistryKeys(registry, http));
  const logGet = logFetcher(registry, http);
  const show = subcommand === 'show' ? { name: rest[0]!, events: [] as ShownEvent[] } : undefined;
  const result = await auditLog({
    registry,
    registryKeys: keyObjectsOf(keys.kind === 'keys' ? keys.keys : []),
    // show reads every entry (from the start), opening the checkpoint with the key the audits pinned
    previous: show ? undefined : previous,
    ...(values.key ? { pinnedKey: values.key } : show && previous ? { pinnedKey: previous.key } : {}),
    fetch: (path) => fetching(`${registry}-/vouch/log/${path}`, () => logGet(path)),
    onProgress: (checked, total) => {
      if (total > 10_000 && format === 'text') out.stderr(`vouch log: ${checked} of ${total} ${show ? '' : 'new '}entries checked`);
    },
    ...(show ? { onEntry: (index: number, entry: Buffer) => collectEvent(show, index, entry) } : {}),
  });
  if (show) {
    out.stdout(
      format === 'json'
        ? JSON.stringify({ ...jsonReport(registry, result, stateFile), name: show.name, events: show.events }, null, 2)
        : showReport(registry, show, result),
    );
    return result.findings.length > 0 ? 1 : 0;
  }
  if (result.next) writeState(stateFile, result.next);
  out.stdout(format === 'json' ? JSON.stringify(jsonReport(registry, result, stateFile), null, 2) : textReport(registry, result, stateFile));
  return result.findings.length > 0 ? 1 : 0;
}

/** A failed GET as vouch reports registry failures: no log here is the user's to fix (2), the rest could not verify (3). */
async function fetching<T>(url: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (err) {
    if (!(err instanceof FetchFailure)) throw err;
    if (err.code === 'NOT_FOUND') {
      throw new VouchError(
        'CONFIG',
        `${url}: not found; this registry serves no vouch signing log`,
        {},
        'audit a registry run by vouch-registry (vouch registry)',
        { cause: err },
      );
    }
    throw new VouchError(
      err.code === 'REGISTRY_UNREACHABLE' ? 'REGISTRY_UNREACHABLE' : 'REGISTRY_ERROR',
      err.message,
      {},
      'run the audit again when the registry answers',
      { cause: err },
    );
  }
}

function readState(file: string, registry: string): AuditState | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined; // first audit of this registry: the log key is pinned now
  }
  let state: AuditState;
  try {
    state = parseAuditState(text);
  } catch (err) {
    throw new VouchError(
      'CONFIG',
      `the audit state ${file} is damaged: ${(err as Error).message}`,
      { file },
      'restore it; deleting it pins the log key again on the next audit',
    );
  }
  if (state.registry !== registry) {
    throw new VouchError('USAGE', `the audit state ${file} is for ${state.registry}, not ${registry}`, { file }, 'give each registry its own --state file');
  }
  return state;
}

function writeState(file: string, state: AuditState): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.${process.pid}.tmp`, auditStateText(state));
  renameSync(`${file}.${process.pid}.tmp`, file);
}

/** One signing event of the package shown, as the log records it, with its index. */
type ShownEvent = { index: number } & Record<string, unknown>;

function collectEvent(show: { name: string; events: ShownEvent[] }, index: number, entry: Buffer): void {
  let event: unknown;
  try {
    event = JSON.parse(entry.toString('utf8'));
  } catch {
    return; // not an event of this package; the audit reports an entry it cannot read
  }
  if (typeof event === 'object' && event !== null && (event as Record<string, unknown>)['name'] === show.name) {
    show.events.push({ index, ...(event as Record<string, unknown>) });
  }
}

function showReport(registry: string, show: { name: string; events: ShownEvent[] }, r: AuditResult): string {
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const lines = show.events.map((e) =>
    `  #${e.index}  ${text(e['type'])}  ${show.name}@${text(e['version'])}  ${text(e['keyid'])}  ${text(e['source'] ?? e['digest'])}`.trimEnd(),
  );
  const head = `vouch log: ${registry}: ${show.events.length} signing event(s) of ${show.name} among ${r.size} entries`;
  if (r.findings.length > 0) return [head, ...lines, textReport(registry, r, '(not written by show)')].join('\n');
  return [`${head} (checkpoint verified, ${r.origin}; every entry read and the tree recomputed)`, ...lines].join('\n');
}

function textReport(registry: string, r: AuditResult, stateFile: string): string {
  if (r.findings.length > 0) {
    return [
      `vouch log: ${registry}: ${r.findings.length} problem(s)`,
      ...r.findings.map((f) => `  ${f.code}${f.index !== undefined ? ` (entry ${f.index})` : ''}: ${f.message}`),
      `  the audit state (${stateFile}) was not advanced`,
    ].join('\n');
  }
  return `vouch log: ${registry}: checkpoint of ${r.size} entries verified (${r.origin}); ${r.checked} new entr${r.checked === 1 ? 'y' : 'ies'} checked since ${r.previousSize}, every registry signature verifies and the tree extends the last audit's`;
}

function jsonReport(registry: string, r: AuditResult, stateFile: string) {
  return {
    registry,
    origin: r.origin,
    size: r.size,
    previousSize: r.previousSize,
    checked: r.checked,
    consistent: r.findings.length === 0,
    findings: r.findings,
    state: stateFile,
  };
}
