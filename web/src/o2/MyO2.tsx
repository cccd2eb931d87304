/**
 * My O2: the person's O2 research-cluster accounts (as user, and as sponsoring PI), their labs with
 * a form to record a lab (name, institution: on-Quad or off-Quad is derived), and the form to
 * request an O2 account (the user, the lab, a justification, an HMS sponsor when the PI is not one).
 */
import { listLabs, listO2, type Lab, type O2Account } from '../api/o2.ts';
import { api } from '../api.ts';
import { today as businessToday } from '../clock.ts';
import { Flash, ResourcePage, useFlash, useResource } from '../kit/resource.tsx';
import { Page } from '../kit/ui.tsx';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { formatDate } from '../text.ts';
import { O2StatusBadge } from './O2AccountPage.tsx';
import { O2Labs } from './O2Labs.tsx';
import { RequestO2 } from './RequestO2.tsx';
import { o2IsFinal } from './rules.ts';
import { isExpiring, O2_LOGIN_HOST, RC_CORE_CONTACT } from './text.ts';

type Lists = { mine: O2Account[]; sponsored: O2Account[]; labs: Lab[] };

async function readLists(): Promise<Lists> {
  const [mine, sponsored, labs] = await Promise.all([listO2(api(), { as: 'user' }), listO2(api(), { as: 'pi' }), listLabs(api())]);
  return { mine: mine.sort(liveFirst), sponsored: sponsored.sort(liveFirst), labs: labs.sort((a, b) => a.name.localeCompare(b.name)) };
}

/** Live accounts first (the next to end on top), then closed ones. */
function liveFirst(a: O2Account, b: O2Account): number {
  const closed = (o: O2Account) => (o2IsFinal(o.status) || o.status === 'EXPIRED' ? 1 : 0);
  return closed(a) - closed(b) || (a.endDate ?? '9999').localeCompare(b.endDate ?? '9999') || b.createdAt.localeCompare(a.createdAt);
}

function Accounts({ items, caption, showUser, today }: { items: O2Account[]; caption: string; showUser: boolean; today: string }) {
  return (
    <div className="table-wrap">
      <table className="o2-accounts stack">
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
                <Link to={`/o2-accounts/${a.o2AccountId}`}>{showUser ? a.userName : `O2 account${a.labName ? `, ${a.labName}` : ''} (${a.quad.onQuad ? 'on-Quad' : 'off-Quad'})`}</Link>
                {showUser ? <span className="sub">HUID {a.userHuid}</span> : null}
              </th>
              <td data-label="Status">
                <O2StatusBadge o2={a} />
                {isExpiring(a, today) ? <span className="sub soon">Expiring soon</span> : null}
              </td>
              <td data-label="O2 login">{a.status === 'ACTIVE' && a.accountId ? <code>{`${a.accountId}@${O2_LOGIN_HOST}`}</code> : '—'}</td>
              <td data-label="Ends">{a.endDate ? <time dateTime={a.endDate}>{formatDate(a.endDate)}</time> : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function MyO2() {
  const { me } = useSession();
  const lists = useResource(readLists, []);
  const flash = useFlash({ once: true });
  const today = businessToday();
  const lead = (
    <p>
      O2 is the HMS research cluster. An O2 account needs a sponsoring PI (or lab manager) and an HMS account, whose ID is the O2 login. Labs off the Quad (at HMS affiliated
      institutions or other Harvard schools) register with the HMS Research Computing Core (<a href={`mailto:${RC_CORE_CONTACT}`}>{RC_CORE_CONTACT}</a>) first.
    </p>
  );
  return (
    <ResourcePage resource={lists} what="your O2 accounts" title="My O2">
      {({ mine, sponsored, labs }) => {
        const others = sponsored.filter((a) => a.userHuid !== me.huid);
        return (
          <Page title="My O2" lead={lead}>
            <Flash message={flash} />
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
            <O2Labs labs={labs} onCreated={() => void lists.reload()} />
            <RequestO2 key={labs.map((l) => l.labId).join(' ')} labs={labs} />
          </Page>
        );
      }}
    </ResourcePage>
  );
}
