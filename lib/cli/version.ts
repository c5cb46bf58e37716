// vouch's own version, read from its package.json (the launcher runs from dist/, two levels down).
import { readFileSync } from 'node:fs';

export function vouchVersion(): string {
  const url = new URL('../../../package.json', import.meta.url);
  const pkg: unknown = JSON.parse(readFileSync(url, 'utf8'));
  return typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string'
    ? pkg.version
    : '0.0.0';
}
