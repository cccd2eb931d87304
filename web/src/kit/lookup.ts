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
  const [state, setState] = useState<Lookup<T>>({ kind: 'idle' });
  const wanted = huid.trim();
  useEffect(() => {
    if (!HUID.test(wanted)) {
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
    // `look` is the page's, new on every render: the HUID says what to look up.
  }, [wanted, delayMs]);
  return state;
}
