/**
 * One O2 account (the emails' links lead here: the PI's approval, the user's "active" email, the
 * RC Core's completion and renewal requests): where it is and what comes next in plain words, how
 * to log in once active, the lab and why it is on- or off-Quad, the actions the person may take now
 * (and only those), and the timeline of its history.
 */
import { getLab, getO2, o2History, type Lab, type O2Account, type O2HistoryItem } from '../api/o2.ts';
import { api } from '../api.ts';
import { today as businessToday } from '../clock.ts';
import { Flash, ResourcePage, useFlash, useResource } from '../kit/resource.tsx';
import { Page } from '../kit/ui.tsx';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { O2Actions, type Applied } from './O2Actions.tsx';
import { O2Details, O2LabDetails } from './O2Details.tsx';
import { O2Timeline } from './O2Timeline.tsx';
import { o2People } from './people.ts';
import { labGroups, o2Actions, o2Relations, o2Settled } from './rules.ts';
import { O2_BADGE, O2_LOGIN_HOST, O2_STATUS_LABELS, o2Step, type O2Names, institutionName } from './text.ts';

interface Shown {
  o2: O2Account;
  etag: string;
  history: O2HistoryItem[];
  /** Undefined when the person may not read the lab's record (its user may not; its PI, managers and the RC Core may): the account says what they need. */
  lab: Lab | undefined;
}

export function O2StatusBadge({ o2 }: { o2: Pick<O2Account, 'status'> }) {
  return <span className={`badge ${O2_BADGE[o2.status]}`}>{O2_STATUS_LABELS[o2.status]}</span>;
}

async function readAccount(o2AccountId: string): Promise<Shown> {
  const [{ o2, etag }, history] = await Promise.all([getO2(api(), o2AccountId), o2History(api(), o2AccountId)]);
  const lab = await getLab(api(), o2.labId).then(
    (r) => r.lab,
    () => undefined,
  );
  return { o2, etag, history, lab };
}

export function O2AccountPage({ o2AccountId }: { o2AccountId: string }) {
  const resource = useResource(() => readAccount(o2AccountId), [o2AccountId], { settled: (s) => o2Settled(s.o2) });
  const flash = useFlash({ once: true });
  return (
    <ResourcePage
      resource={resource}
      what="the O2 account"
      title="O2 account"
      notFound={{
        title: 'O2 account not found',
        body: (
          <>
            <p>There is no O2 account at this address that you may see. An O2 account is shown to its user, the sponsoring PI, the lab&apos;s managers, the RC Core and HMS IT.</p>
            <p>
              Go to <Link to="/o2">My O2</Link>.
            </p>
          </>
        ),
      }}
    >
      {(shown) => (
        <O2AccountView
          shown={shown}
          flash={flash}
          onStale={() => void resource.reload()}
          onApplied={async (o2, etag, settled) => {
            resource.update((s) => ({ ...s, o2, etag }));
            return (await resource.followUp((s) => settled(s.o2)))?.o2;
          }}
        />
      )}
    </ResourcePage>
  );
}

function O2AccountView({ shown, flash, onApplied, onStale }: { shown: Shown; flash: string | undefined; onApplied: Applied; onStale: () => void }) {
  const { me } = useSession();
  const { o2, etag, history, lab } = shown;
  const today = businessToday();
  const managerOf = labGroups(me, lab);
  const relations = o2Relations(me, o2, managerOf);
  const people = o2People(me, o2, history);
  return (
    <Page title={relations.includes('user') ? 'Your O2 account' : `O2 account for ${o2.userName}`}>
      <Flash message={flash} />
      <O2Step o2={o2} lab={lab} relations={relations} today={today} you={me.huid} />
      <O2Actions o2={o2} etag={etag} allowed={o2Actions(me, o2, today, managerOf)} relations={relations} onApplied={onApplied} onStale={onStale} />
      <div className="columns">
        <O2Details o2={o2} people={people} linkGuest={relations.includes('sponsor') || relations.includes('hms-it')} />
        <O2LabDetails o2={o2} lab={lab} people={people} />
      </div>
      <O2Timeline items={history} who={people.who} />
    </Page>
  );
}

/** Where the account is and what comes next, in plain words; how to log in once it is active. */
function O2Step({ o2, lab, relations, today, you }: { o2: O2Account; lab: Lab | undefined; relations: readonly string[]; today: string; you: string }) {
  const piIsYou = o2.piHuid === you;
  const names: O2Names = {
    user: o2.userHuid === you ? 'You' : o2.userName,
    userIsYou: o2.userHuid === you,
    pi: piIsYou ? 'You' : `${o2.names[o2.piHuid] ?? `HUID ${o2.piHuid}`} (${relations.includes('user') ? 'your' : 'the'} sponsoring PI)`,
    piIsYou,
    lab: lab ? `The lab “${lab.name}” (${institutionName(lab.institution)})` : o2.labName ? `The lab “${o2.labName}”` : 'The lab',
  };
  const step = o2Step(o2, names, today);
  return (
    <>
      <div className="status-line">
        <O2StatusBadge o2={o2} />
        {step.title !== O2_STATUS_LABELS[o2.status] ? (
          <p>
            <strong>{step.title}</strong>
          </p>
        ) : null}
      </div>
      <div className="step">
        <p>{step.text}</p>
        {o2.status === 'PENDING_LAB_REGISTRATION' && relations.includes('rc-core') ? (
          <p>
            Register the lab in the <Link to="/rc-core">RC Core queue</Link>.
          </p>
        ) : null}
        {o2.status === 'ACTIVE' && step.login && !relations.includes('user') ? (
          <p>
            {o2.userName} logs in to <strong>{O2_LOGIN_HOST}</strong> as <strong>{step.login}</strong>, the HMS account ID.
          </p>
        ) : null}
        {o2.status === 'ACTIVE' && step.login && relations.includes('user') ? (
          <div className="login-box">
            <p>
              Log in to <strong>{O2_LOGIN_HOST}</strong> as <strong>{step.login}</strong> (your HMS account ID, which is also the Unix username), with the HMS account&apos;s
              password:
            </p>
            <pre>
              <code>
                ssh {step.login}@{O2_LOGIN_HOST}
              </code>
            </pre>
          </div>
        ) : null}
      </div>
    </>
  );
}
