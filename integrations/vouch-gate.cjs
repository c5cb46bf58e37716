// vouch's gate for other package managers (pnpm, Yarn, Bun): runs `vouch verify --packages - --format json`
// as a child process in the project, with the list the manager is about to install on stdin, and reads
// back the decision. Plain CommonJS with no dependencies: it runs inside the manager's own process.
'use strict';
const { spawn } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

/** Output past this is not a report vouch writes for one install (a hostile or broken child). */
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

/**
 * Where vouch's launcher is: VOUCH_BIN, else the vouch package this file belongs to, else the project's
 * node_modules/vouch. Throws when there is none: a gate that cannot run must stop the install.
 */
function locateVouch(cwd, env = process.env) {
  if (env.VOUCH_BIN) return env.VOUCH_BIN;
  for (const root of [dirname(__dirname), join(cwd, 'node_modules', 'vouch')]) {
    const bin = join(root, 'bin', 'vouch.js');
    if (existsSync(bin) && packageName(root) === 'vouch') return bin;
  }
  throw new Error(
    `vouch gate: vouch is not installed where the gate can find it (not in ${join(cwd, 'node_modules', 'vouch')}); set VOUCH_BIN to its bin/vouch.js, e.g. of a global install: $(npm root -g)/vouch/bin/vouch.js`,
  );
}

function packageName(root) {
  try {
    return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).name;
  } catch {
    return undefined;
  }
}

/**
 * Judges `list` ({manager, packages, sources?}) in `cwd`. Resolves to {decision, denied, warned, report}
 * when vouch decided (exit 0 or 1); rejects when it could not (bad input or config: 2, registry: 3, a crash).
 * `env`: extra environment for vouch (e.g. npm_config_registry from the manager's own configuration).
 */
function runVouchGate(list, { cwd, env = {}, node } = {}) {
  const childEnv = { ...process.env, ...env };
  const bin = locateVouch(cwd, childEnv);
  const exe = childEnv.VOUCH_NODE || node || process.execPath;
  return new Promise((resolve, reject) => {
    const child = spawn(exe, [bin, 'verify', '--packages', '-', '--format', 'json'], { cwd, env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    const out = collect(child.stdout, () => child.kill('SIGKILL'));
    const err = collect(child.stderr, () => child.kill('SIGKILL'));
    child.on('error', (e) => reject(new Error(`vouch gate: could not run ${exe} ${bin}: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (code !== 0 && code !== 1) {
        reject(new Error(`vouch gate: vouch could not decide (exit ${code ?? signal}); nothing was installed\n${err().trim()}`));
        return;
      }
      let report;
      try {
        report = JSON.parse(out());
      } catch {
        reject(new Error(`vouch gate: vouch exited ${code} without a JSON report\n${err().trim()}`));
        return;
      }
      resolve(summarize(report));
    });
    child.stdin.on('error', () => undefined); // vouch may exit before reading all of a bad list
    child.stdin.end(JSON.stringify(list));
  });
}

function collect(stream, tooMuch) {
  const chunks = [];
  let size = 0;
  stream.on('data', (chunk) => {
    size += chunk.length;
    if (size > MAX_OUTPUT_BYTES) return tooMuch();
    chunks.push(chunk);
  });
  return () => Buffer.concat(chunks).toString('utf8');
}

/** The report's verdicts per package: denied and warned entries, each with its findings. */
function summarize(report) {
  const entries = [
    ...(report.registries || []).map((r) => ({ name: `registry ${r.url}`, version: null, decision: r.decision, findings: r.findings || [] })),
    ...(report.packages || []).map((p) => ({ name: p.name, version: p.version, decision: p.decision, findings: p.findings || [] })),
    ...(report.sources || []).map((s) => ({ name: s.name, version: null, spec: s.spec, decision: s.decision, findings: s.findings || [] })),
  ];
  const denied = entries.filter((e) => e.decision === 'deny');
  const warned = entries.filter((e) => e.decision === 'warn');
  return { decision: report.decision, denied, warned, report };
}

/** One line per finding of the given severity: `CODE: message`. */
function findingLines(entry, severity) {
  return entry.findings.filter((f) => f.severity === severity).map((f) => `${f.code}: ${f.message}`);
}

const label = (entry) => (entry.version ? `${entry.name}@${entry.version}` : entry.spec ? `${entry.name} (${entry.spec})` : entry.name);

/** The text a manager prints when vouch denies: every denied package with its findings and hints. */
function denialText(result, manager) {
  const lines = [
    `vouch denied ${result.denied.length === 1 ? '1 package' : `${result.denied.length} packages`} ${manager} was about to install; nothing was installed:`,
  ];
  for (const entry of result.denied) {
    lines.push(`  ${label(entry)}`);
    for (const f of entry.findings.filter((x) => x.severity === 'deny')) {
      lines.push(`    ${f.code}: ${f.message}`);
      if (f.hint) lines.push(`      fix: ${f.hint}`);
    }
  }
  lines.push('Run `vouch verify --packages` with the same list, or see docs/package-managers.md, for the whole report.');
  return lines.join('\n');
}

module.exports = { locateVouch, runVouchGate, denialText, findingLines, label };
