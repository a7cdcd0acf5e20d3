import { untrack } from 'svelte';

export type ResourceState<T> =
  { status: 'loading' } | { status: 'error'; error: Error } | { status: 'ready'; data: T };

/**
 * Data a page loads from the API. `load` runs inside an effect, so it runs again when reactive
 * values it reads (a route parameter) change; an answer that arrives after that is dropped.
 * Create it while a component initializes.
 */
export class Resource<T> {
  current = $state<ResourceState<T>>({ status: 'loading' });
  #attempt = $state(0);
  #quiet = false;

  constructor(load: (signal: AbortSignal) => Promise<T>) {
    $effect(() => {
      // Read so that `retry` reruns this effect.
      void this.#attempt;

      const controller = new AbortController();
      const { signal } = controller;
      // A refresh keeps the data on screen until the new answer replaces it. Read untracked:
      // depending on `current` would rerun this effect when the answer lands, loading it twice
      // and unmounting what the page showed (a form's state, a just-created secret).
      const showing = untrack(() => this.current.status === 'ready');
      if (!this.#quiet || !showing) this.current = { status: 'loading' };
      this.#quiet = false;
      load(signal).then(
        (data) => {
          if (!signal.aborted) this.current = { status: 'ready', data };
        },
        (error: unknown) => {
          if (signal.aborted) return;
          this.current = { status: 'error', error: toError(error) };
        },
      );

      return () => controller.abort();
    });
  }

  retry(): void {
    this.#attempt += 1;
  }

  /** Loads again in the background (a live event changed the data); errors still show. */
  refresh(): void {
    this.#quiet = true;
    this.#attempt += 1;
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
