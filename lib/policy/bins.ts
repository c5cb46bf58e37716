// Commands packages link into `.bin` folders: a name two packages link into the same folder
// (BIN_COLLISION: the project's `npm run` gets whichever npm linked, e.g. an attacker's `tsc`), or a name
// of the toolchain (BIN_TOOLCHAIN: `node`, `npm`, `npx`, `corepack`, which every script and install script
// would then run from the package instead). Each finding names both packages or the name shadowed.
import type { BinLink } from '../tree/types.js';
import { finding, label, type Severity } from './findings.js';
import type { BinMode, Policy } from './policy.js';
import type { Finding } from './report.js';

/** Names that shadow the toolchain (compared case-insensitively, without a Windows extension). */
const TOOLCHAIN: ReadonlySet<string> = new Set(['corepack', 'node', 'npm', 'npx']);

/** How a name resolves on a case-insensitive disk or through PATHEXT: `Node.CMD` is `node`. */
export const commandKey = (name: string): string => name.toLowerCase().replace(/\.(exe|cmd|bat|ps1)$/, '');

/** Bin findings by package folder (lockfile location), for the verdict of the package installed there. */
export function binFindings(bins: readonly BinLink[], policy: Policy): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  const push = (location: string, f: Finding) => out.set(location, [...(out.get(location) ?? []), f]);
  const collision = severityOf(policy.defaults.binCollisions);
  const toolchain = severityOf(policy.defaults.toolchainBins);
  const rule = (setting: string) => `${policy.defaultsPath}.${setting}`;

  if (toolchain) {
    for (const b of bins) {
      if (!TOOLCHAIN.has(commandKey(b.name))) continue;
      push(
        b.location,
        finding(
          'BIN_TOOLCHAIN',
          toolchain,
          `${who(b)} links ${b.dir}/${b.name}: npm puts that folder first on PATH, so \`npm run\` scripts and install scripts would run this package's "${b.name}" instead of the real ${commandKey(b.name)}`,
          rule('toolchainBins'),
          hint(b),
        ),
      );
    }
  }
  if (collision) {
    const byCommand = new Map<string, BinLink[]>();
    for (const b of bins) {
      const key = `${b.dir}\0${commandKey(b.name)}`;
      byCommand.set(key, [...(byCommand.get(key) ?? []), b]);
    }
    for (const group of byCommand.values()) {
      const folders = new Set(group.map((b) => b.location));
      if (folders.size < 2) continue;
      for (const b of group) {
        const others = group.filter((o) => o.location !== b.location).map((o) => `${who(o)} ("${o.name}")`);
        push(
          b.location,
          finding(
            'BIN_COLLISION',
            collision,
            `${who(b)} links ${b.dir}/${b.name}, and so does ${others.join(', ')}: only one of them gets the name, and the project's scripts run whichever it is`,
            rule('binCollisions'),
            hint(b),
          ),
        );
      }
    }
  }
  return out;
}

const who = (b: BinLink): string => `${label(b.pkg, b.version)} (${b.location})`;

const hint = (b: BinLink): string =>
  `check which package should provide "${b.name}"; if this one is expected to, record an exception: vouch approve ${label(b.pkg, b.version)} --reason "…"`;

function severityOf(mode: BinMode): Severity | null {
  return mode === 'off' ? null : mode;
}
