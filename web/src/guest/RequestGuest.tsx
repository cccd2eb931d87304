/**
 * Request a guest account (the HMS Guest User Request Form). Who may not request sees why before
 * filling anything in (GET /v1/me): a Wyss Institute requester the Wyss route, an ineligible
 * sponsor the reason. Field errors of the API's problem+json (errors[].pointer) are shown next to
 * their fields, and listed at the top.
 */
import { useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, confirmHsr, idempotencyKey, requestGuest, type Guest, type GuestRequest, type Population, type Service } from '../api/client.ts';
import { api, describeError, fieldErrors } from '../api.ts';
import { today as businessToday } from '../clock.ts';
import { Choices, ProblemSummary } from '../kit/choices.tsx';
import { clearDraft, useDraft } from '../kit/draft.ts';
import { useHuidLookup } from '../kit/lookup.ts';
import { inWords, type FieldWords } from '../kit/words.ts';
import { HsrConfirm } from './HsrConfirm.tsx';
import { Alert, Field, Page } from '../kit/ui.tsx';
import { navigate } from '../router.tsx';
import { compareDates, termBounds, typedDate } from './rules.ts';
import { useSession } from '../session.tsx';
import { formatDate, POPULATIONS, SERVICES, WYSS_CONTACT } from '../text.ts';

const DEFAULT_SERVICES: Service[] = ['email', 'wireless', 'portal'];
const FIELDS = ['sponsorHuid', 'population', 'guestHuid', 'startDate', 'endDate', 'services', 'contractorId', 'justification'] as const;
type FieldName = (typeof FIELDS)[number];
const FIELD_LABELS: Record<FieldName, string> = {
  sponsorHuid: 'Sponsor',
  population: 'Guest population',
  guestHuid: "Guest's HUID",
  startDate: 'Start date',
  endDate: 'End date',
  services: 'Services',
  contractorId: 'HU contractor ID',
  justification: 'Justification',
};
/** Each field as the form calls it, for its errors (kit/words.ts). */
const FIELD_WORDS: Record<FieldName, FieldWords> = {
  sponsorHuid: { what: 'the sponsor', kind: 'choice' },
  population: { what: "the guest's population", kind: 'choice' },
  guestHuid: { what: "the guest's HUID", kind: 'huid' },
  startDate: { what: 'the start date', kind: 'date' },
  endDate: { what: 'the end date', kind: 'date' },
  services: { what: 'the services', kind: 'choice' },
  contractorId: { what: 'the HU contractor ID' },
  justification: { what: 'the justification' },
};
const fieldId = (f: FieldName) => `request-${f}`;
/** What is typed into the form is kept for the tab's session until it is sent (kit/draft.ts). */
const DRAFT = 'request-guest';

function Refused({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Page title="Request a guest account">
      <Alert kind="warning" title={title}>
        {children}
      </Alert>
    </Page>
  );
}

type Sponsor = { huid: string; label: string };

export function RequestGuest() {
  const { me } = useSession();
  const sponsors = useMemo<Sponsor[]>(
    () => [
      ...(me.sponsorEligibility.eligible ? [{ huid: me.huid, label: `Myself, ${me.name ?? me.huid} (${me.huid})` }] : []),
      ...me.delegateOf.filter((s) => s.eligible).map((s) => ({ huid: s.huid, label: `${s.name ?? s.huid} (${s.huid})` })),
    ],
    [me],
  );
  if (me.sponsorEligibility.reason === 'wyss') {
    return (
      <Refused title="Wyss Institute requests go through Wyss HR and Academic Affairs">
        <p>
          Wyss Institute staff members and affiliates cannot request HMS guest accounts here. Email Wyss HR and Academic Affairs at{' '}
          <a href={`mailto:${WYSS_CONTACT}`}>{WYSS_CONTACT}</a> with the guest's details.
        </p>
      </Refused>
    );
  }
  if (sponsors.length === 0) {
    return (
      <Refused title="You may not request guest accounts">
        <p>{me.sponsorEligibility.detail ?? 'You are not an eligible sponsor.'}</p>
        <p>
          Sponsors are active Harvard Medical School or HSDM faculty or staff with a valid Harvard ID. Ask one of them to sponsor your guest, or to name you as their
          delegate.
          {me.delegateOf.length ? ` The sponsors who named you (${me.delegateOf.map((s) => s.name ?? s.huid).join(', ')}) may not sponsor now either.` : ''}
        </p>
      </Refused>
    );
  }
  return (
    <Page
      title="Request a guest account"
      lead={
        <p>
          For a visitor who is not an HMS or HSDM employee. A Harvard Sponsored Role (HSR) is required first; the account lasts up to one year and can be extended.
          Guest accounts never have access to the Digital Library.
        </p>
      }
    >
      <RequestForm sponsors={sponsors} me={me.huid} />
    </Page>
  );
}

