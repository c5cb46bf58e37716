// `vouch trust-root update`: refreshes the Sigstore public-good trusted root and npm's registry keys
// through Sigstore's TUF repository (signed metadata, verified by @sigstore/tuf from its embedded root),
// for when a network is there. The install path never does this: it reads the copy written here.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { initTUF } from '@sigstore/tuf';
import { vouchDataDir } from '../../config/index.js';
import type { TrustFile } from '../../config/trust-files.js';
import { VouchError, type ExitCode } from '../../errors/index.js';
import { trustRootFromBytes } from '../../verify/index.js';
import { parseFlags } from '../flags.js';
import { FLAGS } from './flag-table.js';
import type { Output } from '../output.js';

const TARGETS: readonly [string, TrustFile][] = [
  ['trusted_root.json', 'public-good.trusted_root.json'],
  ['registry.npmjs.org/keys.json', 'npm-registry-keys.json'],
];

export async function run(argv: string[], out: Output): Promise<ExitCode> {
  const { values, positionals } = parseFlags(argv, FLAGS['trust-root'], true);
  if (positionals[0] !== 'update' || positionals.length !== 1)
    throw new VouchError('USAGE', 'vouch trust-root takes one subcommand, update', {}, 'vouch trust-root update [--mirror-url URL]');
  const dir = join(vouchDataDir(), 'trust');
  let contents: string[];
  try {
    const tuf = await initTUF({ cachePath: join(vouchDataDir(), 'tuf'), ...(values['mirror-url'] ? { mirrorURL: values['mirror-url'] } : {}) });
    contents = await Promise.all(TARGETS.map(([target]) => tuf.getTarget(target)));
  } catch (err) {
    throw new VouchError(
      'REGISTRY_UNREACHABLE',
      `could not update from Sigstore's TUF repository: ${(err as Error).message}`,
      {},
      'retry with a network; until then vouch uses the snapshot it ships (trust/)',
      { cause: err },
    );
  }
  trustRootFromBytes('public-good', contents[0] ?? ''); // refuse to store a root vouch cannot use
  await mkdir(dir, { recursive: true });
  for (const [i, [, file]] of TARGETS.entries()) {
    const path = join(dir, file);
    await writeFile(`${path}.${process.pid}.tmp`, contents[i] ?? '');
    await rename(`${path}.${process.pid}.tmp`, path);
    out.stdout(`vouch: updated ${path}`);
  }
  return 0;
}
