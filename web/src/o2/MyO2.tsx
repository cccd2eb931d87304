/**
 * My O2: the person's O2 research-cluster accounts (as user, and as sponsoring PI), their labs with
 * a form to record a lab (name, institution: on-Quad or off-Quad is derived), and the form to
 * request an O2 account (the user, the lab, a justification, an HMS sponsor when the PI is not one).
 */
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { createLab, listLabs, listO2, requestO2, type Institution, type Lab, type O2Account } from '../api/o2.ts';
import { api, describeError } from '../api.ts';
import { idempotencyKey } from '../api/client.ts';
import { today as businessToday } from '../clock.ts';
import { Alert, Field, Loading, Page } from '../kit/ui.tsx';
import { FormOutcomeView, useFormAction } from '../kit/FormProblem.tsx';
import { Link, navigate, navState } from '../router.tsx';
import { useSession } from '../session.tsx';
import { formatDate } from '../text.ts';
import { INSTITUTION_NAMES } from '../../../shared/o2/domain/model.ts';
import { institutionKind, isExpiring, O2_LOGIN_HOST, quadReason, RC_CORE_CONTACT, registrationText } from './text.ts';
import { O2StatusBadge } from './O2AccountPage.tsx';
import { o2IsFinal } from './rules.ts';

type Lists = { mine: O2Account[]; sponsored: O2Account[]; labs: Lab[] };
type State = { kind: 'loading' } | { kind: 'error'; message: string } | ({ kind: 'ready' } & Lists);

/** Live accounts first (the next to end on top), then closed ones. */
function liveFirst(a: O2Account, b: O2Account): number {
  const closed = (o: O2Account) => (o2IsFinal(o.status) || o.status === 'EXPIRED' ? 1 : 0);
  return closed(a) - closed(b) || (a.endDate ?? '9999').localeCompare(b.endDate ?? '9999') || b.createdAt.localeCompare(a.createdAt);
}

