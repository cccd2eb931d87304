/** The pages and their frame: the header with the main navigation, the signed-in person, and the page of the current path. */
import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { getMe, type Me } from './api/client.ts';
import { api, describeError, needsSignIn } from './api.ts';
import { isSignedIn, signIn, signOut } from './auth.ts';
import { ErrorBoundary } from './kit/ErrorBoundary.tsx';
import { Alert, Loading, Page } from './kit/ui.tsx';
import { Callback } from './app/Callback.tsx';
import { isRcCore } from './o2/rules.ts';
import { Welcome } from './app/Welcome.tsx';
import { Link, useLocation } from './router.tsx';
import { SessionContext } from './session.tsx';

// Each page's code is loaded when its address is first opened (issue 21): the first page loads only its own.
const Activate = lazy(() => import('./guest/Activate.tsx').then((m) => ({ default: m.Activate })));
const Console = lazy(() => import('./guest/Console.tsx').then((m) => ({ default: m.Console })));
const GuestPage = lazy(() => import('./guest/GuestPage.tsx').then((m) => ({ default: m.GuestPage })));
const MyGuests = lazy(() => import('./guest/MyGuests.tsx').then((m) => ({ default: m.MyGuests })));
const RequestGuest = lazy(() => import('./guest/RequestGuest.tsx').then((m) => ({ default: m.RequestGuest })));
const MyO2 = lazy(() => import('./o2/MyO2.tsx').then((m) => ({ default: m.MyO2 })));
const O2AccountPage = lazy(() => import('./o2/O2AccountPage.tsx').then((m) => ({ default: m.O2AccountPage })));
const RcCore = lazy(() => import('./o2/RcCore.tsx').then((m) => ({ default: m.RcCore })));

const GUEST_PAGE = /^\/guests\/([0-9a-f-]{36})$/i;
const O2_PAGE = /^\/o2-accounts\/([0-9A-Za-z_-]{1,64})$/;

/** Who is offered the request form: who may request (an eligible sponsor, or a delegate of one), and Wyss staff, whom it sends to Wyss HR. */
function mayOpenRequest(me: Me): boolean {
  return me.sponsorEligibility.eligible || me.delegateOf.some((s) => s.eligible) || me.sponsorEligibility.reason === 'wyss';
}

function Frame({ me, children }: { me?: Me | undefined; children: ReactNode }) {
  const { pathname } = useLocation();
  const current = (path: string) => (pathname === path ? { 'aria-current': 'page' as const } : {});
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <header className="site-header">
        <div className="site-header-inner">
          <Link to="/" className="brand">
            <span className="brand-mark" aria-hidden="true">
              HMS
            </span>
            <span>Guest accounts</span>
          </Link>
          {me ? (
            <nav aria-label="Main">
              <ul>
                <li>
                  <Link to="/" {...current('/')}>
                    My guests
                  </Link>
                </li>
                {mayOpenRequest(me) ? (
                  <li>
                    <Link to="/request" {...current('/request')}>
                      Request a guest account
                    </Link>
                  </li>
                ) : null}
                <li>
                  <Link to="/o2" {...current('/o2')}>
                    My O2
                  </Link>
                </li>
                {isRcCore(me) ? (
                  <li>
                    <Link to="/rc-core" {...current('/rc-core')}>
                      RC Core queue
                    </Link>
                  </li>
                ) : null}
                {me.roles.includes('hms-it') ? (
                  <li>
                    <Link to="/console" {...current('/console')}>
                      HMS IT console
                    </Link>
                  </li>
                ) : null}
              </ul>
            </nav>
          ) : null}
          {me ? (
            <div className="who">
              <span className="who-name">
                <span className="who-label">Signed in as </span>
                <strong>{me.name ?? me.huid}</strong>
                {me.roles.includes('hms-it') ? ' (HMS IT)' : ''}
              </span>
              <button type="button" className="button-link" onClick={() => void signOut()}>
                Sign out
              </button>
            </div>
          ) : null}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {/* A new address, a new page: what failed on the last one does not stay. */}
        <ErrorBoundary key={pathname}>
          <Suspense fallback={<Loading what="the page" />}>{children}</Suspense>
        </ErrorBoundary>
      </main>
      <footer className="site-footer">
        <p>
          Harvard Medical School sponsored guest accounts. Questions about an account: contact HMS IT. Wyss Institute staff and affiliates: email{' '}
          <a href="mailto:AcademicAffairs@wyss.harvard.edu">AcademicAffairs@wyss.harvard.edu</a>.
        </p>
      </footer>
    </>
  );
}

function NotFound() {
  return (
    <Page title="Page not found">
      <p>There is no page at this address. Check the link, or go to <Link to="/">My guests</Link>.</p>
    </Page>
  );
}

type SignedState = { kind: 'checking' } | { kind: 'signed-out' } | { kind: 'signed-in'; me: Me } | { kind: 'error'; message: string };

/** The signed-in pages: sign in first (straight to the sign-in page from a deep link, such as an emailed one), then who the person is. */
function SignedIn({ pathname }: { pathname: string }) {
  const [state, setState] = useState<SignedState>({ kind: 'checking' });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    if (!isSignedIn()) {
      if (pathname === '/') setState({ kind: 'signed-out' });
      else void signIn();
      return;
    }
    getMe(api()).then(
      (me) => live && setState({ kind: 'signed-in', me }),
      (err: unknown) => {
        if (!live) return;
        if (needsSignIn(err)) {
          if (pathname === '/') setState({ kind: 'signed-out' });
          else void signIn();
        } else setState({ kind: 'error', message: describeError(err) });
      },
    );
    return () => {
      live = false;
    };
    // Once per page load (and on "Try again"): the pages share who the person is.
  }, [attempt]);

  if (state.kind === 'signed-out') {
    return (
      <Frame>
        <Welcome />
      </Frame>
    );
  }
  if (state.kind === 'error') {
    return (
      <Frame>
        <Page title="Guest accounts are not available">
          <Alert kind="error" title="We could not find out who you are">
            <p>{state.message}</p>
          </Alert>
          <p>
            <button type="button" onClick={() => setAttempt((n) => n + 1)}>
              Try again
            </button>
          </p>
        </Page>
      </Frame>
    );
  }
  if (state.kind === 'checking') {
    return (
      <Frame>
        <Loading what="your guest accounts" />
      </Frame>
    );
  }
  const me = state.me;
  const guest = GUEST_PAGE.exec(pathname);
  const o2 = O2_PAGE.exec(pathname);
  const page =
    pathname === '/' ? (
      <MyGuests />
    ) : pathname === '/request' ? (
      <RequestGuest />
    ) : pathname === '/console' ? (
      <Console />
    ) : pathname === '/o2' ? (
      <MyO2 />
    ) : pathname === '/rc-core' ? (
      <RcCore />
    ) : guest ? (
      <GuestPage key={guest[1]} guestId={guest[1]!.toLowerCase()} />
    ) : o2 ? (
      <O2AccountPage key={o2[1]} o2AccountId={o2[1]!} />
    ) : (
      <NotFound />
    );
  return (
    <SessionContext.Provider value={{ me }}>
      <Frame me={me}>{page}</Frame>
    </SessionContext.Provider>
  );
}

export function App() {
  const { pathname } = useLocation();
  if (pathname === '/callback') {
    return (
      <Frame>
        <Callback />
      </Frame>
    );
  }
  if (pathname === '/activate') {
    return (
      <Frame>
        <Activate />
      </Frame>
    );
  }
  return <SignedIn pathname={pathname} />;
}
