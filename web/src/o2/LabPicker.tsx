/**
 * For a lab member asking for an O2 account (issue 20): the lab, found by its name or its PI's name
 * as the person types (`GET /v1/lab-search`), or by the PI's exact HUID (`GET /v1/pis/{huid}`), then
 * picked from a list that says each lab's PI by name. No lab ID to type, no HUID to know.
 */
import { useEffect, useState } from 'react';
import { confirmPi, findLabs, type LabCard } from '../api/o2.ts';
import { api } from '../api.ts';
import { Choices } from '../kit/choices.tsx';
import { useLookup } from '../kit/lookup.ts';
import { Field } from '../kit/ui.tsx';

const HUID = /^\d{8}$/;
/** Worth asking about: a PI's HUID, or a word of two letters or more. */
const ready = (text: string) => HUID.test(text) || /[\p{L}\p{N}]{2}/u.test(text);

/** The labs for what was typed: a search by words, or the PI's labs by their HUID. */
async function labsFor(text: string): Promise<LabCard[]> {
  if (!HUID.test(text)) return findLabs(api(), text);
  const pi = await confirmPi(api(), text);
  return pi.labs.map((l) => ({ labId: l.labId, name: l.name, piHuid: pi.huid, piName: pi.name }));
}

export function LabPicker({
  chosen,
  onChoose,
  errors,
}: {
  chosen: LabCard | undefined;
  onChoose: (lab: LabCard | undefined) => void;
  errors: { piHuid?: string | undefined; labId?: string | undefined };
}) {
  const [text, setText] = useState('');
  const found = useLookup(text, ready, labsFor);
  const labs = found.kind === 'found' ? found.value : [];
  // The one lab found is taken; a lab no longer in the list is let go (a chosen lab stays while the list is looked up again).
  useEffect(() => {
    if (found.kind !== 'found') return;
    if (labs.length === 1 && chosen?.labId !== labs[0]!.labId) onChoose(labs[0]);
    else if (chosen && !labs.some((l) => l.labId === chosen.labId)) onChoose(undefined);
  }, [found, labs, chosen, onChoose]);

  return (
    <>
      <Field
        id="o2-lab-search"
        label="Lab"
        hint="Type your lab's name or your PI's name (or your PI's 8-digit HUID), then pick the lab. Your PI approves the request."
        error={errors.piHuid ?? (labs.length ? undefined : errors.labId)}
      >
        {(p) => <input {...p} type="search" autoComplete="off" spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} />}
      </Field>
      <div className="lookup" aria-live="polite" role="status">
        {found.kind === 'looking' ? <p className="hint">Looking for labs…</p> : null}
        {found.kind === 'found' && !labs.length ? (
          <p className="lookup-warning">
            {HUID.test(text.trim())
              ? 'This PI has recorded no lab yet: ask them to record it on their My O2 page.'
              : 'No lab has a name, or a PI, beginning so. Try another word, or ask your PI how the lab is recorded.'}
          </p>
        ) : null}
        {found.kind === 'none' ? <p className="lookup-warning">No PI has this HUID. Check it with your PI.</p> : null}
        {found.kind === 'failed' ? <p className="lookup-warning">The labs could not be looked up just now; try again in a moment.</p> : null}
      </div>
      {labs.length ? (
        <Choices
          type="radio"
          name="o2-lab"
          id="o2-lab"
          legend={labs.length === 1 ? 'The lab found' : `Pick the lab (${labs.length} found)`}
          error={errors.labId}
          choices={labs.map((l) => ({ value: l.labId, label: l.name, description: `PI: ${l.piName}` }))}
          isChecked={(labId) => chosen?.labId === labId}
          onChange={(labId) => onChoose(labs.find((l) => l.labId === labId))}
        />
      ) : null}
    </>
  );
}
