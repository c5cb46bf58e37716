// C2SP tlog-tiles: where a log's hashes and entries live. A tile at level L, index N holds up to 256
// consecutive hashes of tree level 8·L (level 0: leaf hashes); a data tile holds the entries of a level-0
// tile. Paths encode N in groups of three digits, all but the last prefixed with "x"; a partial tile
// (width W < 256) is written `.p/W`.
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 2 ** TILE_HEIGHT;

export function tileIndexPath(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`tile index ${index}`);
  const groups: string[] = [];
  let n = index;
  do {
    groups.unshift(String(n % 1000).padStart(3, '0'));
    n = Math.floor(n / 1000);
  } while (n > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

export function tilePath(level: number, index: number, width = TILE_WIDTH): string {
  return `tile/${level}/${tileIndexPath(index)}${partial(width)}`;
}

export function entriesPath(index: number, width = TILE_WIDTH): string {
  return `tile/entries/${tileIndexPath(index)}${partial(width)}`;
}

function partial(width: number): string {
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) throw new RangeError(`tile width ${width}`);
  return width === TILE_WIDTH ? '' : `.p/${width}`;
}
