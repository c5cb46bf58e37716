// `vouch registry`: a signing npm registry (Verdaccio + the vouch plugin) in this process, until
// SIGINT/SIGTERM (or, when started with an IPC channel, until the parent goes away). Its operator
// subcommands `rotate` and `revoke` work on a stopped registry's storage (own files, loaded lazily).
import { resolve } from 'node:path';
import { VouchError, parseFlags, FLAGS, type ExitCode, type Output } from '../vouch-core.js';
import { startRegistryServer, type RunningRegistry } from '../server.js';
import type { KeySpec } from '../settings.js';

export async function run(argv: string[], out: Output): Promise<ExitCode> {
  if (argv[0] === 'rotate') return (await import('./registry-rotate.js')).run(argv.slice(1), out);
  if (argv[0] === 'revoke') return (await import('./registry-revoke.js')).run(argv.slice(1), out);
  const { values } = parseFlags(argv, FLAGS.registry);
  if (values.config && (values.storage || values.key || values.witness || values['publish-policy'])) {
    throw new VouchError(
      'USAGE',
      '--config cannot be combined with --storage, --key, --witness or --publish-policy',
      {},
      'set storage, signing_keys, witnesses and publish_policy in the config file itself',
    );
  }
  const registry = await startRegistryServer({
    host: values.host ?? '127.0.0.1',
    port: portFlag(values.port),
    storage: resolve(values.storage ?? '.vouch-registry'),
    keys: (values.key ?? []).map(keyFlag),
    witnesses: values.witness ?? [],
    ...(values['publish-policy'] ? { publishPolicy: values['publish-policy'] } : {}),
    ...(values.config ? { configFile: values.config } : {}),
  });
  if (values.json) {
    out.stdout(
      JSON.stringify({
        url: registry.url,
        keyid: registry.keyid,
        storage: registry.storage,
        logKey: registry.logKey,
        trustedRoot: registry.trustedRoot,
        ...(registry.witnesses ? { witnesses: registry.witnesses } : {}),
      }),
    );
  } else {
    out.stdout(
      [
        `vouch registry: ${registry.url}`,
        `  signing key  ${registry.keyid}`,
        `  storage      ${registry.storage}`,
        `  signing log  ${registry.url}-/vouch/log/  key ${registry.logKey}`,
        `  trusted root ${registry.trustedRoot}  (Sigstore verifiers of the bundles it issues)`,
        `  witnesses    ${witnessesLine(registry.witnesses)}`,
        `  publishers   npm adduser --registry ${registry.url}`,
        'Ctrl-C stops it.',
      ].join('\n'),
    );
  }
  await untilStopped(registry);
  return 0;
}

/** Resolves after a clean shutdown on SIGINT/SIGTERM or when an IPC parent disconnects. */
function untilStopped(registry: RunningRegistry): Promise<void> {
  return new Promise((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.off('disconnect', stop);
      registry.close().then(done, done);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (process.channel) {
      // A parent with an IPC channel (the test harness) owns us: when it goes, so do we.
      process.channel.unref();
      process.once('disconnect', stop);
    }
  });
}

function witnessesLine(witnesses: string[] | undefined): string {
  if (!witnesses) return 'as the config file lists them (witnesses:)';
  return witnesses.length > 0 ? `${witnesses.join(', ')}  (each checkpoint is submitted to them)` : 'none (--witness URL to have checkpoints cosigned)';
}

function portFlag(value: string | undefined): number {
  if (value === undefined) return 4873;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new VouchError('USAGE', `--port must be 0-65535, got "${value}"`);
  return port;
}

/** `FILE` or `FILE=EXPIRES`; the first key is the active one and must not expire (checked later). */
function keyFlag(value: string): KeySpec {
  const match = /^(.+)=(\d{4}-\d{2}-\d{2}[^=]*)$/.exec(value);
  if (!match?.[1] || !match[2]) return { file: resolve(value), expires: null };
  const expires = new Date(match[2]);
  if (Number.isNaN(expires.getTime())) throw new VouchError('USAGE', `--key ${value}: the expiry is not a date`);
  return { file: resolve(match[1]), expires };
}