function Accounts({ items, caption, showUser, today }: { items: O2Account[]; caption: string; showUser: boolean; today: string }) {
  return (
    <div className="table-wrap">
      <table className="o2-accounts">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{showUser ? 'User' : 'O2 account'}</th>
            <th scope="col">Status</th>
            <th scope="col">O2 login</th>
            <th scope="col">Ends</th>
          </tr>
        </thead>
        <tbody>
          {items.map((a) => (
            <tr key={a.o2AccountId}>
              <th scope="row">
                <Link to={`/o2-accounts/${a.o2AccountId}`}>{showUser ? a.userName : `O2 account (${a.quad.onQuad ? 'on-Quad' : 'off-Quad'})`}</Link>
                {showUser ? <span className="sub">HUID {a.userHuid}</span> : null}
              </th>
              <td>
                <O2StatusBadge o2={a} />
                {isExpiring(a, today) ? <span className="sub soon">Expiring soon</span> : null}
              </td>
              <td>{a.status === 'ACTIVE' && a.accountId ? <code>{`${a.accountId}@${O2_LOGIN_HOST}`}</code> : '—'}</td>
              <td>{a.endDate ? <time dateTime={a.endDate}>{formatDate(a.endDate)}</time> : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function MyO2() {
  const { me } = useSession();
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [flash] = useState(() => navState().flash);
  const [recorded, setRecorded] = useState<Lab>();
  const today = businessToday();

  const load = useCallback(async () => {
    try {
      const [mine, sponsored, labs] = await Promise.all([listO2(api(), { as: 'user' }), listO2(api(), { as: 'pi' }), listLabs(api())]);
      setState({ kind: 'ready', mine: mine.sort(liveFirst), sponsored: sponsored.sort(liveFirst), labs: labs.sort((a, b) => a.name.localeCompare(b.name)) });
    } catch (err) {
      setState({ kind: 'error', message: describeError(err) });
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load, attempt]);

  const lead = (
    <p>
      O2 is the HMS research cluster. An O2 account needs a sponsoring PI (or lab manager) and an HMS account, whose ID is the O2 login. Labs off the Quad (at HMS affiliated
      institutions or other Harvard schools) register with the HMS Research Computing Core (<a href={`mailto:${RC_CORE_CONTACT}`}>{RC_CORE_CONTACT}</a>) first.
    </p>
  );

  if (state.kind === 'loading') return <Loading what="your O2 accounts" />;
  if (state.kind === 'error') {
    return (
      <Page title="My O2">
        <Alert kind="error" title="We could not load your O2 accounts">
          <p>{state.message}</p>
          <p>
            <button type="button" onClick={() => setAttempt((n) => n + 1)}>
              Try again
            </button>
          </p>
        </Alert>
      </Page>
    );
  }

  const { mine, sponsored, labs } = state;
  const created = (lab: Lab) => {
    setRecorded(lab);
    void load();
  };
  const others = sponsored.filter((a) => a.userHuid !== me.huid);
  return (
    <Page title="My O2" lead={lead}>
      {flash ? (
        <Alert kind="success">
          <p>{flash}</p>
        </Alert>
      ) : null}
      <section aria-labelledby="mine-heading">
        <h2 id="mine-heading">Your O2 accounts</h2>
        {mine.length === 0 ? (
          <p className="empty">{labs.length ? 'You have no O2 account of your own.' : 'You have no O2 account. Your PI can request one for you, or you can request it below.'}</p>
        ) : (
          <Accounts items={mine} caption="Your O2 accounts" showUser={false} today={today} />
        )}
      </section>

      {others.length || labs.length ? (
        <section aria-labelledby="sponsored-heading">
          <h2 id="sponsored-heading">O2 accounts of your labs</h2>
          <p>The accounts you sponsor, and every account of the labs you head or manage.</p>
          {others.length === 0 ? <p className="empty">Nobody has an O2 account in your labs or with you as sponsoring PI yet.</p> : <Accounts items={others} caption="O2 accounts of your labs" showUser today={today} />}
        </section>
      ) : null}

      <section aria-labelledby="labs-heading">
        <h2 id="labs-heading">Your labs</h2>
        <div aria-live="polite" role="status" className="outcome">
          {recorded ? (
            <p className="alert alert-success">
              Recorded: {recorded.name}. {recorded.quad.reason}
            </p>
          ) : null}
        </div>
        {labs.length === 0 ? (
          <>
            <p>You head no lab record. A PI (a person with a faculty appointment) records their lab once; its O2 accounts are then requested for it.</p>
            <details className="disclosure">
              <summary>Record your lab (PIs)</summary>
              <NewLab onCreated={created} />
            </details>
          </>
        ) : (
          <div className="table-wrap">
            <table className="labs">
              <caption className="visually-hidden">Your labs</caption>
              <thead>
                <tr>
                  <th scope="col">Lab</th>
                  <th scope="col">Institution</th>
                  <th scope="col">On-Quad or off-Quad</th>
                  <th scope="col">RC Core registration</th>
                </tr>
              </thead>
              <tbody>
                {labs.map((lab) => (
                  <tr key={lab.labId}>
                    <th scope="row">
                      {lab.name}
                      <span className="sub">
                        Lab ID <code>{lab.labId}</code>
                      </span>
                    </th>
                    <td>
                      {lab.institution}
                      <span className="sub">{institutionKind(lab.institution)}</span>
                    </td>
                    <td>
                      <strong>{lab.quad.onQuad ? 'On-Quad' : 'Off-Quad'}</strong>
                      <span className="sub">{quadReason(lab.quad.reason)}</span>
                    </td>
                    <td>{registrationText(lab)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {labs.length ? (
          <details className="disclosure">
            <summary>Record another lab</summary>
            <NewLab onCreated={created} />
          </details>
        ) : null}
      </section>

      <RequestO2 key={labs.map((l) => l.labId).join(' ')} labs={labs} />
    </Page>
  );
}

/** The form to record a lab: its name and institution (the API derives on-Quad or off-Quad, with the reason). */
function NewLab({ onCreated }: { onCreated: (lab: Lab) => void }) {
  const form = useFormAction();
  const [name, setName] = useState('');
  const [institution, setInstitution] = useState<Institution | ''>('');
  const key = useRef(idempotencyKey());
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void form.run(
      () => createLab(api(), { name: name.trim(), institution: institution as Institution }, key.current),
      ({ lab }) => {
        key.current = idempotencyKey();
        setName('');
        setInstitution('');
        onCreated(lab);
        return undefined;
      },
      () => (key.current = idempotencyKey()),
    );
  };
  return (
    <form className="form action-card" noValidate onSubmit={submit} aria-labelledby="new-lab-heading">
      <h3 id="new-lab-heading">Record a lab</h3>
      <Field id="lab-name" label="Lab name" hint="As the lab is known, e.g. “Chen Lab”." error={form.fields.name}>
        {(p) => <input {...p} type="text" autoComplete="off" maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <Field id="lab-institution" label="Institution" hint="Where the lab is based: HMS, another Harvard school, the Wyss Institute, or an HMS affiliated hospital or institute." error={form.fields.institution}>
        {(p) => (
          <select {...p} value={institution} onChange={(e) => setInstitution(e.target.value as Institution)}>
            <option value="">Choose the institution</option>
            {INSTITUTION_NAMES.map((i) => (
              <option key={i} value={i}>
                {i} ({institutionKind(i)})
              </option>
            ))}
          </select>
        )}
      </Field>
      <FormOutcomeView outcome={form.outcome} id="new-lab" />
      <button type="submit" disabled={form.busy}>
        Record the lab
      </button>
    </form>
  );
}

/** The form to request an O2 account: for the person themself (then the PI approves) or, for a PI, for a member of their lab. */
function RequestO2({ labs }: { labs: Lab[] }) {
  const { me } = useSession();
  const form = useFormAction();
  const ownsLabs = labs.length > 0;
  const [userHuid, setUserHuid] = useState(ownsLabs ? '' : me.huid);
  const [labId, setLabId] = useState(labs[0]?.labId ?? '');
  const [piHuid, setPiHuid] = useState('');
  const [justification, setJustification] = useState('');
  const [hmsSponsor, setHmsSponsor] = useState('');
  const key = useRef(idempotencyKey());
  const lab = useMemo(() => labs.find((l) => l.labId === labId), [labs, labId]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void form.run(
      () =>
        requestO2(
          api(),
          {
            userHuid: userHuid.trim(),
            piHuid: lab ? lab.piHuid : piHuid.trim(),
            labId: labId.trim(),
            ...(justification.trim() ? { justification: justification.trim() } : {}),
            ...(hmsSponsor.trim() ? { hmsSponsorHuid: hmsSponsor.trim() } : {}),
          },
          key.current,
        ),
      ({ o2 }) => {
        const flash =
          o2.status === 'PENDING_HMS_ACCOUNT'
            ? 'Requested. The user has no HMS account yet: an HMS guest account was requested first; the O2 request goes on once it is active.'
            : o2.status === 'PENDING_PI_APPROVAL' && !o2.approval
              ? 'Requested. The sponsoring PI has been asked to approve it.'
              : 'Requested and approved by you: the O2 account is being set up.';
        navigate(`/o2-accounts/${o2.o2AccountId}`, { state: { flash } });
        return undefined;
      },
      () => (key.current = idempotencyKey()),
    );
  };

  return (
    <section aria-labelledby="request-o2-heading">
      <h2 id="request-o2-heading">Request an O2 account</h2>
      <form className="form action-card" noValidate onSubmit={submit} aria-labelledby="request-o2-heading">
        <p className="hint form-intro">
          A user with no HMS account gets an HMS guest account requested first (with a Harvard ID; without one, the user first needs a Harvard Sponsored Role). Requests by the user
          are approved by the sponsoring PI; the PI&apos;s own requests are approved by asking.
        </p>
        <Field id="o2-user" label="User's HUID" hint={`The 8-digit Harvard ID of the person the O2 account is for${ownsLabs ? '' : ` (yours: ${me.huid})`}.`} error={form.fields.userHuid}>
          {(p) => <input {...p} type="text" inputMode="numeric" autoComplete="off" value={userHuid} onChange={(e) => setUserHuid(e.target.value)} />}
        </Field>
        {ownsLabs ? (
          <Field id="o2-lab" label="Lab" hint={lab ? lab.quad.reason : undefined} error={form.fields.labId ?? form.fields.piHuid}>
            {(p) => (
              <select {...p} value={labId} onChange={(e) => setLabId(e.target.value)}>
                {labs.map((l) => (
                  <option key={l.labId} value={l.labId}>
                    {l.name} ({l.institution}, {l.quad.onQuad ? 'on-Quad' : 'off-Quad'})
                  </option>
                ))}
              </select>
            )}
          </Field>
        ) : (
          <>
            <Field id="o2-pi" label="Sponsoring PI's HUID" hint="Your PI (or lab manager), who approves." error={form.fields.piHuid}>
              {(p) => <input {...p} type="text" inputMode="numeric" autoComplete="off" value={piHuid} onChange={(e) => setPiHuid(e.target.value)} />}
            </Field>
            <Field id="o2-lab-id" label="Lab ID" hint="Your PI finds it on their My O2 page." error={form.fields.labId}>
              {(p) => <input {...p} type="text" autoComplete="off" spellCheck={false} value={labId} onChange={(e) => setLabId(e.target.value)} />}
            </Field>
          </>
        )}
        <Field id="o2-justification" label="Justification (optional)" hint="What the user will run on O2. The PI sees it when approving." error={form.fields.justification}>
          {(p) => <textarea {...p} rows={3} maxLength={2000} value={justification} onChange={(e) => setJustification(e.target.value)} />}
        </Field>
        <Field
          id="o2-hms-sponsor"
          label="HMS sponsor's HUID (optional)"
          hint="Only for a user without an HMS account whose PI is not HMS faculty (a lab at FAS, HSPH, SEAS, …): the HMS collaborator, or the RC Core's sponsor, who sponsors the HMS guest account."
          error={form.fields.hmsSponsorHuid}
        >
          {(p) => <input {...p} type="text" inputMode="numeric" autoComplete="off" value={hmsSponsor} onChange={(e) => setHmsSponsor(e.target.value)} />}
        </Field>
        <FormOutcomeView outcome={form.outcome} id="request-o2" />
        <button type="submit" className="button-primary" disabled={form.busy}>
          Request the O2 account
        </button>
      </form>
    </section>
  );
}
