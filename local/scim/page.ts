/** The local directory's read-only page: its users (with their groups) and groups (with their members). */
import type { DirectorySnapshot } from './snapshot.ts';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const cell = (v: string | null | boolean) => `<td>${v === null ? '' : escape(String(v))}</td>`;

export function directoryPage(d: DirectorySnapshot, scimPath: string): string {
  const users = d.users
    .map(
      (u) =>
        `<tr>${cell(u.userName)}${cell(u.name)}${cell(u.active ? 'active' : 'disabled')}${cell(u.groups.join(', '))}${cell(u.endDate)}${cell(u.population)}${cell(u.sponsorHuid)}${cell(u.passwordSet ? 'set' : 'not set')}${cell(u.externalId)}${cell(u.uidNumber === null ? null : `uid ${u.uidNumber}, ${u.homeDirectory ?? ''}`)}${cell(u.lastModified)}</tr>`,
    )
    .join('\n');
  const groups = d.groups.map((g) => `<tr>${cell(g.displayName)}${cell(g.members.join(', '))}</tr>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>HMS account directory (local)</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1e1e1e; }
table { border-collapse: collapse; margin-bottom: 2rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
code { background: #f4f4f4; padding: 0 0.2rem; }
</style>
</head>
<body>
<h1>HMS account directory (local)</h1>
<p>The embedded SCIM 2.0 server of <code>npm start</code>, read-only here. SCIM API: <code>${escape(scimPath)}</code> (bearer token). ${d.users.length} users, ${d.groups.length} groups.</p>
<h2>Users</h2>
<table>
<thead><tr><th>userName</th><th>name</th><th>status</th><th>groups</th><th>end date</th><th>population</th><th>sponsor</th><th>password</th><th>externalId (guest)</th><th>O2 login (POSIX)</th><th>last modified</th></tr></thead>
<tbody>
${users}
</tbody>
</table>
<h2>Groups</h2>
<table>
<thead><tr><th>group</th><th>members</th></tr></thead>
<tbody>
${groups}
</tbody>
</table>
</body>
</html>
`;
}
