// `npm run demo`: a signing registry on loopback (Verdaccio + the vouch plugin) with four packages —
// one with provenance from a private Sigstore deployment, one plainly signed, one whose stored tarball
// was swapped after it was signed, one published a moment ago — then vouch refusing the tampered one and
// the new one and installing the rest. Exit 0 when every step behaved as shown, 1 otherwise.
// Release age: vouch's built-in policy denies a version younger than a day (minReleaseAge). The demo
// runs the built-in policy as a new user gets it, so its registry dates the packages as a real registry's
// are, 30 days back (the test harness does that for every publish: test/support/registry-storage.ts), and
// says so; demo-fresh keeps the time it was really published at.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createPrivateSigstore } from '../fixtures/scripts/private-sigstore.js';
import { packagePath } from '../lib/config/package-root.js';
import { packTarball } from '../test/support/npm.js';
import { writePackage } from '../test/support/packages.js';
import { githubIdentity, publishWithProvenance } from '../test/support/provenance.js';
import { PUBLISHED_DAYS_AGO } from '../test/support/registry-storage.js';
import { startRegistry, type TestRegistry } from '../test/support/registry.js';

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

async function main(): Promise<number> {
  step('Starting a signing registry (vouch registry: Verdaccio + the vouch plugin) on 127.0.0.1');
  const registry = await startRegistry();
  try {
    say(`registry ${registry.url}, signing key ${registry.keyid}`);
    const trustedRoot = await setUpPackages(registry);
    const app = await registry.tempDir('app');
    const env = await registry.npmEnv(join(app, '..', 'npm-state-app'));
    await writeFile(join(app, 'package.json'), `${JSON.stringify({ name: 'demo-app', version: '1.0.0', private: true }, null, 2)}\n`);
    const vouch = (args: string[]) => run(['node', packagePath('bin', 'vouch.js'), ...args, '--trusted-root', trustedRoot], app, env);

    step('vouch install demo-signed @demo/built demo-tampered   (the tampered tarball must be refused)');
    const denied = vouch(['install', 'demo-signed', '@demo/built', 'demo-tampered']);
    const untouched = !existsSync(join(app, 'node_modules')) && !existsSync(join(app, 'package-lock.json'));
    say(`exit ${denied}; node_modules and package-lock.json ${untouched ? 'were not created' : 'WERE WRITTEN'}`);

    step("vouch install demo-fresh   (published seconds ago: younger than the built-in policy's 1-day minReleaseAge)");
    const tooNew = vouch(['install', 'demo-fresh']);
    const stillUntouched = !existsSync(join(app, 'node_modules')) && !existsSync(join(app, 'package-lock.json'));
    say(`exit ${tooNew}; node_modules and package-lock.json ${stillUntouched ? 'were not created' : 'WERE WRITTEN'}`);

    step("vouch install demo-signed @demo/built   (signed, and built by acme/widget's release workflow)");
    const installed = vouch(['install', 'demo-signed', '@demo/built']);
    step('vouch.lock: the identity pinned on first use');
    say(await readFile(join(app, 'vouch.lock'), 'utf8'));

    step('vouch verify   (the CI gate over package-lock.json)');
    const verified = vouch(['verify']);
    step('vouch explain @demo/built');
    vouch(['explain', '@demo/built']);

    const ok = denied === 1 && untouched && tooNew === 1 && stillUntouched && installed === 0 && verified === 0;
    step(
      ok
        ? 'Demo complete: the tampered package and the one published seconds ago were refused before anything was written; the rest verified and installed.'
        : 'Demo FAILED: see the output above.',
    );
    return ok ? 0 : 1;
  } finally {
    await registry.stop();
  }
}

/** Publishes the four packages; returns the private trusted root file for --trusted-root. */
async function setUpPackages(registry: TestRegistry): Promise<string> {
  const work = await registry.tempDir('packages');
  const sigstore = await createPrivateSigstore();
  const trustedRoot = join(work, 'private-trusted-root.json');
  await writeFile(trustedRoot, sigstore.trustedRootJSON);

  say(`This registry was started a moment ago, but vouch's built-in policy only installs versions at least a day old
(minReleaseAge; most hijacked releases are caught and pulled within hours). So the demo dates its packages as a
real registry's would be dated, ${PUBLISHED_DAYS_AGO} days back: the registry's publish time, and the transparency-log time
of the provenance bundle. demo-fresh alone keeps the time it was really published at.`);

  step('Publishing demo-signed@1.0.0 (plain npm publish: the registry signs it)');
  await registry.publish(await writePackage(work, { name: 'demo-signed', version: '1.0.0' }));

  step('Publishing @demo/built@1.0.0 with a provenance bundle from a private Sigstore deployment (acme/widget, release.yml)');
  await publishWithProvenance(registry, await writePackage(work, { name: '@demo/built', version: '1.0.0' }), sigstore, githubIdentity('acme/widget'));

  step("Publishing demo-tampered@1.0.0, then swapping its tarball in the registry's storage");
  await registry.publish(await writePackage(work, { name: 'demo-tampered', version: '1.0.0' }));
  const evil = await packTarball(await writePackage(join(work, 'evil'), { name: 'demo-tampered', version: '1.0.0', files: { 'payload.js': 'steal()' } }));
  await writeFile(join(registry.storage, 'demo-tampered', 'demo-tampered-1.0.0.tgz'), evil);

  step('Publishing demo-fresh@1.0.0, dated now');
  await registry.publish(await writePackage(work, { name: 'demo-fresh', version: '1.0.0' }), undefined, { fresh: true });
  return trustedRoot;
}

function run(argv: string[], cwd: string, env: NodeJS.ProcessEnv): number {
  process.stdout.write(
    `\n$ vouch ${argv
      .slice(2)
      .filter((a, i, all) => a !== '--trusted-root' && all[i - 1] !== '--trusted-root')
      .join(' ')}\n`,
  );
  const [cmd, ...args] = argv;
  return spawnSync(cmd ?? 'node', args, { cwd, env, stdio: 'inherit' }).status ?? 1;
}

function step(text: string): void {
  process.stdout.write(`\n${bold(`▶ ${text}`)}\n`);
}

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

process.exitCode = await main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return 1;
});
