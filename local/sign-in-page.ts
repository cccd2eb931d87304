/**
 * The local identity provider's development sign-in (its interaction endpoint): one page listing
 * the people of the directory the system loaded (the built-in sample or --seed), one button per
 * person to sign in as them, and one to sign in as them with the HMS IT role. No password. Plain
 * server-rendered HTML, no script, no external asset.
 *
 * Signing in grants the pages what they asked for (the OpenID scopes and the API scopes, at most),
 * so no consent step follows: the browser goes straight back to the pages with a code.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { Person } from '../shared/core/domain/people.ts';

const INTERACTION = /^\/_local\/idp\/interaction\/([\w-]{1,100})$/;
const MAX_FORM_BYTES = 4096;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;line-height:1.4}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #bbb;vertical-align:top}
button{font:inherit;padding:.3rem .6rem;margin:.1rem 0}code{background:#eee;padding:0 .2rem}`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
  });
  res.end(html);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_FORM_BYTES) return undefined;
    chunks.push(c as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export interface SignInPageOptions {
  provider: Provider;
  people: () => Promise<Person[]>;
  /** The API's resource indicator: the API scopes are granted for it. */
  resource: string;
  hmsItRole: string;
  apiScopes: readonly string[];
  oidcScopes: readonly string[];
  /** Called with each grant made at sign-in and the roles chosen. */
  onGrant: (grantId: string, roles: string[]) => void;
}

export class SignInPage {
  constructor(private readonly opts: SignInPageOptions) {}

  /** The page of an error the provider shows the browser (a bad authorization request, an expired sign-in). */
  static errorPage(out: { error: string; error_description?: string | undefined }): string {
    return page(
      'Sign-in error — HMS guest accounts (local)',
      `<h1>Sign-in error</h1>\n<p><code>${escapeHtml(out.error)}</code>${out.error_description ? `: ${escapeHtml(out.error_description)}` : ''}</p>`,
    );
  }

  /** The provider's sign-out confirmation (RP-initiated logout): its form, posted by one of two buttons. */
  static logoutPage(form: string): string {
    return page(
      'Sign out — HMS guest accounts (local)',
      `<h1>Sign out of HMS guest accounts</h1>
${form}
<p><button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>
<button type="submit" form="op.logoutForm">Stay signed in</button></p>`,
    );
  }

  /** After signing out, when the pages gave no address to go back to. */
  static signedOutPage(): string {
    return page('Signed out — HMS guest accounts (local)', '<h1>Signed out</h1>\n<p>You are signed out of the local identity provider.</p>');
  }

  /** Serves the interaction endpoint; false for any other path. */
  async handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
    if (!INTERACTION.test(pathname)) return false;
    const method = (req.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'POST') {
      res.writeHead(405, { allow: 'GET, POST' });
      res.end();
      return true;
    }
    let details: Awaited<ReturnType<Provider['interactionDetails']>>;
    try {
      details = await this.opts.provider.interactionDetails(req, res);
    } catch {
      // No interaction cookie, or one for another sign-in, or it expired.
      send(res, 400, SignInPage.errorPage({ error: 'invalid_request', error_description: 'This sign-in has expired or was started in another browser: start again from the pages.' }));
      return true;
    }
    if (`/_local/idp/interaction/${details.uid}` !== pathname) {
      send(res, 400, SignInPage.errorPage({ error: 'invalid_request', error_description: 'This sign-in is not the one under way in this browser: start again from the pages.' }));
      return true;
    }
    const people = [...(await this.opts.people())].sort((a, b) => a.huid.localeCompare(b.huid));
    if (method === 'GET') {
      send(res, 200, this.render(pathname, details.params, people));
      return true;
    }

    const form = await readForm(req);
    if (form?.has('cancel')) {
      await this.opts.provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The sign-in was cancelled.' }, { mergeWithLastSubmission: false });
      return true;
    }
    const [huid, role, ...rest] = (form?.get('account') ?? '').split('/');
    const person = people.find((p) => p.huid === huid);
    if (!person || rest.length || (role !== undefined && role !== this.opts.hmsItRole)) {
      send(res, 400, page('Sign in — HMS guest accounts (local)', `<h1>Sign in</h1>\n<p role="alert">Choose one of the people listed.</p>\n<p><a href="${escapeHtml(pathname)}">Back to the list</a></p>`));
      return true;
    }

