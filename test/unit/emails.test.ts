/**
 * The emails as people read them (issue 20): every template of both lifecycles rendered from sample
 * records. Dates and instants are written in words (instants in Boston time), services by their
 * names, and the guest's activation email names the sponsor, by name only. Subjects keep their ISO
 * dates (mail is searched and sorted by them; tests match them).
 */
import { describe, expect, it } from 'vitest';
import type { EmailMessage } from '../../shared/core/ports.ts';
import type { Person } from '../../shared/core/domain/people.ts';
import { emails as guestEmails } from '../../shared/guest/app/emails.ts';
import type { Guest } from '../../shared/guest/domain/model.ts';
import { emails as o2Emails } from '../../shared/o2/app/emails.ts';
import type { Lab, O2Account } from '../../shared/o2/domain/model.ts';

const links = { activationUrl: 'https://guests.example/activate', portalUrl: 'https://guests.example' };
const ADA = { huid: '10000001', name: 'Ada Faculty', email: 'ada.faculty@hms.harvard.edu' } as Person;
const LEE = { huid: '10000004', name: 'Lee LabAdmin', email: 'lee.labadmin@hms.harvard.edu' } as Person;

const guest = {
  guestId: 'g-1',
  status: 'PENDING_ACTIVATION',
  guestHuid: '20000001',
  guestName: 'Grace Guest',
  guestEmail: 'grace.guest@example.org',
  sponsorHuid: ADA.huid,
  submittedBy: LEE.huid,
  population: 'visiting-faculty',
  services: ['email', 'wireless', 'portal'],
  startDate: '2026-12-14',
  endDate: '2027-06-30',
  accountId: 'ggu001',
  entitlements: [
    { name: 'email', granted: true },
    { name: 'wireless', granted: true },
    { name: 'portal', granted: true },
    { name: 'digital-library', granted: false, reason: 'not for guests' },
  ],
  activation: { hash: 'h', issuedAt: '2026-12-14T16:13:31.816Z', expiresAt: '2026-12-21T16:13:31.816Z' },
} as Guest;

const lab = { labId: 'lab-1', name: 'Ada Lab', piHuid: ADA.huid, institution: 'HMS', quad: { onQuad: true, reason: 'On-Quad.' } } as Lab;
const o2 = {
  o2AccountId: 'o2-1',
  status: 'ACTIVE',
  userHuid: '20000001',
  userName: 'Grace Guest',
  userEmail: 'grace.guest@example.org',
  piHuid: ADA.huid,
  labId: lab.labId,
  labPiHuid: ADA.huid,
  requestedBy: LEE.huid,
  guestId: guest.guestId,
  accountId: 'ggu001',
  quad: lab.quad,
  posix: { uidNumber: 300_001, homeDirectory: '/home/ggu001' },
  endDate: '2027-06-30',
} as O2Account;

/** Every template, rendered. */
const every: [string, EmailMessage][] = [
  ['activation', guestEmails.activation(guest, 'ABCDE-FGHIJ', { name: ADA.name }, links)],
  ['activationCopy', guestEmails.activationCopy(guest, ADA, links)],
  ['approvalRequest', guestEmails.approvalRequest(guest, ADA, LEE, links, false)],
  ['approvalRequest (filed for O2)', guestEmails.approvalRequest({ ...guest, filedForO2: true }, ADA, LEE, links, true)],
  ['approvalExpired', guestEmails.approvalExpired(guest, LEE.email)],
  ['denied', guestEmails.denied(guest, LEE.email, 'no longer needed')],
  ['hsrTimeout', guestEmails.hsrTimeout(guest, LEE.email)],
  ['expiryNotice', guestEmails.expiryNotice(guest, ADA, links, '2027-06-23')],
  ['expired', guestEmails.expired(guest, ADA.email, links)],
  ['activationAttempts', guestEmails.activationAttempts(guest, ADA, 10, true, links)],
  ['cancelled', guestEmails.cancelled(guest, ADA, 'Ada Faculty')],
  ['retainedAccount', guestEmails.retainedAccount({ ...guest, o2AccountId: o2.o2AccountId }, ADA, links)],
  ['o2ApprovalRequest', o2Emails.o2ApprovalRequest(o2, ADA, LEE, lab, links, false)],
  ['o2LabRegistrationToRcCore', o2Emails.o2LabRegistrationToRcCore(lab, ADA, links, 1)],
  ['o2LabRegistrationToPi', o2Emails.o2LabRegistrationToPi(o2, lab, ADA, links, 0)],
  ['o2Lapsed', o2Emails.o2Lapsed(o2, [LEE.email], 'approval-expired', links)],
  ['o2RcCoreSetup', o2Emails.o2RcCoreSetup(o2, lab, ADA, links, 'setup')],
  ['o2Active', o2Emails.o2Active(o2, ADA, links)],
  ['o2Renewal', o2Emails.o2Renewal(o2, ADA, 'Ada Faculty', 'please', links)],
  ['o2ExpiryNotice', o2Emails.o2ExpiryNotice(o2, ADA, '2027-06-23', links)],
  ['o2Expired', o2Emails.o2Expired(o2, ADA, links)],
  ['o2Denied', o2Emails.o2Denied(o2, [LEE.email], 'no', links)],
  ['o2Cancelled', o2Emails.o2Cancelled(o2, [LEE.email], 'Ada Faculty', links)],
];
const body = (m: EmailMessage) => `${m.text}\n${m.html}`;

