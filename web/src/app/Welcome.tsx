/** The start page before signing in: what the pages are for, sign in, and where guests activate. */
import { signIn } from '../auth.ts';
import { Page } from '../kit/ui.tsx';
import { Link } from '../router.tsx';

export function Welcome() {
  return (
    <Page title="HMS guest accounts">
      <p className="lead">
        Harvard Medical School accounts for guests give visitors (non-HMS and HSDM employees) access to HMS systems when a sponsor requests them. Sponsors are Harvard
        Medical School faculty or staff with a valid Harvard ID.
      </p>
      <div className="cards">
        <section className="card" aria-labelledby="sponsors-heading">
          <h2 id="sponsors-heading">Sponsors and their delegates</h2>
          <p>Request an account for a guest, approve requests, extend accounts before they expire, and see every guest you sponsor.</p>
          <p>
            <button type="button" className="button-primary" onClick={() => void signIn('/')}>
              Sign in with HarvardKey
            </button>
          </p>
        </section>
        <section className="card" aria-labelledby="guests-heading">
          <h2 id="guests-heading">Guests</h2>
          <p>
            Your sponsor has requested an account for you? Open the link in the email <q>Activate your HMS account</q>, or enter your HMS account ID and activation code
            on the <Link to="/activate">activation page</Link>.
          </p>
        </section>
      </div>
      <h2>Before a request</h2>
      <p>
        A Harvard Sponsored Role (HSR) is required before an HMS account for a guest can be requested. Accounts may initially be requested for up to one year and
        extended when the sponsor approves. Guest accounts do not have access to the Digital Library.
      </p>
    </Page>
  );
}
