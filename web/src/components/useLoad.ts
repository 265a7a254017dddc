/**
 * Loads data for a page: aborts the request when the inputs change or the page goes away, keeps the last answer and
 * the API error of a failed load, and reloads on demand. Errors that are not the API's (a bug) are rethrown.
 */
import {
  useCallback,
  useEffect,
  useState,
  type DependencyList,
  type Dispatch,
  type SetStateAction,
} from 'react';
import { isApiError, type ApiError } from '../api';

export interface Loaded<T> {
  /** The last answer (null until the first one). */
  data: T | null;
  /** Replaces the data with what a write answered, without reloading. */
  setData: Dispatch<SetStateAction<T | null>>;
  error: ApiError | null;
  reload: () => void;
}

/** Runs `load` whenever `deps` change (and on `reload()`); see the module comment. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [count, setCount] = useState(0);
  const reload = useCallback(() => setCount((n) => n + 1), []);

  useEffect(() => {
    const ac = new AbortController();
    setError(null);
    load(ac.signal)
      .then((d) => {
        if (!ac.signal.aborted) setData(d);
      })
      .catch((e: unknown) => {
        if (isApiError(e) && !ac.signal.aborted) setError(e);
      });
    return () => ac.abort();
    // `load` is a new closure each render; the caller's deps say when it means something else.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, count]);

  return { data, setData, error, reload };
}
