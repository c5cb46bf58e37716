// vouch's gate as pnpm hooks (.pnpmfile.cjs: `module.exports = require('vouch/pnpmfile')`). Two hooks, both
// before pnpm links anything into node_modules:
//   preResolution     on every install, frozen ones included: the lockfile pnpm starts from (what a
//                     frozen or up-to-date install installs);
//   afterAllResolved  when pnpm resolved: the new lockfile, before it is written or linked.
// A deny or a vouch failure throws, and pnpm stops with vouch's findings.
'use strict';
const { runVouchGate, denialText } = require('./vouch-gate.cjs');

let allowed = null; // the list preResolution allowed: afterAllResolved need not judge it twice

/** pnpm's in-memory lockfile (v9) as vouch's package list: registry packages with integrity, other sources apart. */
function packageList(lockfile) {
  const packages = [];
  const sources = [];
  for (const [depPath, pkg] of Object.entries(lockfile.packages || {})) {
    const key = depPath.replace(/\(.*$/, ''); // peer suffixes: foo@1.0.0(react@18.2.0)
    const at = key.lastIndexOf('@');
    const name = pkg.name || key.slice(0, at);
    const version = pkg.version || key.slice(at + 1);
    const res = pkg.resolution || {};
    if (res.type === 'directory') sources.push({ name, kind: 'directory', spec: res.directory });
    else if (res.type === 'git') sources.push({ name, kind: 'git', spec: `${res.repo}#${res.commit}` });
    else if (res.type) sources.push({ name, kind: 'remote', spec: `${res.type}:${key}` });
    else if (typeof res.tarball === 'string' && res.tarball.startsWith('file:')) sources.push({ name, kind: 'file', spec: res.tarball });
    else if (!/^\d+\.\d+\.\d+(?:[-+].*)?$/.test(version)) sources.push({ name, kind: 'remote', spec: res.tarball || key });
    else
      packages.push({
        name,
        version,
        ...(res.integrity ? { integrity: res.integrity } : {}),
        ...(res.tarball ? { tarball: res.tarball } : {}),
        ...(pkg.optional ? { optional: true } : {}),
      });
  }
  return { manager: 'pnpm', packages, sources };
}

async function gate(lockfile, cwd) {
  const list = packageList(lockfile);
  const key = JSON.stringify(list);
  if (key === allowed) return;
  const result = await runVouchGate(list, { cwd });
  if (result.decision === 'deny') {
    throw Object.assign(new Error(denialText(result, 'pnpm')), { code: 'ERR_PNPM_VOUCH_DENIED' });
  }
  allowed = key;
}

module.exports = {
  hooks: {
    async preResolution(ctx) {
      if (ctx.existsNonEmptyWantedLockfile) await gate(ctx.wantedLockfile, ctx.lockfileDir);
    },
    async afterAllResolved(lockfile) {
      await gate(lockfile, process.cwd());
      return lockfile;
    },
  },
  packageList,
};
