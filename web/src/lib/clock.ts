import { createSubscriber } from 'svelte/reactivity';

// Relative times ("5 minutes ago") must age while a page stays open. One timer serves every
// reader, and it only runs while something on screen reads the time.
const tickMs = 30_000;

let now = Date.now();

const subscribe = createSubscriber((update) => {
  now = Date.now();
  const timer = setInterval(() => {
    now = Date.now();
    update();
  }, tickMs);

  return () => clearInterval(timer);
});

export function currentTime(): number {
  subscribe();
  return now;
}