    // Grant what was asked for, within what the provider offers: the OpenID scopes, and the API
    // scopes for the API's resource. The access tokens then carry exactly those API scopes.
    const provider = this.opts.provider;
    const requested = String(details.params.scope ?? '').split(' ').filter(Boolean);
    const grant = new provider.Grant({ accountId: person.huid, clientId: String(details.params.client_id) });
    const oidc = requested.filter((s) => this.opts.oidcScopes.includes(s));
    if (oidc.length) grant.addOIDCScope(oidc.join(' '));
    const api = requested.filter((s) => this.opts.apiScopes.includes(s));
    if (api.length) grant.addResourceScope(this.opts.resource, api.join(' '));
    const grantId = await grant.save();
    this.opts.onGrant(grantId, role ? [role] : []);
    await provider.interactionFinished(req, res, { login: { accountId: person.huid, amr: ['local'] }, consent: { grantId } }, { mergeWithLastSubmission: false });
    return true;
  }

  private render(action: string, params: Record<string, unknown>, people: Person[]): string {
    const nameOf = new Map(people.map((p) => [p.huid, p.name]));
    const delegateOf = (huid: string) => people.filter((p) => p.delegates?.includes(huid)).map((p) => p.name);
    const names = (list: string[]) => escapeHtml(list.join(', ')) || '—';
    /** What else the person is here (the O2 part): a PI, RC Core staff, a manager of a PI's lab, a leaver. */
    const also = (p: Person) => {
      const out: string[] = [];
      if (p.appointments?.length) out.push(`PI (${p.appointments.map((a) => a.department).join(', ')})`);
      for (const g of p.groups ?? []) {
        if (g === 'rc-core') out.push('RC Core');
        const m = /^(lab-manager|core-admin):(\d{8})$/.exec(g);
        if (m) out.push(`${m[1] === 'lab-manager' ? 'manages' : 'core admin of'} ${nameOf.get(m[2]!) ?? m[2]}'s lab`);
      }
      if (p.hmsAccountId) out.push(`HMS account ${p.hmsAccountId}`);
      if (p.endDate) out.push(`leaves HMS ${p.endDate}`);
      return names(out);
    };
    const rows = people
      .map((p) => {
        const who = escapeHtml(p.name);
        return `<tr>
<th scope="row">${who}</th>
<td>${escapeHtml(p.huid)}</td>
<td>${escapeHtml(p.role)}</td>
<td>${escapeHtml(p.school)}</td>
<td>${escapeHtml(p.site)}</td>
<td>${p.active ? 'active' : 'inactive'}</td>
<td>${names((p.delegates ?? []).map((d) => nameOf.get(d) ?? d))}</td>
<td>${names(delegateOf(p.huid))}</td>
<td>${also(p)}</td>
<td><button type="submit" name="account" value="${escapeHtml(p.huid)}">Sign in as ${who}</button>
<button type="submit" name="account" value="${escapeHtml(`${p.huid}/${this.opts.hmsItRole}`)}">Sign in as ${who}, HMS IT</button></td>
</tr>`;
      })
      .join('\n');
    const scope = escapeHtml(String(params.scope ?? ''));
    return page(
      'Sign in — HMS guest accounts (local)',
      `<h1>Sign in to HMS guest accounts</h1>
<p>The local system's identity provider, in HarvardKey's place: no password. Choose who you are.
“HMS IT” adds the role <code>${escapeHtml(this.opts.hmsItRole)}</code> to the token.</p>
<p>The pages (<code>${escapeHtml(String(params.client_id ?? ''))}</code>) ask for: <code>${scope || '—'}</code>.</p>
<form method="post" action="${escapeHtml(action)}">
<table>
<caption>People in the directory (${people.length})</caption>
<thead><tr><th scope="col">Name</th><th scope="col">HUID</th><th scope="col">Role</th><th scope="col">School</th><th scope="col">Site</th><th scope="col">Status</th><th scope="col">Delegates named</th><th scope="col">Delegate of</th><th scope="col">Also</th><th scope="col">Sign in</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="10">The directory holds no people.</td></tr>'}
</tbody>
</table>
<p><button type="submit" name="cancel" value="1">Cancel: back to the pages without signing in</button></p>
</form>`,
    );
  }
}
