/** Back from the sign-in page with a code: exchanged for tokens, then on to the page the person was going to. */
import { useEffect, useState } from 'react';
import { completeSignIn, signIn } from '../auth.ts';
import { Alert, Loading, Page } from '../kit/ui.tsx';
import { navigate } from '../router.tsx';

let exchange: Promise<string> | undefined;

export function Callback() {
  const [error, setError] = useState<string>();
  useEffect(() => {
    // Once, even if React renders the page twice: a code is good for one exchange.
    exchange ??= completeSignIn(location.search);
    exchange.then(
      (to) => navigate(to, { replace: true }),
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    );
  }, []);
  if (!error) return <Loading what="your sign-in" />;
  return (
    <Page title="Sign-in did not complete">
      <Alert kind="error">
        <p>{error}</p>
      </Alert>
      <p>
        <button type="button" onClick={() => void signIn('/')}>
          Sign in again
        </button>
      </p>
    </Page>
  );
}
