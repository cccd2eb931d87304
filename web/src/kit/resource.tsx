/**
 * One way for every page to load what it shows (a guest, an O2 account, a list), show why it could
 * not, and follow the workflow for a few seconds after an action: the latest read wins, a 404 is
 * "not found" (the API answers so for what the person may not see), anything else an error with
 * "Try again".
 */
import { useCallback, useEffect, useRef, useState, type DependencyList, type ReactNode } from 'react';
import { ApiError } from '../api/client.ts';
import { describeError } from '../api.ts';
import { navState } from '../router.tsx';
import { Alert, Loading, Page } from './ui.tsx';

export type Resource<T> = { kind: 'loading' } | { kind: 'missing' } | { kind: 'error'; message: string } | { kind: 'ready'; value: T };

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ResourceHandle<T> {
  state: Resource<T>;
  /** Reads it again; answers what was read (undefined when it failed or a later read overtook it). */
  reload(): Promise<T | undefined>;
  /** Reads it again from the start (loading): "Try again" after an error, or the same list asked for again. */
  retry(): void;
  /** Shows a change at once (an action's answer), before the next read. */
  update(change: (value: T) => T): void;
  /** After an action: reads again, and again each second (ten at most) until `settled` says the workflow's next steps have landed. */
  followUp(settled: (value: T) => boolean): Promise<T | undefined>;
}

/**
 * `settled`: whether what was read is where the workflow leaves it (a person's turn, or time's).
 * A page opened while the workflow is still moving (right after a person's own request, say) reads
 * again each second until it is, so it never shows a state the API has already left.
 */
export function useResource<T>(read: () => Promise<T>, deps: DependencyList, opts: { settled?: (value: T) => boolean } = {}): ResourceHandle<T> {
  const [state, setState] = useState<Resource<T>>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const current = useRef(0);
  // `read` is the caller's, new on every render: `deps` says when it reads something else.
  const readNow = useCallback(read, deps);

  const reload = useCallback(async (): Promise<T | undefined> => {
    const n = ++current.current;
    try {
      const value = await readNow();
      if (n === current.current) setState({ kind: 'ready', value });
      return value;
    } catch (err) {
      if (n !== current.current) return undefined;
      setState(err instanceof ApiError && err.status === 404 ? { kind: 'missing' } : { kind: 'error', message: describeError(err) });
      return undefined;
    }
  }, [readNow]);

  const followUp = useCallback(
    async (settled: (value: T) => boolean) => {
      let latest = await reload();
      for (let i = 0; i < 10 && latest !== undefined && !settled(latest); i++) {
        await wait(1000);
        latest = await reload();
      }
      return latest;
    },
    [reload],
  );

  const settledRef = useRef(opts.settled);
  settledRef.current = opts.settled;
  // Something else to read (or "Try again"): loading until it is there, then followed until it settles.
  useEffect(() => {
    setState({ kind: 'loading' });
    void reload().then(async (value) => {
      const settled = settledRef.current;
      if (value !== undefined && settled && !settled(value)) await followUp(settled);
    });
  }, [reload, attempt, followUp]);

  return {
    state,
    reload,
    retry: () => setAttempt((n) => n + 1),
    update: (change) => setState((s) => (s.kind === 'ready' ? { kind: 'ready', value: change(s.value) } : s)),
    followUp,
  };
}

/** Why it could not be read, with "Try again". */
export function LoadError<T>({ resource, what }: { resource: ResourceHandle<T>; what: string }) {
  if (resource.state.kind !== 'error') return null;
  return (
    <Alert kind="error" title={`We could not load ${what}`}>
      <p>{resource.state.message}</p>
      <p>
        <button type="button" onClick={resource.retry}>
          Try again
        </button>{' '}
        If it keeps failing, contact HMS IT.
      </p>
    </Alert>
  );
}

/** A part of a page that shows a resource: loading, the error with "Try again", or the resource. */
export function ResourceBlock<T>({ resource, what, children }: { resource: ResourceHandle<T>; what: string; children: (value: T) => ReactNode }) {
  const { state } = resource;
  if (state.kind === 'loading') return <Loading what={what} />;
  if (state.kind === 'ready') return <>{children(state.value)}</>;
  return <LoadError resource={resource} what={what} />;
}

/** What a page shows until its resource is there: loading, not found (with where to go), or the error with "Try again". */
export function ResourcePage<T>({
  resource,
  what,
  title,
  notFound,
  children,
}: {
  resource: ResourceHandle<T>;
  /** "the guest", "the O2 account": what is loading. */
  what: string;
  /** The page's title while it cannot show the resource. */
  title: string;
  /** What the person is told when it is not there (or not theirs to see); a list is always there. */
  notFound?: { title: string; body: ReactNode };
  children: (value: T) => ReactNode;
}) {
  const { state } = resource;
  if (state.kind === 'loading') return <Loading what={what} />;
  if (state.kind === 'missing') return <Page title={notFound?.title ?? `${title}: not found`}>{notFound?.body ?? <p>There is nothing at this address that you may see.</p>}</Page>;
  if (state.kind === 'error') {
    return (
      <Page title={title}>
        <LoadError resource={resource} what={what} />
      </Page>
    );
  }
  return <>{children(state.value)}</>;
}

/**
 * "What you can do": the box holding the actions the person may take now (only those), with what
 * the last one did said above them all (a live region), as the form it came from may no longer be
 * offered.
 */
export function ActionsBox({ id, outcome, children }: { id: string; outcome?: string | undefined; children: ReactNode }) {
  return (
    <section className="actions" aria-labelledby={id}>
      <h2 id={id}>What you can do</h2>
      <div aria-live="polite" role="status" className="outcome">
        {outcome ? <p className="alert alert-success">{outcome}</p> : null}
      </div>
      {children}
    </section>
  );
}

/**
 * The message the previous page left ("Requested…"), read once when the page opens. `once`: the
 * resource moves on, so a reload must not repeat it (the history entry's message is cleared).
 */
export function useFlash({ once = false }: { once?: boolean } = {}): string | undefined {
  const [flash] = useState(() => {
    const message = navState().flash;
    if (message && once) history.replaceState(null, '');
    return message;
  });
  return flash;
}

/** The previous page's message, as a success. */
export function Flash({ message }: { message: string | undefined }) {
  return message ? (
    <Alert kind="success">
      <p>{message}</p>
    </Alert>
  ) : null;
}
