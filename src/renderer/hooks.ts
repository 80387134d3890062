// State and action hooks shared by the screens.

import { createContext, useCallback, useContext, useEffect, useState } from 'react';
import type { AppApiClient, AppState } from '../shared/api.js';
import { ApiError, errorMessage } from './api/client.js';
import { OFFLINE } from './api/web-client.js';

export const ApiContext = createContext<AppApiClient | undefined>(undefined);

export function useApi(): AppApiClient {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside <ApiContext.Provider>');
  return api;
}

/**
 * The latest published AppState, or undefined until the first one arrives; `error` when the first
 * one could not be had, `offline` when that is because the app is not running.
 */
export function useAppState(api: AppApiClient): { state?: AppState; error?: string; offline: boolean } {
  const [state, setState] = useState<AppState>();
  const [error, setError] = useState<{ message: string; offline: boolean }>();
  useEffect(() => {
    let live = true;
    const unsubscribe = api.subscribe((next) => {
      setError(undefined);
      setState(next);
    });
    api.getState().then(
      (first) => live && setState((current) => current ?? first),
      (e: unknown) => live && setError({ message: errorMessage(e), offline: e instanceof ApiError && e.code === OFFLINE }),
    );
    return () => {
      live = false;
      unsubscribe();
    };
  }, [api]);
  return { state, error: error?.message, offline: error?.offline ?? false };
}

export interface Action {
  /** Runs `work`, tracking busy state and keeping its error to show beside the control. */
  run(work: () => Promise<unknown>): Promise<void>;
  busy: boolean;
  error?: string;
  clear(): void;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = useCallback(async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }, []);
  const clear = useCallback(() => setError(undefined), []);
  return { run, busy, error, clear };
}
