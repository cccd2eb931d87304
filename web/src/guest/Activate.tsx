/**
 * The guest activates their HMS account (the link in "Activate your HMS account"): no sign-in, the
 * account ID from the link, the activation code from the email, and the password they choose for
 * the account. Every failure that does not prove the code gets one and the same message (the API
 * answers them alike: 400, 429); only a caller holding the right code is told more (410 expired,
 * locked or closed; 422 before the start date, or a password the policy refuses, next to the
 * password; 502/503 the account directory could not take it, nothing used up).
 */
import { useState, type FormEvent } from 'react';
import { activate, ApiError, type ActivationResult } from '../api/client.ts';
import { fieldErrors, publicApi } from '../api.ts';
import { MAX_PASSWORD_LENGTH, PASSWORD_RULES } from '../../../shared/guest/domain/password-policy.ts';
import { Alert, Field, Page } from '../kit/ui.tsx';
import { MESSAGE_ME_URL, formatInstant } from '../text.ts';
import { useLocation } from '../router.tsx';

/** The one answer to every attempt that does not prove the code: it says nothing of the account. */
export const NEUTRAL_FAILURE =
  'We could not activate an account with this account ID and activation code. Check both against the email "Activate your HMS account" and try again in a few minutes. If it still does not work, ask your sponsor to send a new activation code.';

function Activated({ result }: { result: ActivationResult }) {
  return (
    <Page title="Your HMS account is active">
      <Alert kind="success">
        <p>
          HMS account <strong>{result.accountId}</strong> was activated on {formatInstant(result.activatedAt)}.
        </p>
      </Alert>
      <h2>Next steps</h2>
      <ol className="steps">
        {result.setPasswordUrl ? (
          <li>
            <strong>Set your password.</strong> The HMS account directory did not take the password you chose here: set it at{' '}
            <a href={result.setPasswordUrl}>{result.setPasswordUrl}</a>.
          </li>
        ) : null}
        <li>
          <strong>Register for password self-service.</strong> When prompted, register for &ldquo;Safecode security&rdquo;, the self-service feature that lets you
          reset your password or unlock your account should you forget your password.
        </li>
        <li>
          <strong>Register for MessageMe</strong> to receive emergency notifications from Harvard University: <a href={MESSAGE_ME_URL}>{MESSAGE_ME_URL}</a>.
        </li>
        <li>
          <strong>Sign in with your HMS account ID</strong> to the services your sponsor requested, such as the HMS Web Portal at{' '}
          <a href="https://my.hms.harvard.edu">https://my.hms.harvard.edu</a>.
        </li>
      </ol>
      <p>Your sponsor is notified before the account expires and can extend it. Guest accounts do not have access to the Digital Library.</p>
    </Page>
  );
}

export function Activate() {
  const { search } = useLocation();
  const [accountId, setAccountId] = useState(search.get('accountId') ?? '');
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [passwordError, setPasswordError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<{ message: string; attempt: number }>();
  const [result, setResult] = useState<ActivationResult>();

  if (result) return <Activated result={result} />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setPasswordError(undefined);
    try {
      setResult(await activate(publicApi(), { accountId: accountId.trim(), code: code.trim(), password }));
    } catch (err) {
      // 410, 422, 502 and 503 come only with the right code (problem details from the handler): their
      // own words. Anything else, whatever it was, the one neutral message.
      const proven = err instanceof ApiError && [410, 422, 502, 503].includes(err.status) && err.body !== undefined && 'detail' in err.body;
      const onPassword = proven ? fieldErrors(err).password : undefined;
      if (onPassword) setPasswordError(`Your password ${onPassword}.`);
      setFailure((f) => ({ message: proven ? (err as ApiError).message : NEUTRAL_FAILURE, attempt: (f?.attempt ?? 0) + 1 }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title="Activate your HMS account">
      <p className="lead">
        Enter the HMS account ID and the activation code from the email &ldquo;Activate your HMS account&rdquo; your sponsor&apos;s request sent you, and choose the password of
        your account.
      </p>
      {failure ? (
        <Alert kind="error" key={failure.attempt} focus>
          <p>{failure.message}</p>
        </Alert>
      ) : null}
      <form className="form narrow" onSubmit={(e) => void submit(e)} noValidate>
        <Field id="account-id" label="HMS account ID" hint="Initials and digits, for example jd123.">
          {(p) => <input {...p} name="accountId" type="text" autoComplete="username" autoCapitalize="none" spellCheck={false} required value={accountId} onChange={(e) => setAccountId(e.target.value)} />}
        </Field>
        <Field id="activation-code" label="Activation code" hint="As it is written in the email, with its dashes.">
          {(p) => <input {...p} name="code" type="text" autoComplete="one-time-code" autoCapitalize="characters" spellCheck={false} required value={code} onChange={(e) => setCode(e.target.value)} />}
        </Field>
        <Field
          id="new-password"
          label="Choose a password"
          hint={
            <>
              The password of your HMS account. It:
              <ul>
                {Object.values(PASSWORD_RULES).map((rule) => (
                  <li key={rule}>{rule}</li>
                ))}
              </ul>
            </>
          }
          error={passwordError}
        >
          {(p) => (
            <input {...p} name="password" type="password" autoComplete="new-password" required maxLength={MAX_PASSWORD_LENGTH} value={password} onChange={(e) => setPassword(e.target.value)} />
          )}
        </Field>
        <p>
          <button type="submit" className="button-primary" disabled={busy}>
            {busy ? 'Activating…' : 'Activate'}
          </button>
        </p>
      </form>
      <p>The code works for 14 days. If it has expired or does not work, ask your sponsor to send a new one.</p>
    </Page>
  );
}
