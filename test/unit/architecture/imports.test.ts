// Stage boundaries (STYLE.md rule 1, issue 19 item 1): a folder directly under lib/ is a stage; other stages
// reach it through its index.ts, and no two stages import runtime values from each other (the flow goes one
// way). Type-only imports are erased at build time, so they may point both ways.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const libDir = join(root, 'lib');

/** Imports of a stage's internals that are deliberate, each with its reason. Keys are `from -> to` (lib-relative). */
const PAST_INDEX_EXCEPTIONS: Record<string, string> = {
  // Runtime admission runs inside every `node --import vouch/admit` process; the signed-summary check is
  // loaded only when VOUCH_ADMIT_SUMMARY asks for it, without attest's signing side (start-up time).
  'admit/process-check.ts -> attest/check-summary.ts': 'admit start-up: the summary check alone, loaded on demand',
  // The public API's declaration output must not drag arborist's types in: kinds.ts is a dependency-free leaf.
  'api/index.ts -> tree/lockfiles/kinds.ts': 'declaration leaf: lockfile kinds without arborist types',
  // lib/installed runs inside every admitted process: code-point order without lib/files' JSON and schema parsers.
  'installed/file-manifest.ts -> files/order.ts': 'admit start-up: the order alone, not the JSON parsers',
  'api/verify-project.ts -> tree/lockfiles/kinds.ts': 'declaration leaf: lockfile kinds without arborist types',
  // lib/patches (docs/patches.md): each patch is loaded by the one module that needs it, so a command loads only
  // the libraries' internals it uses; an index would require every library's internals (arborist, pacote,
  // @sigstore/core) at once. patches/index.ts carries only the notes of patches that stepped aside.
  'registry/http.ts -> patches/npm-registry-fetch/option-keys.ts': 'a patch, loaded where it is used',
  'tree/install-plan.ts -> patches/arborist/require.ts': 'a patch, loaded where it is used',
  'tree/load.ts -> patches/arborist/bundler-fast-path.ts': 'a patch, loaded where it is used',
  'tree/load.ts -> patches/arborist/named-edge-reload.ts': 'a patch, loaded where it is used',
  'tree/reify-boundary.ts -> patches/pacote/extract-limit.ts': 'a patch, loaded where it is used',
  'tree/reify-boundary.ts -> patches/pacote/hooks.ts': 'a patch, loaded where it is used',
  'tree/shrinkwrap-inflation.ts -> patches/arborist/require.ts': 'a patch, loaded where it is used',
  'tree/source-guard.ts -> patches/pacote/hooks.ts': 'a patch, loaded where it is used',
  'verify/attestation-verifier.ts -> patches/sigstore-core/asn1-fast-paths.ts': 'a patch, loaded where it is used',
};

interface ImportEdge {
  /** lib-relative posix path of the importing file */
  from: string;
  /** lib-relative posix path of the imported file (.ts) */
  to: string;
  typeOnly: boolean;
}

function libFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return libFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

function libRelative(path: string): string {
  return relative(libDir, path).split(sep).join(posix.sep);
}

