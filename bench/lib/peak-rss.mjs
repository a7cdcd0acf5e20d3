// Preloaded into the agent by bench/agent.ts: reports the process's peak resident memory on exit.
process.on('exit', () => {
  process.stderr.write(`\nbench-peak-rss-kib=${process.resourceUsage().maxRSS}\n`);
});
