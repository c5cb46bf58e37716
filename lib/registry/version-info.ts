// What the registry's full manifest of a version says about its install scripts and publish time: shown
// by `vouch diff` for review. Unsigned registry data, never a verdict's evidence; a failure is "unknown".
import { getJson, type HttpOptions } from './http.js';
import { PACKUMENT_MAX_BYTES, packumentPath } from './packument.js';

const INSTALL_EVENTS = ['preinstall', 'install', 'postinstall'] as const;

export interface RegistryVersionInfo {
  /** preinstall / install / postinstall as the manifest lists them. */
  scripts: Record<string, string>;
  /** packument `time[version]`, or null. */
  publishedAt: Date | null;
}

/** The manifest's install scripts and publish time of name@version, or null when the registry cannot say. */
export async function fetchVersionInfo(name: string, version: string, registry: string, http: HttpOptions): Promise<RegistryVersionInfo | null> {
  try {
    const doc = await getJson(new URL(packumentPath(name), registry).href, http, { maxBytes: PACKUMENT_MAX_BYTES, accept: 'application/json' });
    const versions = field(doc, 'versions');
    const manifest = field(versions, version);
    if (manifest === undefined) return null;
    const scripts: Record<string, string> = {};
    const listed = field(manifest, 'scripts');
    for (const event of INSTALL_EVENTS) {
      const body = field(listed, event);
      if (typeof body === 'string') scripts[event] = body;
    }
    const time = field(field(doc, 'time'), version);
    const publishedAt = typeof time === 'string' && !Number.isNaN(Date.parse(time)) ? new Date(time) : null;
    return { scripts, publishedAt };
  } catch {
    return null;
  }
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, key)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}
