// vouch's own version, from its package.json.
import { readFileSync } from 'node:fs';
import { packagePath } from '../config/index.js';

export function vouchVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(packagePath('package.json'), 'utf8'));
  return typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}
