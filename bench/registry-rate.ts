// How fast the registry alone serves the tree's packuments (Node's fetch, 32 at a time, no client
// work besides reading the body): the floor under every cold run on loopback, printed for context.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pMap from 'p-map';
import { CORGI_ACCEPT } from '../lib/registry/index.js';

export interface RegistryRate {
  packuments: number;
  perSecond: number;
}

export async function measureRegistryRate(registryUrl: string, project: string): Promise<RegistryRate> {
  const lock = JSON.parse(await readFile(join(project, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
  const names = [
    ...new Set(
      Object.keys(lock.packages)
        .filter((k) => k !== '')
        .map((k) => k.slice(k.lastIndexOf('node_modules/') + 'node_modules/'.length)),
    ),
  ];
  const started = performance.now();
  await pMap(
    names,
    async (name) => {
      const res = await fetch(new URL(name.replace('/', '%2f'), registryUrl), { headers: { accept: CORGI_ACCEPT } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`registry rate: ${name} answered ${res.status}`);
    },
    { concurrency: 32 },
  );
  return { packuments: names.length, perSecond: names.length / ((performance.now() - started) / 1000) };
}
