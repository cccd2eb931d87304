/**
 * The RC Core's queue (the RC Core's emails link here): off-Quad labs to register, each with its
 * Register form (chargeback account or "not charged", billing contact), and O2 accounts to
 * complete (new setups and renewals), each linking to its page, oldest first.
 */
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import { listLabs, listO2, registerLab, type Lab, type O2Account } from '../api/o2.ts';
import { api } from '../api.ts';
import { Choices } from '../kit/choices.tsx';
import { FormOutcomeView, useFormAction } from '../kit/FormProblem.tsx';
import { ResourcePage, useResource } from '../kit/resource.tsx';
import { Alert, Field, Page } from '../kit/ui.tsx';
import { Link } from '../router.tsx';
import { formatInstant } from '../text.ts';
import { O2StatusBadge } from './O2AccountPage.tsx';
import { institutionKind, RC_CORE_CONTACT, institutionName } from './text.ts';
import type { FieldWords } from '../kit/words.ts';

/** The queue, or `refused` for a person outside the RC Core group (the API answers 403). */
type Queue = { refused: true } | { refused: false; labs: Lab[]; accounts: O2Account[] };

/** The registration form's fields as it calls them, for their errors. */
const REGISTRATION_WORDS: Record<string, FieldWords> = {
  chargeback: { what: 'whether the lab is charged', kind: 'choice' },
  'chargeback/charged': { what: 'whether the lab is charged', kind: 'choice' },
  'chargeback/account': { what: 'the chargeback account' },
  billingContact: { what: "the billing contact's name" },
  'billingContact/name': { what: "the billing contact's name" },
  'billingContact/email': { what: "the billing contact's email", kind: 'email' },
};

const byCreated = <T extends { createdAt: string }>(a: T, b: T) => a.createdAt.localeCompare(b.createdAt);

const CHARGEBACK = [
  { value: 'charged', label: 'Charged to an account' },
  { value: 'not-charged', label: 'Not charged', description: 'Registration is required all the same.' },
] as const;

async function readQueue(): Promise<Queue> {
  try {
    const [labs, accounts] = await Promise.all([listLabs(api(), { registration: 'pending' }), listO2(api(), { as: 'rc-core' })]);
    return { refused: false, labs: labs.sort(byCreated), accounts: accounts.sort(byCreated) };
  } catch (err) {
    if (err instanceof ApiError && (err.status === 403 || err.status === 404)) return { refused: true };
    throw err;
  }
}

export function RcCore() {
  const queue = useResource(readQueue, []);
  return (
    <ResourcePage resource={queue} what="the RC Core queue" title="RC Core queue">
      {(q) =>
        q.refused ? (
          <Page title="RC Core queue">
            <Alert kind="warning">
              <p>This page is for the HMS Research Computing Core. You are not in the RC Core group of the people directory.</p>
            </Alert>
          </Page>
        ) : (
          <QueuePage labs={q.labs} accounts={q.accounts} reload={queue.reload} />
        )
      }
    </ResourcePage>
  );
}

