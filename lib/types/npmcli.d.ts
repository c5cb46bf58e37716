// Minimal declarations for the npm libraries that ship no types, covering only what vouch uses.

declare module '@npmcli/config' {
  interface ConfigOptions {
    definitions: unknown;
    shorthands: unknown;
    flatten: unknown;
    npmPath: string;
    argv: string[];
    cwd: string;
    env: NodeJS.ProcessEnv;
    excludeNpmCwd?: boolean;
  }
  export default class Config {
    constructor(options: ConfigOptions);
    load(): Promise<void>;
    readonly flat: Record<string, unknown>;
    readonly localPrefix: string;
    /** `where`: one layer (cli, env, project, user, global, builtin, default) instead of the merged value. */
    get(key: string, where?: string): unknown;
  }
}

declare module '@npmcli/config/lib/definitions/index.js' {
  const definitions: { definitions: unknown; shorthands: unknown; flatten: unknown };
  export default definitions;
}

declare module '@npmcli/arborist' {
  export interface Edge {
    name: string;
    spec: string;
    type: string;
    from: Node | null;
    to: Node | null;
    valid: boolean;
    error: string | null;
  }
  export interface Node {
    name: string;
    packageName: string;
    version: string;
    location: string;
    path: string;
    resolved: string | null;
    integrity: string | null;
    isLink: boolean;
    isRoot: boolean;
    isProjectRoot: boolean;
    isWorkspace: boolean;
    inBundle: boolean;
    inDepBundle: boolean;
    dev: boolean;
    optional: boolean;
    devOptional: boolean;
    peer: boolean;
    extraneous: boolean;
    hasInstallScript: boolean;
    package: Record<string, unknown>;
    target: Node;
    linksIn: Set<Node>;
    edgesIn: Set<Edge>;
    edgesOut: Map<string, Edge>;
    children: Map<string, Node>;
    fsChildren: Set<Node>;
    realpath: string;
    root: Tree;
    parent: Node | null;
    /** Omitted (--omit) or an optional package this platform cannot install: reify skips it. */
    inert: boolean;
    /** The package ships an npm-shrinkwrap.json that defines its dependency branch (read at reify). */
    hasShrinkwrap: boolean;
    shouldOmit(omit: Set<string>): boolean;
  }
  export interface Tree extends Node {
    inventory: Map<string, Node> & { values(): IterableIterator<Node> };
    /** Workspace name → folder, from the root package.json. */
    workspaces?: Map<string, string> | null;
    meta?: { loadedFromDisk: boolean; originalLockfileVersion?: number };
  }
  export interface BuildIdealTreeOptions {
    add?: string[];
    rm?: string[];
    update?: boolean | { all?: boolean; names?: string[] };
    saveType?: string;
  }
  export interface ReifyOptions extends BuildIdealTreeOptions {
    save?: boolean;
    omit?: string[];
  }
  export default class Arborist {
    constructor(options: Record<string, unknown>);
    static Node: new (
      options: Record<string, unknown>,
    ) => Node;
    readonly options: Record<string, unknown>;
    idealTree: Tree | null;
    actualTree: Tree | null;
    virtualTree: Tree | null;
    loadVirtual(options?: Record<string, unknown>): Promise<Tree>;
    loadActual(options?: Record<string, unknown>): Promise<Tree>;
    buildIdealTree(options?: BuildIdealTreeOptions): Promise<Tree>;
    reify(options?: ReifyOptions): Promise<Tree>;
    rebuild(options?: { nodes?: Node[]; handleOptionalFailure?: boolean }): Promise<void>;
  }
}

declare module '@npmcli/arborist/lib/unreviewed-scripts.js' {
  import type { Node, Tree } from '@npmcli/arborist';
  /** npm 11: dependency nodes with install scripts the allowScripts policy neither allows nor denies. */
  export function collectUnreviewedScripts(options: {
    tree: Tree;
    policy: Record<string, boolean> | null;
    ignoreScripts?: boolean;
    dangerouslyAllowAllScripts?: boolean;
  }): Promise<{ node: Node; scripts: Record<string, string> }[]>;
}

declare module '@npmcli/arborist/lib/script-allowed.js' {
  import type { Node } from '@npmcli/arborist';
  /** npm 11's allowScripts match for one node: true allowed, false denied, null unreviewed (registry identity from `resolved`). */
  export function isScriptAllowed(node: Node, policy: Record<string, boolean> | null): boolean | null;
}

declare module '@npmcli/arborist/lib/install-scripts.js' {
  import type { Node } from '@npmcli/arborist';
  /** The install scripts arborist sees for a node (its package, binding.gyp at node.path, the lockfile's hasInstallScript). */
  export function getInstallScripts(node: Node): Promise<Record<string, string>>;
}

declare module 'cacache' {
  /** A content-addressed store: content by integrity (verified on every read), index entries by key. */
  interface CacacheStream extends NodeJS.ReadableStream {}
  interface PutStream extends NodeJS.WritableStream {
    on(event: 'integrity', fn: (integrity: unknown) => void): this;
    on(event: string, fn: (...args: unknown[]) => void): this;
  }
  export const get: {
    hasContent(cache: string, integrity: string): Promise<false | { sri: unknown; size: number }>;
    stream: { byDigest(cache: string, integrity: string, opts?: Record<string, unknown>): CacacheStream };
    /** The content with that integrity, re-hashed on read (EINTEGRITY when it does not match). */
    byDigest(cache: string, integrity: string): Promise<Buffer>;
  };
  export const put: {
    stream(cache: string, key: string, opts?: { integrity?: string; algorithms?: string[]; size?: number }): PutStream;
  };
  export const rm: { content(cache: string, integrity: string): Promise<unknown> };
  const cacache: { get: typeof get; put: typeof put; rm: typeof rm };
  export default cacache;
}

declare module '@npmcli/map-workspaces' {
  /** name → absolute folder of each workspace `pkg.workspaces` declares under `cwd`. */
  export default function mapWorkspaces(options: { cwd: string; pkg: Record<string, unknown> }): Promise<Map<string, string>>;
}