describe('the emails, as people read them', () => {
  it.each(every)('%s: no instant, date or service code as the system stores it, in the text or the HTML', (_name, mail) => {
    expect(body(mail)).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/);
    expect(body(mail)).not.toMatch(/\b\d{4}-\d{2}-\d{2}\b/);
    expect(body(mail)).not.toMatch(/\b(email|wireless|portal|file-shares|research-applications|digital-library)(, |\.)/);
  });

  it("the guest's activation email: the sponsor by name (nothing else of theirs), the code's expiry in Boston time, the term in words", () => {
    // Act
    const mail = guestEmails.activation(guest, 'ABCDE-FGHIJ', { name: ADA.name }, links);
    // Assess
    expect(mail.text).toContain('at the request of your Harvard Medical School sponsor, Ada Faculty.');
    expect(body(mail)).not.toContain(ADA.huid);
    expect(body(mail)).not.toContain(ADA.email);
    expect(mail.text).toContain('valid until Monday, December 21, 2026 at 11:13 AM (Boston time).');
    expect(mail.text).toContain('Your account is valid from Monday, December 14, 2026 through Wednesday, June 30, 2027.');
    expect(mail.subject).toBe('Activate your HMS account');
  });

  it('a sponsor the directory no longer knows: the activation email says "your sponsor", never a HUID', () => {
    const mail = guestEmails.activation(guest, 'ABCDE-FGHIJ', undefined, links);
    expect(mail.text).toContain('at the request of your Harvard Medical School sponsor.');
    expect(body(mail)).not.toContain(ADA.huid);
  });

  it("the sponsor's copy names the services granted, not their codes", () => {
    const mail = guestEmails.activationCopy(guest, ADA, links);
    expect(mail.text).toContain('Services granted: HMS email account, Wireless network, HMS Web Portal.');
    expect(mail.text).not.toContain('Digital Library');
  });

  it('the expiry notices: dates in words in the body, the ISO date kept in the subject', () => {
    const notice = guestEmails.expiryNotice(guest, ADA, links, '2027-06-23');
    expect(notice.subject).toBe('HMS guest account ggu001 for Grace Guest expires on 2027-06-30');
    expect(notice.text).toContain('expires at the end of Wednesday, June 30, 2027. (Notice of Wednesday, June 23, 2027.)');
    const o2Notice = o2Emails.o2ExpiryNotice(o2, ADA, '2027-06-23', links);
    expect(o2Notice.subject).toBe('Your O2 account ggu001 expires on 2027-06-30');
    expect(o2Notice.text).toContain('expires at the end of Wednesday, June 30, 2027, with its HMS account. (Notice of Wednesday, June 23, 2027.)');
  });

  it('the retained account: the sponsor by name, or "your HMS sponsor", never a HUID', () => {
    expect(guestEmails.retainedAccount(guest, ADA, links).text).toContain('sponsored by Ada Faculty, from Monday, December 14, 2026 through Wednesday, June 30, 2027.');
    const unknown = guestEmails.retainedAccount(guest, undefined, links);
    expect(unknown.text).toContain('sponsored by your HMS sponsor,');
    expect(body(unknown)).not.toContain(ADA.huid);
  });
});
