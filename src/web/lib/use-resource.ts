// Load something from the API for a component: data, error and loading, a reload, and no state
// update after the component left (the request is aborted). `deps` are compared by value.
import { useCallback, useEffect, useRef, useState } from "react";

export interface Resource<T> {
  readonly data: T | undefined;
  readonly error: unknown;
  readonly loading: boolean;
  /** Load again; resolves when done (the data stays on screen meanwhile). */
  reload(): Promise<void>;
}

export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): Resource<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const loader = useRef(load);
  loader.current = load;
  const current = useRef<AbortController | null>(null);
  const run = useCallback(async () => {
    current.current?.abort();
    const controller = new AbortController();
    current.current = controller;
    setState((s) => ({ ...s, loading: true }));
    try {
      const data = await loader.current(controller.signal);
      if (!controller.signal.aborted) setState({ data, error: undefined, loading: false });
    } catch (error) {
      if (!controller.signal.aborted) setState((s) => ({ data: s.data, error, loading: false }));
    }
  }, []);
  const key = JSON.stringify(deps);
  useEffect(() => {
    // A change of `key` (the deps) starts a fresh load; the previous one is aborted.
    void run().then(() => key);
    return () => current.current?.abort();
  }, [run, key]);
  return { ...state, reload: run };
}
