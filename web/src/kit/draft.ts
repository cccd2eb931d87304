/**
 * What a person types into a form, kept for the browser tab's session (sessionStorage) until the
 * form is sent: a page that fails, a reload or a sign-in round trip gives it back. Only what the
 * person typed, only in their own tab.
 */
import { useCallback, useState } from 'react';

const PREFIX = 'hms-draft:';

function read<T>(key: string, initial: T): T {
  try {
    const raw = sessionStorage.getItem(PREFIX + key);
    return raw === null ? initial : (JSON.parse(raw) as T);
  } catch {
    return initial;
  }
}

/** A field's state, kept under `form` + `field` for the tab's session. */
export function useDraft<T>(form: string, field: string, initial: T): [T, (value: T | ((previous: T) => T)) => void] {
  const key = `${form}:${field}`;
  const [value, setValue] = useState<T>(() => read(key, initial));
  const set = useCallback(
    (next: T | ((previous: T) => T)) =>
      setValue((previous) => {
        const v = typeof next === 'function' ? (next as (p: T) => T)(previous) : next;
        try {
          sessionStorage.setItem(PREFIX + key, JSON.stringify(v));
        } catch {
          // Storage full or refused: the field still works, only not kept.
        }
        return v;
      }),
    [key],
  );
  return [value, set];
}

/** The form was sent: what was kept for it goes (every form's, without one: signing out). */
export function clearDraft(form?: string): void {
  try {
    for (const k of Object.keys(sessionStorage)) if (k.startsWith(form ? `${PREFIX}${form}:` : PREFIX)) sessionStorage.removeItem(k);
  } catch {
    // nothing kept
  }
}
