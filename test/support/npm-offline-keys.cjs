// npm-offline-keys.cjs — lets the real npm CLI run `npm audit signatures` with no internet.
// Origin: copied verbatim (apart from this line) from the project's shared tools folder, /work/shared/tools/npm-offline-keys.cjs, on 2026-11-25;
// tests must not read /work/shared at run time, so the harness preloads this copy.
//
// Preload it into npm:  NODE_OPTIONS="--require <abs path>/npm-offline-keys.cjs" npm audit signatures
//
// npm first asks the Sigstore TUF CDN for registry keys and, offline, aborts with ENOTFOUND before it
// sends a single request to the registry. This preload replaces @sigstore/tuf's initTUF() inside npm's
// own node_modules with a client whose getTarget() throws TUF_FIND_TARGET_ERROR. npm then logs
// "Fetching verification keys using TUF failed. Fetching directly from <registry>" and reads
// GET <registry>/-/npm/v1/keys — what npm does online for every registry other than the public one.
// Everything after that (pacote's signature and expiry checks, output, exit codes) is stock npm.
// Limits: attestation verification inside npm still needs TUF, so use it for registry signatures only;
// for the public registry it would skip the TUF-pinned keys. Only acts inside npm-cli.js.
'use strict';
const path = require('node:path');
const fs = require('node:fs');

const main = process.argv[1] && fs.realpathSync(process.argv[1]);
if (main && /[\\/]npm[\\/]bin[\\/]npm-cli\.js$/.test(main)) {
  const npmRoot = path.resolve(path.dirname(main), '..');
  const tuf = require(require.resolve('@sigstore/tuf', { paths: [npmRoot] }));
  tuf.initTUF = async () => ({
    getTarget: async (target) => {
      throw new tuf.TUFError({ code: 'TUF_FIND_TARGET_ERROR', message: `target ${target} not available offline` });
    },
  });
}
