// Folders npm and npx put in front of PATH for the process they start: npx's package cache
// (`~/.npm/_npx/<hash>/node_modules/.bin`, which npm may empty at any time), node-gyp's shim
// folder, and one `node_modules/.bin` per folder up from where `npm exec` ran. A schedule
// installed from such a process would carry them, duplicated, into every job.
const NPM_INTERNAL = [
  /[\\/]_npx[\\/]/,
  /[\\/]node-gyp-bin[\\/]?$/,
  /(^|[\\/])node_modules[\\/]\.bin[\\/]?$/,
];

/**
 * The PATH a scheduled job gets: the installing shell's, without npm's own folders, each folder
 * once, in the order the shell searched them.
 */
export function schedulePath(value: string, delimiter: string): string {
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const folder of value.split(delimiter)) {
    if (folder === '' || seen.has(folder)) continue;
    seen.add(folder);
    if (!NPM_INTERNAL.some((pattern) => pattern.test(folder))) kept.push(folder);
  }
  return kept.join(delimiter);
}
