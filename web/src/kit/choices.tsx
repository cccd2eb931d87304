/**
 * Form pieces the request forms share: a group of radio buttons or checkboxes with a hint per
 * choice and the group's error (the first choice carries the field's id, so the summary's link to
 * the field lands on it), and the summary of what stopped a submission, each bad field linked.
 */
import type { ReactNode, RefObject } from 'react';
import { FieldError } from './ui.tsx';

export interface Choice<V extends string> {
  value: V;
  label: string;
  description?: ReactNode;
}

export function Choices<V extends string>({
  type,
  name,
  id,
  legend,
  hint,
  error,
  choices,
  isChecked,
  onChange,
  required = type === 'radio',
}: {
  type: 'radio' | 'checkbox';
  name: string;
  /** The field's id: the first choice's. */
  id: string;
  legend: string;
  hint?: string;
  error?: string | undefined;
  choices: readonly Choice<V>[];
  isChecked: (value: V) => boolean;
  onChange: (value: V, checked: boolean) => void;
  /** Marked required to assistive technology (a radio group by default). */
  required?: boolean;
}) {
  const errorId = `${id}-error`;
  return (
    <fieldset className={`field${error ? ' field-invalid' : ''}`} aria-describedby={error ? errorId : undefined}>
      <legend>{legend}</legend>
      {hint ? <p className="hint">{hint}</p> : null}
      <FieldError id={errorId} error={error} />
      {choices.map((c, i) => {
        const choiceId = i === 0 ? id : `${id}-${c.value}`;
        const hintId = c.description ? `${name}-${c.value}-hint` : undefined;
        return (
          <div className="choice" key={c.value}>
            <input
              type={type}
              name={name}
              id={choiceId}
              value={c.value}
              checked={isChecked(c.value)}
              onChange={(e) => onChange(c.value, e.target.checked)}
              aria-describedby={hintId}
              required={required}
            />
            <label htmlFor={choiceId}>{c.label}</label>
            {c.description ? (
              <p className="hint" id={hintId}>
                {c.description}
              </p>
            ) : null}
          </div>
        );
      })}
    </fieldset>
  );
}

/** What stopped a submission: the message, then each bad field as a link to it. Takes the focus (`summary`) so it is read at once. */
export function ProblemSummary({
  title,
  problem,
  fields,
  summary,
}: {
  title: string;
  problem: { message: string; n: number } | undefined;
  /** The bad fields, in the form's order: their ids, labels and errors. */
  fields: { id: string; label: string; error: string }[];
  summary: RefObject<HTMLDivElement | null>;
}) {
  if (!problem) return null;
  return (
    <div ref={summary} tabIndex={-1} className="alert alert-error" role="alert" key={problem.n}>
      <p className="alert-title">{title}</p>
      <p>{problem.message}</p>
      {fields.length ? (
        <ul>
          {fields.map((f) => (
            <li key={f.id}>
              <a href={`#${f.id}`}>
                {f.label}: {f.error}
              </a>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
