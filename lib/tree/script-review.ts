// Which install scripts a tree would run, and npm's `strict-allow-scripts` gate over them, decided
// before reify from two views: what arborist sees (the packument or lockfile manifest, whose script
// bodies are what rebuild runs on a fresh install) and what the verified tarball carries (its own
// package.json, which rebuild reads when the lockfile says `hasInstallScript`, and a binding.gyp, for
// which rebuild adds `node-gyp rebuild`). The packument is the registry's unsigned word and a tarball's
// package.json the publisher's: a package either view gives a script is judged as having one.
import { join } from 'node:path';
import type { Node, Tree } from '@npmcli/arborist';
import { getInstallScripts } from '@npmcli/arborist/lib/install-scripts.js';
import { isScriptAllowed } from '@npmcli/arborist/lib/script-allowed.js';
import type { AllowScriptsPolicy } from '../config/allow-scripts.js';
import { VouchError, truncate } from '../errors/index.js';
import type { PackageContents } from '../registry/package-contents.js';
import { registryName } from './targets.js';

/** `event → command`, as npm lists them (preinstall, install, postinstall). */
export type InstallScripts = Record<string, string>;

/** The contents of a node's verified tarball, when vouch read one (registry packages on the install path). */
export type ContentsOf = (node: Node) => PackageContents | undefined;

const EVENTS = ['preinstall', 'install', 'postinstall'] as const;
/** What arborist's install-scripts.js lists for a lockfile `hasInstallScript` it cannot read yet. */
const PRESENCE_SENTINEL = '(install scripts present)';
export const GYP_SCRIPT = 'node-gyp rebuild';

/**
 * The install scripts a verified tarball carries: its own preinstall/install/postinstall, and npm's
 * implicit `node-gyp rebuild` for a binding.gyp when no install or preinstall is defined (in either
 * view: rebuild reads arborist's) and `gypfile: false` does not opt out in both.
 */
export function scriptsInBytes(contents: PackageContents, arboristManifest: Record<string, unknown>): InstallScripts {
  const own = scriptsField(contents.manifest);
  const seen = scriptsField(arboristManifest);
  const scripts: InstallScripts = {};
  for (const event of EVENTS) if (own[event]) scripts[event] = own[event];
  const defined = (s: Record<string, string>) => Boolean(s['install'] || s['preinstall']);
  const optedOut = contents.manifest?.['gypfile'] === false && arboristManifest['gypfile'] === false;
  if (contents.bindingGyp && !optedOut && !(defined(own) && defined(seen))) scripts['install'] ??= GYP_SCRIPT;
  return scripts;
}

/** The scripts of `node` by both views: arborist's, and its verified bytes' (which settle arborist's presence-only marker). */
export async function installScriptsOf(node: Node, contentsOf: ContentsOf): Promise<InstallScripts> {
  const arborist = await getInstallScripts(node);
  const contents = node.isLink ? undefined : contentsOf(node);
  if (!contents) return arborist;
  const merged: InstallScripts = { ...scriptsInBytes(contents, node.package) };
  for (const [event, body] of Object.entries(arborist)) if (body !== PRESENCE_SENTINEL) merged[event] ??= body;
  return merged;
}

/** The nodes whose install scripts npm's allowScripts judges: dependencies, not the project, workspaces, links, bundled or inert nodes. */
function judgedNodes(tree: Tree): Node[] {
  return [...tree.inventory.values()].filter((n) => !n.isProjectRoot && !n.isWorkspace && !n.isLink && !n.inBundle && !n.inert);
}

/**
 * npm's `strict-allow-scripts` preflight, over every script npm could run: install scripts the
 * allowScripts policy does not cover stop the install before anything is written (npm:
 * ESTRICTALLOWSCRIPTS). Without strict mode npm runs unreviewed scripts with a warning, and so does
 * vouch; a package allowScripts denies has none run (arborist's rebuild skips it, gyp included).
 */
export async function verifyScriptsReviewed(tree: Tree, flat: Record<string, unknown>, contentsOf: ContentsOf = () => undefined): Promise<void> {
  if (flat['strictAllowScripts'] !== true || flat['ignoreScripts'] === true || flat['dangerouslyAllowAllScripts'] === true) return;
  const policy = (flat['allowScripts'] ?? null) as AllowScriptsPolicy | null;
  const unreviewed: string[] = [];
  for (const node of judgedNodes(tree)) {
    if (isScriptAllowed(node, policy) !== null) continue;
    const scripts = await installScriptsOf(node, contentsOf);
    if (Object.keys(scripts).length === 0) continue;
    const events = Object.entries(scripts)
      .map(([event, body]) => `${event}: ${truncate(body, 120)}`)
      .join('; ');
    unreviewed.push(`${registryName(node)}@${node.version} (${events})`);
  }
  if (unreviewed.length === 0) return;
  const listed = [...new Set(unreviewed)].sort();
  throw new VouchError(
    'SCRIPTS_UNREVIEWED',
    `strict-allow-scripts: ${listed.length} package(s) have install scripts not covered by allowScripts: ${listed.join(', ')}`,
    { file: join(tree.path, 'package.json'), path: 'allowScripts' },
    'approve or deny them in package.json "allowScripts" (npm install-scripts approve|deny), or turn strict-allow-scripts off',
  );
}

function scriptsField(manifest: Record<string, unknown> | null): Record<string, string> {
  const scripts = manifest?.['scripts'];
  if (typeof scripts !== 'object' || scripts === null || Array.isArray(scripts)) return {};
  const out: Record<string, string> = {};
  for (const event of EVENTS) {
    const body = (scripts as Record<string, unknown>)[event];
    if (typeof body === 'string' ? body.trim() !== '' : Boolean(body)) out[event] = String(body);
  }
  return out;
}
