/**
 * A write from a form, and what came of it next to that form: the API's problem+json (409 conflict,
 * 412 changed meanwhile, 422 a rule refused it, 400 bad fields) as a message above the form's
 * button and each named field's error next to its field.
 */
import { useCallback, useRef, useState } from 'react';
import { ApiError } from '../api/client.ts';
import { describeError } from '../api.ts';
import { inWords, type FieldWords } from './words.ts';

export interface FormOutcome {
  kind: 'success' | 'error';
  text: string;
  /** The problem's status (error only). */
  status?: number;
  n: number;
}

const TITLES: Record<number, string> = {
  409: 'Not possible now',
  412: 'Changed meanwhile',
  422: 'Refused by the rules',
};

/**
 * The bad fields a problem names, by the whole JSON Pointer of each (`#/billingContact/email` →
 * `billingContact/email`; `#/billingContact` → `billingContact`).
 */
export function problemFields(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(err instanceof ApiError)) return out;
  const add = (key: string, detail: string) => (out[key] = out[key] ? `${out[key]}; ${detail}` : detail);
  for (const e of err.fieldErrors) {
    const tokens = (e.pointer?.replace(/^#\/?/, '') ?? '')
      .split('/')
      .filter(Boolean)
      .map((t) => decodeURIComponent(t).replace(/~1/g, '/').replace(/~0/g, '~'));
    if (!tokens.length) continue;
    add(tokens.join('/'), e.detail);
  }
  return out;
}

/** One form's state: busy, its outcome, and its fields' errors (by body field name), in words about the fields as `words` calls them. */
export function useFormAction(words: Record<string, FieldWords> = {}) {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<FormOutcome>();
  const [fields, setFields] = useState<Record<string, string>>({});
  const n = useRef(0);

  const run = useCallback(async <T,>(write: () => Promise<T>, success: (answer: T) => string | undefined, onError?: (err: unknown) => void): Promise<T | undefined> => {
    setBusy(true);
    setFields({});
    setOutcome(undefined);
    try {
      const answer = await write();
      const text = success(answer);
      if (text) setOutcome({ kind: 'success', text, n: ++n.current });
      return answer;
    } catch (err) {
      const named = problemFields(err);
      setFields(inWords(named, words));
      const status = err instanceof ApiError ? err.status : undefined;
      const text =
        err instanceof ApiError && err.status === 412
          ? 'Someone changed this O2 account while you were looking at it. The page now shows it as it is; check it and try again.'
          : status === 400 && Object.keys(named).length
            ? 'Some fields need your attention: each says what is wrong next to it.'
            : describeError(err);
      setOutcome({ kind: 'error', text, ...(status ? { status } : {}), n: ++n.current });
      onError?.(err);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, [words]);

  /** The person changed a field: its old error goes (the next send says again what is still wrong). */
  const forget = useCallback((field: string) => setFields((f) => (field in f ? Object.fromEntries(Object.entries(f).filter(([k]) => k !== field)) : f)), []);

  /** Refused before anything is sent: these fields (by body field name, with the API's words, e.g. `required`) in words, and the summary. */
  const refuse = useCallback(
    (named: Record<string, string>) => {
      setFields(inWords(named, words));
      setOutcome({ kind: 'error', text: 'Some fields need your attention: each says what is wrong next to it.', n: ++n.current });
    },
    [words],
  );

  return { busy, outcome, fields, run, forget, refuse };
}

/** The outcome of one form, placed in it (errors announced at once, successes politely). */
export function FormOutcomeView({ outcome, id }: { outcome: FormOutcome | undefined; id: string }) {
  return (
    <>
      <div aria-live="polite" role="status" className="form-outcome" id={`${id}-status`}>
        {outcome?.kind === 'success' ? <p className="alert alert-success">{outcome.text}</p> : null}
      </div>
      {outcome?.kind === 'error' ? (
        <div className="alert alert-error" role="alert" key={outcome.n} id={`${id}-error`}>
          {outcome.status && TITLES[outcome.status] ? <p className="alert-title">{TITLES[outcome.status]}</p> : null}
          <p>{outcome.text}</p>
        </div>
      ) : null}
    </>
  );
}
