// vouch's gate as a Yarn Berry plugin (`yarn plugin import <vouch>/integrations/yarn-plugin.cjs`). Yarn 4
// has no plugin hook between its "Resolution step" and its "Fetch step" (validateProject runs before
// resolution, with no packages loaded), so the plugin wraps Project#fetchEverything: the resolved tree is
// judged before a single tarball is fetched, linked or the lockfile written. A deny or a vouch failure is
// reported through Yarn's report and fails the install.
// Yarn copies this file into .yarn/plugins/, so it finds vouch by VOUCH_BIN or the project's node_modules/vouch.
// `yarn plugin import` evaluates this file in a sandbox without `require`: Node modules are loaded lazily.
'use strict';

/** The gate module of the vouch the project uses (or VOUCH_BIN's); null when there is none. */
function gateModule(cwd) {
  const { existsSync } = require('node:fs');
  const { dirname, join } = require('node:path');
  const bin = process.env.VOUCH_BIN || join(cwd, 'node_modules', 'vouch', 'bin', 'vouch.js');
  const gate = join(dirname(dirname(bin)), 'integrations', 'vouch-gate.cjs');
  return existsSync(gate) ? require(gate) : null;
}

const YARN_DEFAULT_REGISTRY = 'https://registry.yarnpkg.com';

module.exports = {
  name: 'vouch-gate',
  factory(yarnRequire) {
    const { Project, ReportError, structUtils } = yarnRequire('@yarnpkg/core');
    const fetchEverything = Project.prototype.fetchEverything;
    if (typeof fetchEverything !== 'function') {
      // A Yarn whose install this plugin cannot hook: refuse every install rather than gate none.
      return {
        hooks: {
          validateProject(project, { reportError }) {
            reportError(0, 'vouch gate: this Yarn has no Project#fetchEverything to gate; nothing was installed');
          },
        },
      };
    }
    Project.prototype.fetchEverything = async function gatedFetchEverything(opts) {
      await gate(this, opts.report, { ReportError, structUtils });
      return fetchEverything.call(this, opts);
    };
    return { hooks: {} };
  },
};

async function gate(project, report, yarn) {
  const cwd = project.cwd;
  const core = gateModule(cwd);
  if (!core)
    throw new yarn.ReportError(
      0,
      `vouch gate: vouch is not installed where the gate can find it (${cwd}/node_modules/vouch); set VOUCH_BIN to its bin/vouch.js`,
    );
  let result;
  try {
    result = await core.runVouchGate(packageList(project, yarn.structUtils), { cwd, env: registryEnv(project.configuration) });
  } catch (err) {
    throw new yarn.ReportError(0, err.message);
  }
  for (const entry of result.warned) for (const line of core.findingLines(entry, 'warn')) report.reportWarning(0, `vouch: ${core.label(entry)}: ${line}`);
  if (result.decision !== 'deny') return;
  for (const line of core.denialText(result, 'yarn').split('\n')) report.reportError(0, line);
  throw new yarn.ReportError(0, 'vouch gate: the install was refused before the fetch step');
}

/** Yarn's resolved packages as vouch's list: npm: references are registry packages; workspaces are the project. */
function packageList(project, structUtils) {
  const list = { manager: 'yarn', packages: [], sources: [] };
  for (const pkg of project.storedPackages.values()) {
    const name = structUtils.stringifyIdent(pkg);
    const ref = pkg.reference;
    if (ref.startsWith('workspace:') || ref.startsWith('virtual:') || ref.startsWith('patch:')) continue; // the project; copies of real packages; patches of packages listed on their own
    const npm = /^npm:([^:]+)(?:::(.*))?$/.exec(ref);
    if (npm) {
      const archive = new URLSearchParams(npm[2] || '').get('__archiveUrl');
      list.packages.push({ name, version: npm[1], ...(archive ? { tarball: archive } : {}) });
    } else {
      const kind = /^(link|portal):/.test(ref) ? 'directory' : /^file:/.test(ref) ? 'file' : /^https?:/.test(ref) && !/\.git(#|$)/.test(ref) ? 'remote' : 'git';
      list.sources.push({ name, kind, spec: ref });
    }
  }
  return list;
}

/** Yarn's registries for vouch (which reads npm's configuration): npmRegistryServer and each npmScopes entry. */
function registryEnv(configuration) {
  const asNpm = (url) => (url.replace(/\/$/, '') === YARN_DEFAULT_REGISTRY ? 'https://registry.npmjs.org/' : url);
  const env = { npm_config_registry: asNpm(configuration.get('npmRegistryServer')) };
  for (const [scope, settings] of configuration.get('npmScopes') || new Map()) {
    const url = settings.get('npmRegistryServer');
    if (url) env[`npm_config_@${scope}:registry`] = asNpm(url);
  }
  return env;
}
