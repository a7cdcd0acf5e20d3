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

  constructor(load: (signal: AbortSignal) => Promise<T>) {
    $effect(() => {
      // Read so that `retry` reruns this effect.
      void this.#attempt;

      const controller = new AbortController();
      const { signal } = controller;
      this.current = { status: 'loading' };
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
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
