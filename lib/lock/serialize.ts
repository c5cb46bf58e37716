// The one canonical text of a vouch.lock: packages by name (code-point order), versions by semver
// newest first, fields in a fixed order (identity before evidence), empty fields left out, two-space
// JSON with a final newline. Each version is one line, and newest-first puts the usual change (a newer
// version) at the top of its block, where JSON needs no comma moved: a one-line diff.
import { withoutCredentials } from '../config/index.js';
import { compareStrings, compareVersions } from '../files/index.js';
import type { Lock, LockApproval, LockIdentity, LockPackage, LockRegistry, LockRegistryApproval, LockRegistryKey, LockVersion } from './types.js';
import { IDENTITY_FIELDS } from '../policy/index.js';

// Ordered entries instead of objects: JS objects put integer-like keys ("123", a valid package name) first.
type Node = string | number | { entries: [string, Node][]; inline?: boolean } | { items: Node[]; inline?: boolean };

const VERSION_FIELDS = ['integrity', 'registryKey', 'attested', 'identity', 'evidence'] as const;
const KEY_FIELDS = ['key', 'expires', 'revoked'] as const;
const APPROVAL_FIELDS = ['approvedBy', 'approvedAt', 'reason', 'versions'] as const;

export function serializeLock(lock: Lock): string {
  const names = Object.keys(lock.packages).sort(compareStrings);
  const registries = Object.keys(lock.registries ?? {}).sort(compareStrings);
  const root: Node = {
    entries: [
      ['lockVersion', 1],
      ...(registries.length > 0
        ? [
            [
              'registries',
              { entries: registries.map((url): [string, Node] => [withoutCredentials(url), registryNode(lock.registries?.[url] as LockRegistry)]) },
            ] as [string, Node],
          ]
        : []),
      ['packages', { entries: names.map((name): [string, Node] => [name, packageNode(lock.packages[name] as LockPackage)]) }],
    ],
  };
  return `${print(root, '')}\n`;
}

/** A registry's keys by key id, one key per line; its approvals oldest first. */
function registryNode(registry: LockRegistry): Node {
  const keyids = Object.keys(registry.keys).sort(compareStrings);
  const entries: [string, Node][] = [['keys', { entries: keyids.map((id): [string, Node] => [id, keyNode(registry.keys[id] as LockRegistryKey)]) }]];
  const approvals = [...(registry.approvals ?? [])].sort((a, b) => Date.parse(a.approvedAt) - Date.parse(b.approvedAt));
  if (approvals.length > 0) entries.push(['approvals', { items: approvals.map(registryApprovalNode) }]);
  const { log } = registry;
  if (log)
    entries.push([
      'log',
      {
        entries: [
          ['key', log.key],
          ['size', log.size],
          ['root', log.root],
        ],
        inline: true,
      },
    ]);
  return { entries };
}

function keyNode(k: LockRegistryKey): Node {
  return { entries: KEY_FIELDS.flatMap((f): [string, Node][] => (k[f] !== undefined ? [[f, k[f]]] : [])), inline: true };
}

function registryApprovalNode(a: LockRegistryApproval): Node {
  const entries = APPROVAL_FIELDS.flatMap((f): [string, Node][] => (f !== 'versions' && a[f] !== undefined ? [[f, a[f]]] : []));
  entries.push(['from', { items: [...a.from].sort(compareStrings), inline: true }], ['to', { items: [...a.to].sort(compareStrings), inline: true }]);
  return { entries };
}

function packageNode(pkg: LockPackage): Node {
  const entries: [string, Node][] = [];
  const identity = identityNode(pkg.identity, false);
  if (identity) entries.push(['identity', identity]);
  const approvals = [...(pkg.approvals ?? [])].sort((a, b) => Date.parse(a.approvedAt) - Date.parse(b.approvedAt));
  if (approvals.length > 0) entries.push(['approvals', { items: approvals.map(approvalNode) }]);
  const versions = Object.keys(pkg.versions).sort((a, b) => compareVersions(b, a));
  entries.push(['versions', { entries: versions.map((v): [string, Node] => [v, versionNode(pkg.versions[v] as LockVersion)]) }]);
  return { entries };
}

function identityNode(identity: LockIdentity | undefined, inline: boolean): Node | null {
  const entries = IDENTITY_FIELDS.flatMap((f): [string, Node][] => (identity?.[f] !== undefined ? [[f, identity[f]]] : []));
  return entries.length > 0 ? { entries, inline } : null;
}

function versionNode(v: LockVersion): Node {
  return { entries: VERSION_FIELDS.flatMap((f): [string, Node][] => (v[f] !== undefined ? [[f, v[f]]] : [])), inline: true };
}

function approvalNode(a: LockApproval): Node {
  const entries = APPROVAL_FIELDS.flatMap((f): [string, Node][] => (a[f] !== undefined ? [[f, a[f]]] : []));
  const from = identityNode(a.from, true);
  const to = identityNode(a.to, true);
  if (from) entries.push(['from', from]);
  if (to) entries.push(['to', to]);
  if (a.forgot && a.forgot.length > 0) entries.push(['forgot', { items: [...a.forgot].sort(compareVersions), inline: true }]);
  return { entries };
}

function print(node: Node, indent: string): string {
  if (typeof node === 'string' || typeof node === 'number') return JSON.stringify(node);
  const inner = `${indent}  `;
  if ('items' in node) {
    if (node.items.length === 0) return '[]';
    if (node.inline) return `[${node.items.map((n) => print(n, '')).join(', ')}]`;
    return `[\n${node.items.map((n) => `${inner}${print(n, inner)}`).join(',\n')}\n${indent}]`;
  }
  if (node.entries.length === 0) return '{}';
  if (node.inline) return `{ ${node.entries.map(([k, v]) => `${JSON.stringify(k)}: ${print(v, '')}`).join(', ')} }`;
  return `{\n${node.entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${print(v, inner)}`).join(',\n')}\n${indent}}`;
}
