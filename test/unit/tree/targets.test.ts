import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadNpmConfig } from '../../../lib/config/index.js';
import { listTargets, loadTree } from '../../../lib/tree/index.js';

const project = fileURLToPath(new URL('../../../fixtures/lockfiles/mixed-sources/', import.meta.url));

describe('listTargets on a real lockfile with aliases, workspaces and non-registry sources', async () => {
  const config = await loadNpmConfig(project, ['--registry=http://127.0.0.1:9/', '--@isaacs:registry=http://127.0.0.1:8/scoped/'], {});
  const tree = await loadTree(project, config, 'virtual');
  const targets = listTargets(tree, config);

  it('lists one target per unique name@version, sorted, with the registry npm would use', () => {
    expect(targets.packages.map((p) => `${p.name}@${p.version} ${p.registry}`)).toEqual([
      '@isaacs/string-locale-compare@1.1.0 http://127.0.0.1:8/scoped/',
      'is-number@6.0.0 http://127.0.0.1:9/',
      'is-number@7.0.0 http://127.0.0.1:9/',
      'kind-of@6.0.3 http://127.0.0.1:9/',
    ]);
  });

  it('signs an alias as its real package name and keeps every location', () => {
    const six = targets.packages.find((p) => p.version === '6.0.0')!;
    expect(six.aliases).toEqual(['num-six']);
    expect(six.locations).toEqual(['node_modules/num-six', 'packages/ws-a/node_modules/is-number']);
  });

  it('reports git, remote and file dependencies instead of dropping them', () => {
    expect(targets.nonRegistry.map((r) => `${r.name} ${r.kind}`)).toEqual(['file-tgz file', 'gitdep git', 'remote-tgz remote']);
  });

  it('marks dev dependencies and honours --omit', () => {
    expect(targets.packages.find((p) => p.name === 'kind-of')!.dev).toBe(true);
    expect(listTargets(tree, config, ['dev']).packages.map((p) => p.name)).not.toContain('kind-of');
  });
});

describe('listTargets with dependency bundles', async () => {
  const bundled = fileURLToPath(new URL('../../../fixtures/lockfiles/bundled/', import.meta.url));
  const config = await loadNpmConfig(bundled, ['--registry=http://127.0.0.1:9/'], {});
  const tree = await loadTree(bundled, config, 'virtual');

  it('skips a copy bundled inside a dependency (its bytes are the parent\'s) and keeps the registry copy', () => {
    const targets = listTargets(tree, config);
    expect(targets.packages.map((p) => `${p.name}@${p.version} ${p.locations.join(',')}`)).toEqual([
      'has-bundle@1.0.0 node_modules/has-bundle',
      'inner@2.0.0 node_modules/inner',
      'plain@1.0.0 node_modules/plain',
    ]);
  });
});