/** What the person was told after submitting: where the request is now. */
function submittedText(guest: Guest): string {
  if (guest.status === 'PENDING_HSR') return 'Request submitted. No active Harvard Sponsored Role covers the end date yet: it is checked daily for 14 days.';
  return guest.submittedBy === guest.sponsorHuid
    ? 'Request submitted and approved by you: the account is being set up, and the guest will get the email "Activate your HMS account".'
    : 'Request submitted. The sponsor has been asked to approve it.';
}

/** The submission: one idempotency key per attempt (a new one after a refusal), the fields' errors by name, the rest in the summary. */
function useSubmit() {
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [problem, setProblem] = useState<{ message: string; n: number }>();
  const [busy, setBusy] = useState(false);
  const key = useRef(idempotencyKey());
  const summary = useRef<HTMLDivElement>(null);
  const submit = async (body: GuestRequest) => {
    setBusy(true);
    setProblem(undefined);
    try {
      const { guest } = await requestGuest(api(), body, key.current);
      clearDraft(DRAFT);
      navigate(`/guests/${guest.guestId}`, { state: { flash: submittedText(guest) } });
    } catch (err) {
      key.current = idempotencyKey();
      const known: Partial<Record<FieldName, string>> = {};
      const other: string[] = [];
      for (const [f, msg] of Object.entries(fieldErrors(err))) {
        if ((FIELDS as readonly string[]).includes(f)) known[f as FieldName] = inWords({ [f]: msg }, FIELD_WORDS)[f];
        else other.push(inWords({ [f]: msg })[f]!);
      }
      setErrors(known);
      const described = err instanceof ApiError && err.status === 400 && Object.keys(known).length ? 'Some fields need your attention.' : describeError(err);
      setProblem((p) => ({ message: [described, ...other].join(' '), n: (p?.n ?? 0) + 1 }));
      requestAnimationFrame(() => summary.current?.focus());
    } finally {
      setBusy(false);
    }
  };
  /** Refused before sending: the fields a person left out, said at once. */
  const refuse = (missing: Partial<Record<FieldName, string>>) => {
    setErrors(missing);
    setProblem((p) => ({ message: 'Some fields need your attention.', n: (p?.n ?? 0) + 1 }));
    requestAnimationFrame(() => summary.current?.focus());
  };
  return { errors, problem, busy, summary, submit, refuse };
}

/** What a person left out of the request form (the API checks the rest, and this again). */
function missingFields(form: { population: string; guestHuid: string; endDate: string; contractorId: string; contractor: boolean }): Partial<Record<FieldName, string>> {
  const out: Partial<Record<FieldName, string>> = {};
  if (!form.population) out.population = "Choose the guest's population.";
  if (!form.guestHuid.trim()) out.guestHuid = "Enter the guest's HUID: the 8-digit Harvard ID that came with their Harvard Sponsored Role.";
  if (!form.endDate) out.endDate = 'Enter the end date: month, day and a four-digit year.';
  if (form.contractor && !form.contractorId.trim()) out.contractorId = 'Enter the HU contractor ID.';
  return out;
}

