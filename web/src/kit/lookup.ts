/**
 * Who an exact HUID is, looked up as the person types it (once it has its 8 digits, a moment after
 * the last key), so they confirm the name before anything is sent. Only the latest HUID's answer
 * counts; a 404 is "nobody", anything else an error the person can ignore (the API checks again).
 */
import { useEffect, useState } from 'react';
import { ApiError } from '../api/client.ts';

export type Lookup<T> = { kind: 'idle' } | { kind: 'looking' } | { kind: 'found'; value: T } | { kind: 'none' } | { kind: 'failed' };

const HUID = /^\d{8}$/;

export function useHuidLookup<T>(huid: string, look: (huid: string) => Promise<T>, delayMs = 300): Lookup<T> {
  return useLookup(huid, (h) => HUID.test(h), look, delayMs);
}

/**
 * The same for any text the person types (a name to search for): looked up once `ready` says it is
 * worth asking about, a moment after the last key; only the latest text's answer counts.
 */
export function useLookup<T>(text: string, ready: (text: string) => boolean, look: (text: string) => Promise<T>, delayMs = 300): Lookup<T> {
  const [state, setState] = useState<Lookup<T>>({ kind: 'idle' });
  const wanted = text.trim();
  const isReady = ready(wanted);
  useEffect(() => {
    if (!isReady) {
      setState({ kind: 'idle' });
      return;
    }
    let live = true;
    setState({ kind: 'looking' });
    const timer = setTimeout(() => {
      look(wanted).then(
        (value) => live && setState({ kind: 'found', value }),
        (err: unknown) => live && setState(err instanceof ApiError && err.status === 404 ? { kind: 'none' } : { kind: 'failed' }),
      );
    }, delayMs);
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // `look` and `ready` are the page's, new on every render: the text says what to look up.
  }, [wanted, isReady, delayMs]);
  return state;
}
