// Read by vite-plugin-svelte, svelte-check and eslint-plugin-svelte alike.
/** @type {import('svelte/compiler').CompileOptions} */
const compilerOptions = { runes: true };

export default { compilerOptions };
