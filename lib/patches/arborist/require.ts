// arborist's internal modules (node.js, inventory.js, its pacote) as the copy of @npmcli/arborist vouch
// runs loads them: the patches change the very classes and functions arborist uses.
import { createRequire } from 'node:module';

export const arboristRequire = createRequire(createRequire(import.meta.url).resolve('@npmcli/arborist'));