// TypeScript 7 ships no JavaScript compiler API, so imports are read with patterns. Biome formats every
// static import and re-export from column 0, ending in `from '…'`; comments and indented code cannot match.
const STATIC_IMPORT = /^(import|export)\s+(type\s+)?([^;]*?)\s*from\s*'([^']+)';?/gm;
const SIDE_EFFECT_IMPORT = /^import\s+'([^']+)';?/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*'([^']+)'\s*\)/g;

/** True when the clause of an import or re-export names types only (erased from the emitted JavaScript). */
function isTypeOnlyClause(clause: string): boolean {
  const named = /^\{([^}]*)\}$/s.exec(clause.trim());
  if (!named) return false; // a default import, `* as x` or `*` brings runtime values
  const specifiers = (named[1] ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  return specifiers.length > 0 && specifiers.every((part) => part.startsWith('type '));
}

/** Every relative import in one file: static imports, re-exports, side-effect imports and `import('literal')`. */
function importsOf(file: string): { specifier: string; typeOnly: boolean }[] {
  const text = readFileSync(file, 'utf8');
  const found = [
    ...[...text.matchAll(STATIC_IMPORT)].map(([, , type, clause = '', specifier = '']) => ({
      specifier,
      typeOnly: type !== undefined || isTypeOnlyClause(clause),
    })),
    ...[...text.matchAll(SIDE_EFFECT_IMPORT)].map(([, specifier = '']) => ({ specifier, typeOnly: false })),
    ...[...text.matchAll(DYNAMIC_IMPORT)].map(([, specifier = '']) => ({ specifier, typeOnly: false })),
  ];
  return found.filter((entry) => entry.specifier.startsWith('.'));
}

function libEdges(): ImportEdge[] {
  return libFiles(libDir).flatMap((file) =>
    importsOf(file).map(({ specifier, typeOnly }) => ({
      from: libRelative(file),
      to: libRelative(resolve(dirname(file), specifier.replace(/\.js$/, '.ts'))),
      typeOnly,
    })),
  );
}

/** The stage a lib-relative path belongs to: its first folder (`lib/types` holds declarations, not a stage). */
function stageOf(path: string): string | undefined {
  const [first, ...rest] = path.split('/');
  return rest.length > 0 && first !== 'types' && first !== '..' ? first : undefined;
}

function crossStage(edges: ImportEdge[]): (ImportEdge & { fromStage: string; toStage: string })[] {
  return edges.flatMap((edge) => {
    const fromStage = stageOf(edge.from);
    const toStage = stageOf(edge.to);
    return fromStage && toStage && fromStage !== toStage ? [{ ...edge, fromStage, toStage }] : [];
  });
}

/** Pairs of stages that import runtime values from each other, with one import each way as evidence. */
function twoWayStagePairs(edges: ImportEdge[]): string[] {
  const runtime = new Map<string, ImportEdge>();
  for (const edge of crossStage(edges)) {
    if (!edge.typeOnly && !runtime.has(`${edge.fromStage} -> ${edge.toStage}`)) runtime.set(`${edge.fromStage} -> ${edge.toStage}`, edge);
  }
  const pairs: string[] = [];
  for (const [key, edge] of runtime) {
    const [a, b] = key.split(' -> ') as [string, string];
    const back = runtime.get(`${b} -> ${a}`);
    if (a < b && back) pairs.push(`${a} <-> ${b}: ${edge.from} -> ${edge.to}; ${back.from} -> ${back.to}`);
  }
  return pairs.sort();
}

/** Imports from another stage that reach past its index.ts, not listed in PAST_INDEX_EXCEPTIONS. */
function importsPastIndex(edges: ImportEdge[], exceptions: Record<string, string> = PAST_INDEX_EXCEPTIONS): string[] {
  return (
    crossStage(edges)
      .filter((edge) => edge.to !== `${edge.toStage}/index.ts`)
      // A type-only import may name the module that defines the type: it is erased from the JavaScript, so it
      // couples nothing at run time, and the declarations vouch ships (dist/lib/**/*.d.ts, read by the Node API's
      // users) then name only what they need. Through an index they would drag every type of that stage, arborist's
      // and cacache's among them, which ship none (test/registry/api-consumer.test.ts type-checks a strict consumer).
      .filter((edge) => !edge.typeOnly)
      .map((edge) => `${edge.from} -> ${edge.to}`)
      .filter((key) => !(key in exceptions))
      .sort()
  );
}

describe('stage boundaries in lib/', () => {
  const edges = libEdges();

  it('finds the imports it checks (static, re-export, dynamic, type-only)', () => {
    expect(edges.length).toBeGreaterThan(200);
    expect(edges.some((edge) => edge.typeOnly)).toBe(true);
    expect(edges.some((edge) => edge.from === 'cli/commands/index.ts' && !edge.typeOnly && edge.to === 'cli/commands/install.ts')).toBe(true);
  });

  it('has no pair of stages importing runtime values from each other', () => {
    expect(twoWayStagePairs(edges)).toEqual([]);
  });

  it('imports another stage only through its index.ts', () => {
    expect(importsPastIndex(edges)).toEqual([]);
  });

  it('lists no exception that no longer happens', () => {
    const happening = new Set(crossStage(edges).map((edge) => `${edge.from} -> ${edge.to}`));
    expect(Object.keys(PAST_INDEX_EXCEPTIONS).filter((key) => !happening.has(key))).toEqual([]);
  });

  it('would fail on a new two-way dependency or an import past an index.ts', () => {
    const planted: ImportEdge[] = [
      { from: 'lock/parse.ts', to: 'policy/index.ts', typeOnly: false },
      { from: 'policy/evaluate.ts', to: 'lock/index.ts', typeOnly: false },
      { from: 'sign/pack.ts', to: 'verify/signatures.ts', typeOnly: false },
      { from: 'sign/pack.ts', to: 'verify/types.ts', typeOnly: true }, // a type from where it is defined: fine
    ];
    expect(twoWayStagePairs(planted)).toEqual(['lock <-> policy: lock/parse.ts -> policy/index.ts; policy/evaluate.ts -> lock/index.ts']);
    expect(importsPastIndex(planted)).toEqual(['sign/pack.ts -> verify/signatures.ts']);
    const [lockToPolicy, policyToLock] = planted as [ImportEdge, ImportEdge, ImportEdge];
    expect(twoWayStagePairs([{ ...lockToPolicy, typeOnly: true }, policyToLock])).toEqual([]);
  });
});
