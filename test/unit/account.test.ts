/** What the directory user of a guest should be (shared/guest/domain/account.ts), and how a user differs from it. */
import { describe, expect, it } from 'vitest';
import { accountDifferences, accountMustExist, desiredAccount, DIGITAL_LIBRARY_GROUP, groupsFor, MANAGED_GROUPS, SERVICE_GROUPS } from '../../shared/guest/domain/account.ts';
import { STATUSES, SERVICES, type Entitlement, type GuestStatus } from '../../shared/guest/domain/model.ts';

const entitlements: Entitlement[] = [
  { name: 'digital-library', granted: false, reason: 'never' },
  { name: 'email', granted: false, reason: 'hospital sponsor' },
  { name: 'wireless', granted: true },
  { name: 'file-shares', granted: true },
];
const guest = (status: GuestStatus) => ({ status, entitlements, endDate: '2027-06-30', population: 'agency-temp' as const, sponsorHuid: '10000001' });

describe('groups', () => {
  it('one group per granted service, sorted; never the Digital Library, even if an entitlement said so', () => {
    expect(groupsFor(entitlements)).toEqual(['hms-guest-file-shares', 'hms-guest-wireless']);
    expect(groupsFor([{ name: 'digital-library', granted: true }])).toEqual([]);
    expect(Object.keys(SERVICE_GROUPS).sort()).toEqual([...SERVICES].sort());
    expect(Object.values(SERVICE_GROUPS)).not.toContain(DIGITAL_LIBRARY_GROUP);
    expect(MANAGED_GROUPS).toContain(DIGITAL_LIBRARY_GROUP);
  });
});

describe('desiredAccount', () => {
  it.each(STATUSES.map((s) => [s] as const))('%s', (status) => {
    const want = desiredAccount(guest(status));
    if (status === 'FAILED') return expect(want).toBeUndefined();
    const facts = { endDate: '2027-06-30', population: 'agency-temp', sponsorHuid: '10000001' };
    if (status === 'ACTIVE') expect(want).toEqual({ active: true, groups: ['hms-guest-file-shares', 'hms-guest-wireless'], ...facts });
    else if (status === 'PENDING_ACTIVATION') expect(want).toEqual({ active: false, groups: ['hms-guest-file-shares', 'hms-guest-wireless'], ...facts });
    else expect(want).toEqual({ active: false, groups: [], ...facts });
    expect(accountMustExist({ status })).toBe(status === 'ACTIVE' || status === 'PENDING_ACTIVATION');
  });
});

describe('accountDifferences', () => {
  const want = desiredAccount(guest('EXPIRED'))!;
  it('nothing when the user is as it should be; groups this system does not manage are not looked at', () => {
    expect(accountDifferences(want, { active: false, groups: ['hms-staff'], endDate: '2027-06-30', population: 'agency-temp', sponsorHuid: '10000001' })).toEqual([]);
  });

  it('enabled by hand, a group left, the Digital Library, other facts: each a difference', () => {
    const seen = { active: true, groups: ['hms-guest-email', DIGITAL_LIBRARY_GROUP, 'hms-staff'], endDate: '2027-05-31', population: 'agency-temp', sponsorHuid: '10000001' };
    expect(accountDifferences(want, seen)).toEqual([
      { field: 'active', want: false },
      { field: 'group', group: 'hms-guest-email', want: 'not-member' },
      { field: 'group', group: DIGITAL_LIBRARY_GROUP, want: 'not-member' },
      { field: 'facts' },
    ]);
  });

  it('a missing group of an active account', () => {
    const active = desiredAccount(guest('ACTIVE'))!;
    expect(accountDifferences(active, { active: true, groups: ['hms-guest-wireless'], endDate: '2027-06-30', population: 'agency-temp', sponsorHuid: '10000001' })).toEqual([
      { field: 'group', group: 'hms-guest-file-shares', want: 'member' },
    ]);
  });
});
