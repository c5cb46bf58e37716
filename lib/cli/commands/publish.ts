// `vouch publish`: sign, then publish the tarball with its Sigstore bundle attached, as npm attaches
// provenance. Signing comes first; when it fails, nothing is uploaded. Never prints a token or key.
import { resolve } from 'node:path';
import { VouchError, type ExitCode } from '../../errors/index.js';
import { publishPackage } from '../../sign/index.js';
import { parseFlags } from '../flags.js';
import { FLAGS } from './flag-table.js';
import type { Output } from '../output.js';
import { describeSigned, keySourceOf, packDestinationFor, signSummary } from './sign.js';

export async function run(argv: string[], out: Output): Promise<ExitCode> {
  // Everything after `--` belongs to npm (as `npm publish` takes it): --tag, --access, --otp, --dry-run, …
  const split = argv.indexOf('--');
  const own = split === -1 ? argv : argv.slice(0, split);
  const npmArgs = split === -1 ? [] : argv.slice(split + 1);
  const { values, positionals } = parseFlags(own, FLAGS.publish, true);
  if (positionals.length > 1)
    throw new VouchError('USAGE', `publish takes one package folder or tarball, got ${positionals.length}`, {}, 'put npm publish flags after --');
  const env = process.env;
  const key = keySourceOf(values, env);
  const target = positionals[0] ?? '.';
  const packDestination = await packDestinationFor(target, process.cwd(), values['out-dir']);
  const result = await publishPackage({
    target,
    packDestination,
    key,
    ...(values['rekor-url'] ? { rekorUrl: values['rekor-url'] } : {}),
    ...(values.out ? { out: values.out } : {}),
    cwd: process.cwd(),
    npmArgs: [...(values.registry ? [`--registry=${values.registry}`] : []), ...npmArgs],
    env,
    notice: (text) => out.stderr(text),
  });
  // Packed from inside the package folder, the tarball went to a folder removed after the upload (the bundle too, without --out).
  const kept = { tarball: packDestination !== null || result.tarballFile === resolve(target), bundle: packDestination !== null || values.out !== undefined };
  if (values.json) {
    out.stdout(JSON.stringify({ ...signSummary(result, kept), registry: result.registry, tag: result.tag, published: !result.dryRun }));
    return 0;
  }
  const verb = result.dryRun ? 'Would publish (--dry-run)' : 'Published';
  out.stdout(
    [
      describeSigned(result, env, key, values['rekor-url'], kept),
      `${verb} ${result.name}@${result.version} to ${result.registry} (tag ${result.tag}) with ${result.name}-${result.version}.sigstore attached`,
    ].join('\n'),
  );
  return 0;
}
