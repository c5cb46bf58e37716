// `vouch registry` loads the separate vouch-registry package: missing, broken or of another version, the
// user gets a usage error (exit 2) naming the install command for vouch's own version, never a crash.
import { describe, expect, it } from 'vitest';
import type { CommandRun } from '../../../lib/cli/commands/index.js';
import { loadRegistryCommand, type ModuleLoader } from '../../../lib/cli/registry-package.js';
import { VouchError, exitCodeForError } from '../../../lib/errors/index.js';

const ENTRY = 'file:///opt/prefix/lib/node_modules/vouch-registry/dist/index.js';
const registryCommand: CommandRun = async () => 0;

function loader(module: unknown, resolveError?: Error): ModuleLoader {
  return {
    resolve: () => {
      if (resolveError) throw resolveError;
      return ENTRY;
    },
    load: async () => {
      if (module instanceof Error) throw module;
      return module;
    },
  };
}

const notFound = () => Object.assign(new Error("Cannot find package 'vouch-registry'"), { code: 'ERR_MODULE_NOT_FOUND' });

async function failure(load: Promise<unknown>): Promise<VouchError> {
  try {
    await load;
  } catch (err) {
    if (err instanceof VouchError) return err;
    throw err;
  }
  throw new Error('loaded');
}

describe('loadRegistryCommand', () => {
  it("returns vouch-registry's command when it is there at vouch's version", async () => {
    expect(await loadRegistryCommand(loader({ version: '1.2.3', registryCommand }), '1.2.3')).toBe(registryCommand);
  });

  it('fails with REGISTRY_NOT_INSTALLED (exit 2) and the install command when the package is not installed', async () => {
    const err = await failure(loadRegistryCommand(loader(undefined, notFound()), '1.2.3'));
    expect([err.code, exitCodeForError(err)]).toEqual(['REGISTRY_NOT_INSTALLED', 2]);
    expect(err.hint).toContain('npm install -g vouch-registry@1.2.3');
    expect(err.hint).toContain('npm install -D vouch-registry@1.2.3');
  });

  it('fails with REGISTRY_PACKAGE_MISMATCH (exit 2) for another version, a module of another shape, or one that throws', async () => {
    const cases: [string, ModuleLoader][] = [
      ['other version', loader({ version: '1.2.4', registryCommand })],
      ['other shape', loader({ version: '1.2.3', run: registryCommand })],
      ['throws on load', loader(new SyntaxError('Unexpected token'))],
      ['cannot resolve', loader(undefined, Object.assign(new Error('Invalid package config'), { code: 'ERR_INVALID_PACKAGE_CONFIG' }))],
    ];
    for (const [label, broken] of cases) {
      const err = await failure(loadRegistryCommand(broken, '1.2.3'));
      expect([label, err.code, exitCodeForError(err)]).toEqual([label, 'REGISTRY_PACKAGE_MISMATCH', 2]);
      expect(err.hint).toContain('vouch-registry@1.2.3');
    }
  });
});
