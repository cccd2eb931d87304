/** Small building blocks shared by the pages: the page frame, alerts, status badges, form fields. */
import { useEffect, useId, useRef, type ReactNode } from 'react';
import type { GuestStatus } from '../api/client.ts';
import { STATUS_LABELS } from '../text.ts';

/**
 * A page: its title in the tab and as the one h1, which takes the focus when the page opens (so a
 * screen reader announces the new page, and Tab goes on from the top of it).
 */
export function Page({ title, children, lead }: { title: string; lead?: ReactNode; children: ReactNode }) {
  const h1 = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} — HMS guest accounts`;
    h1.current?.focus();
  }, [title]);
  return (
    <>
      <h1 ref={h1} tabIndex={-1}>
        {title}
      </h1>
      {lead ? <div className="lead">{lead}</div> : null}
      {children}
    </>
  );
}

/** A message in a live region: `alert` for errors (announced at once), `status` for results. */
export function Alert({ kind, title, children, focus = false }: { kind: 'error' | 'success' | 'info' | 'warning'; title?: string; children: ReactNode; focus?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (focus) ref.current?.focus();
  }, [focus]);
  return (
    <div ref={ref} className={`alert alert-${kind}`} role={kind === 'error' ? 'alert' : 'status'} tabIndex={focus ? -1 : undefined}>
      {title ? <p className="alert-title">{title}</p> : null}
      <div>{children}</div>
    </div>
  );
}

/** The guest's status; `moving`: an approval recorded that the workflow is acting on (the status is about to change). */
export function StatusBadge({ status, moving = false }: { status: GuestStatus; moving?: boolean }) {
  if (moving) return <span className="badge badge-pending-activation">Being set up</span>;
  return <span className={`badge badge-${status.toLowerCase().replace(/_/g, '-')}`}>{STATUS_LABELS[status]}</span>;
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status">
      Loading {what}…
    </p>
  );
}

/**
 * A labelled form field with its hint and its error next to it: the input is described by both
 * (aria-describedby) and marked invalid while the error stands.
 */
export function Field({
  label,
  hint,
  error,
  children,
  id,
}: {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  id: string;
  children: (props: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: true }) => ReactNode;
}) {
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : '', error ? errorId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <div className="hint" id={hintId}>
          {hint}
        </div>
      ) : null}
      <FieldError id={errorId} error={error} />
      {children({ id, ...(describedBy ? { 'aria-describedby': describedBy } : {}), ...(error ? { 'aria-invalid': true as const } : {}) })}
    </div>
  );
}

/** A field's error, next to it (its id describes the field). */
export function FieldError({ id, error }: { id: string; error: string | undefined }) {
  return error ? (
    <p className="field-error" id={id}>
      <span className="visually-hidden">Error: </span>
      {error}
    </p>
  ) : null;
}

/** An id stable for the component's life. */
export function useFieldId(name: string): string {
  return `${name}-${useId().replace(/:/g, '')}`;
}
