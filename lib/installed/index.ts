// What is installed on disk, read as it is (no registry, no policy): the node_modules tree digest.
export { treeDigestOf, TREE_DIGEST_FOLDER, type TreeDigest } from './tree-digest.js';
