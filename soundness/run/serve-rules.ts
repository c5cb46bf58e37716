// A mutation's registry-side edits, installed as rules on the worker's hostile proxy (test/support/
// hostile-registry.ts) for the duration of one case.
import { readFile } from 'node:fs/promises';
import type { HostileRegistry } from '../../test/support/hostile-registry.js';
import type { ServeRule } from '../mutations/index.js';
import type { Packument } from '../mutations/types.js';

export async function installServeRules(proxy: HostileRegistry, rules: readonly ServeRule[]): Promise<void> {
  for (const rule of rules) {
    switch (rule.kind) {
      case 'bytes':
        proxy.on(rule.path, { kind: 'body', body: await readFile(rule.file), type: 'application/octet-stream' });
        break;
      case 'packument':
        proxy.on(`/${rule.name}`, {
          kind: 'json',
          rewrite: (body) => {
            rule.edit(body as Packument);
            return body;
          },
        });
        break;
      case 'headers':
        proxy.on(rule.pattern, { kind: 'headers', headers: rule.headers });
        break;
      default: {
        const never: never = rule;
        throw new Error(`unknown serve rule ${JSON.stringify(never)}`);
      }
    }
  }
}