function QueuePage({ labs, accounts, reload }: { labs: Lab[]; accounts: O2Account[]; reload: () => Promise<unknown> }) {
  const [done, setDone] = useState<{ text: string; n: number }>();
  const lead = (
    <p>
      The HMS Research Computing Core (<a href={`mailto:${RC_CORE_CONTACT}`}>{RC_CORE_CONTACT}</a>): off-Quad labs register here first, whether or not they are charged for O2;
      then the RC Core completes each O2 account.
    </p>
  );
  return (
    <Page title="RC Core queue" lead={lead}>
      <div aria-live="polite" role="status" className="outcome">
        {done ? <p className="alert alert-success">{done.text}</p> : null}
      </div>
      <section aria-labelledby="labs-heading">
        <h2 id="labs-heading">Labs to register ({labs.length})</h2>
        {labs.length === 0 ? (
          <p className="empty">No lab waits for its registration.</p>
        ) : (
          <ul className="queue">
            {labs.map((lab) => (
              <li key={lab.labId}>
                <RegisterLab
                  lab={lab}
                  onRegistered={(l) => {
                    setDone((d) => ({ text: `Registered: ${l.name}. Its O2 accounts waiting for the registration go on to the RC Core's setup.`, n: (d?.n ?? 0) + 1 }));
                    // The lab's waiting O2 accounts move on in the lifecycle: read the queue again once they have.
                    void reload().then(() => setTimeout(() => void reload(), 1500));
                  }}
                />
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="accounts-heading">
        <h2 id="accounts-heading">O2 accounts to complete ({accounts.length})</h2>
        {accounts.length === 0 ? <p className="empty">No O2 account waits for the RC Core.</p> : <ToComplete accounts={accounts} />}
      </section>
    </Page>
  );
}

function ToComplete({ accounts }: { accounts: O2Account[] }) {
  return (
    <div className="table-wrap">
      <table className="o2-accounts stack">
        <caption className="visually-hidden">O2 accounts waiting for the RC Core, oldest first</caption>
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Status</th>
            <th scope="col">HMS account ID</th>
            <th scope="col">Sponsoring PI</th>
            <th scope="col">Waiting since</th>
          </tr>
        </thead>
        <tbody>
          {accounts.map((a) => (
            <tr key={a.o2AccountId}>
              <th scope="row">
                <Link to={`/o2-accounts/${a.o2AccountId}`}>{a.userName}</Link>
                <span className="sub">HUID {a.userHuid}</span>
              </th>
              <td data-label="Status">
                <O2StatusBadge o2={a} />
              </td>
              <td data-label="HMS account ID">
                <code>{a.accountId ?? '—'}</code>
              </td>
              <td data-label="Sponsoring PI">
                {a.names[a.piHuid] ?? `HUID ${a.piHuid}`}
                {a.names[a.piHuid] ? <span className="sub">HUID {a.piHuid}</span> : null}
              </td>
              <td data-label="Waiting since">{formatInstant(a.rcCoreRequestedAt ?? a.renewal?.at ?? a.updatedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One lab of the queue and its Register form. */
function RegisterLab({ lab, onRegistered }: { lab: Lab; onRegistered: (lab: Lab) => void }) {
  const form = useFormAction(REGISTRATION_WORDS);
  const [charged, setCharged] = useState<'charged' | 'not-charged' | ''>('');
  const [account, setAccount] = useState('');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const id = `lab-${lab.labId}`;
  const fields = form.fields;
  // Neither choice made: zod's words for a missing discriminator are not a person's.
  const chargebackRaw = fields.chargeback ?? fields['chargeback/charged'];
  // The one thing wrong with the choice itself is that none was made: said with the choices' own names.
  const chargebackError = chargebackRaw ? 'Choose “Charged to an account” or “Not charged”.' : undefined;
  const accountError = fields['chargeback/account'];
  const nameError = fields['billingContact/name'] ?? fields.billingContact;
  const emailError = fields['billingContact/email'];

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void form.run(
      () =>
        registerLab(api(), lab.labId, `"${lab.version}"`, {
          // Neither chosen: sent without a choice, and the API names the field.
          chargeback: charged === 'charged' ? { charged: true, account: account.trim() } : charged === 'not-charged' ? { charged: false } : ({} as { charged: false }),
          billingContact: { name: name.trim(), email: email.trim() },
        }),
      (r) => {
        onRegistered(r.lab);
        return undefined;
      },
    );
  };

  return (
    <form className="lab-card" noValidate onSubmit={submit} aria-labelledby={`${id}-name`}>
      <h3 id={`${id}-name`}>{lab.name}</h3>
      <p>
        {institutionName(lab.institution)}, {institutionKind(lab.institution)}. PI: {lab.piName ? `${lab.piName} (HUID ${lab.piHuid})` : `HUID ${lab.piHuid}`}. Recorded {formatInstant(lab.createdAt)}.
      </p>
      <p className="sub">{lab.quad.reason}</p>
      <Choices
        type="radio"
        name={`${id}-chargeback`}
        id={`${id}-chargeback`}
        legend="Chargeback"
        error={chargebackError}
        choices={CHARGEBACK}
        isChecked={(v) => charged === v}
        onChange={(v) => setCharged(v)}
        required={false}
      />
      {charged === 'charged' ? (
        <Field id={`${id}-account`} label="Chargeback account" hint="The 33-digit Harvard billing code, or the institution's account number." error={accountError}>
          {(p) => <input {...p} type="text" autoComplete="off" value={account} onChange={(e) => setAccount(e.target.value)} />}
        </Field>
      ) : null}
      <div className="field-row">
        <Field id={`${id}-billing-name`} label="Billing contact name" error={nameError}>
          {(p) => <input {...p} type="text" autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field id={`${id}-billing-email`} label="Billing contact email" error={emailError}>
          {(p) => <input {...p} type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} />}
        </Field>
      </div>
      <FormOutcomeView outcome={form.outcome} id={id} />
      <button type="submit" className="button-primary" disabled={form.busy}>
        Register {lab.name}
      </button>
    </form>
  );
}