function RequestForm({ sponsors, me }: { sponsors: Sponsor[]; me: string }) {
  const today = businessToday();
  const [sponsorHuid, setSponsorHuid] = useDraft(DRAFT, 'sponsorHuid', sponsors[0]?.huid ?? '');
  const [population, setPopulation] = useDraft<Population | ''>(DRAFT, 'population', '');
  const [guestHuid, setGuestHuid] = useDraft(DRAFT, 'guestHuid', '');
  const [startDate, setStartDate] = useDraft(DRAFT, 'startDate', today);
  const [endDate, setEndDate] = useDraft(DRAFT, 'endDate', '');
  const [services, setServices] = useDraft<Service[]>(DRAFT, 'services', DEFAULT_SERVICES);
  const [contractorId, setContractorId] = useDraft(DRAFT, 'contractorId', '');
  const [justification, setJustification] = useDraft(DRAFT, 'justification', '');
  const { errors, problem, busy, summary, submit, refuse } = useSubmit();
  // A sponsor kept from an earlier visit who is no longer offered is not sent.
  const sponsor = sponsors.some((s) => s.huid === sponsorHuid) ? sponsorHuid : (sponsors[0]?.huid ?? '');

  // From what is typed only when it is a date a rule can work with (a five-digit year is not).
  const start = typedDate(startDate);
  const bounds = termBounds(start && compareDates(start, today) >= 0 ? start : today);
  const contractor = population === 'harvard-contractor';
  // Whose HSR the HUID is, to confirm before sending; its end bounds the end date.
  const hsr = useHuidLookup(guestHuid, (huid) => confirmHsr(api(), huid));
  const hsrEnd = hsr.kind === 'found' && hsr.value.active ? hsr.value.endDate : undefined;
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const missing = missingFields({ population, guestHuid, endDate, contractorId, contractor });
    if (Object.keys(missing).length) return refuse(missing);
    void submit({
      guestHuid: guestHuid.trim(),
      population: population as Population,
      endDate,
      ...(startDate ? { startDate } : {}),
      ...(sponsor !== me ? { sponsorHuid: sponsor } : {}),
      services,
      ...(contractor ? { contractorId: contractorId.trim() } : {}),
      ...(justification.trim() ? { justification: justification.trim() } : {}),
    });
  };

  return (
    <>
      <ProblemSummary title="The request was not submitted" problem={problem} summary={summary} fields={FIELDS.flatMap((f) => (errors[f] ? [{ id: fieldId(f), label: FIELD_LABELS[f], error: errors[f] }] : []))} />
      <form className="form" onSubmit={onSubmit} noValidate>
        {sponsors.length > 1 ? (
          <Field id={fieldId('sponsorHuid')} label="Sponsor" hint="Yourself, or a sponsor who named you their delegate: that sponsor approves the request. Your own requests are approved when you submit them." error={errors.sponsorHuid}>
            {(p) => (
              <select {...p} name="sponsorHuid" value={sponsor} onChange={(e) => setSponsorHuid(e.target.value)}>
                {sponsors.map((s) => (
                  <option key={s.huid} value={s.huid}>
                    {s.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
        ) : (
          <p>
            Sponsor: <strong>{sponsors[0]!.label}</strong>
          </p>
        )}
        <Choices type="radio" name="population" id={fieldId('population')} legend="Guest population" error={errors.population} choices={POPULATIONS} isChecked={(v) => population === v} onChange={(v) => setPopulation(v)} />
        {contractor ? (
          <Field id={fieldId('contractorId')} label="HU contractor ID" hint="Harvard contractors and consultants have a HU contractor ID (letters, digits or dashes)." error={errors.contractorId}>
            {(p) => <input {...p} name="contractorId" type="text" required autoComplete="off" value={contractorId} onChange={(e) => setContractorId(e.target.value)} />}
          </Field>
        ) : null}
        <Field id={fieldId('guestHuid')} label="Guest's HUID" hint="The 8-digit Harvard ID the guest received with their Harvard Sponsored Role." error={errors.guestHuid}>
          {(p) => <input {...p} name="guestHuid" type="text" inputMode="numeric" autoComplete="off" required value={guestHuid} onChange={(e) => setGuestHuid(e.target.value)} />}
        </Field>
        <HsrConfirm lookup={hsr} />
        <div className="field-row">
          <Field id={fieldId('startDate')} label="Start date" hint={`Today (${formatDate(today)}) or later.`} error={errors.startDate}>
            {(p) => <input {...p} name="startDate" type="date" min={today} value={startDate} onChange={(e) => setStartDate(e.target.value)} />}
          </Field>
          <Field id={fieldId('endDate')} label="End date" hint={`At most one year after the start: ${formatDate(bounds.max)} at the latest${hsrEnd ? `, and not after the guest's HSR ends (${formatDate(hsrEnd)})` : ''}.`} error={errors.endDate}>
            {(p) => <input {...p} name="endDate" type="date" required min={bounds.min} max={bounds.max} value={endDate} onChange={(e) => setEndDate(e.target.value)} />}
          </Field>
        </div>
        <Choices
          type="checkbox"
          name="services"
          id={fieldId('services')}
          legend="Services"
          hint="What the guest needs. The rules decide each one: the guest page shows what was granted and why."
          error={errors.services}
          choices={SERVICES}
          isChecked={(v) => services.includes(v)}
          onChange={(v, on) => setServices((list) => (on ? [...list, v] : list.filter((x) => x !== v)))}
        />
        <Field id={fieldId('justification')} label="Justification (optional)" hint={sponsor === me ? 'Why the guest needs the account. It is kept with the request.' : 'Why the guest needs the account. Your sponsor sees it when approving.'} error={errors.justification}>
          {(p) => <textarea {...p} name="justification" rows={4} maxLength={2000} value={justification} onChange={(e) => setJustification(e.target.value)} />}
        </Field>
        <p>
          <button type="submit" className="button-primary" disabled={busy}>
            {busy ? 'Submitting…' : hsr.kind === 'found' ? `Submit the request for ${hsr.value.name}` : 'Submit the request'}
          </button>
        </p>
      </form>
    </>
  );
}
