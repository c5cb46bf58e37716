// `vouch verify --packages`: the gate over the packages another package manager (pnpm, Yarn, Bun) is about
// to install, as its gate integration lists them, judged with the project's vouch.policy.json and vouch.lock.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { VouchError } from '../errors/index.js';
import type { NpmConfig } from '../config/index.js';
import { withFetchedIntegrity } from '../registry/index.js';
import { PACKAGE_LIST_MAX_BYTES, packageListTargets, parsePackageList } from '../tree/index.js';
import { httpOptions, readTrustFiles, runGate, type GateOptions } from './gate.js';
import type { Output } from './output.js';
import type { TreeGate } from './project-gate.js';

/** Judges the list in `source` (a file, or `-` for stdin); packages listed without integrity are hashed from their tarballs. */
export async function gatePackageList(opts: GateOptions, config: NpmConfig, source: string, out: Output): Promise<TreeGate> {
  const inputs = await readTrustFiles(opts.cwd);
  const file = source === '-' ? '(stdin)' : resolve(opts.cwd, source);
  const list = parsePackageList(await readListText(source, file), file);
  const listed = packageListTargets(list, config);
  const targets = { ...listed, packages: await withFetchedIntegrity(listed.packages, httpOptions(config, opts), opts.concurrency) };
  return { ...(await runGate(targets, inputs, config, opts, out)), inputs, targets };
}

async function readListText(source: string, file: string): Promise<string> {
  if (source !== '-') {
    return readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new VouchError(
        'USAGE',
        `cannot read the package list ${file}: ${err.message}`,
        { file },
        'give a file written by a package manager integration, or - for stdin',
      );
    });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    // One byte past the bound is enough for the parser to name the size problem.
    if (size > PACKAGE_LIST_MAX_BYTES) return Buffer.concat([...chunks, chunk]).toString('utf8');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
