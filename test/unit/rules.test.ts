import { describe, expect, it } from 'vitest';
import { ConflictError, NotAllowedError, RuleViolation, ValidationError } from '../../shared/core/domain/errors.ts';
import { DEFAULT_SERVICES, FINAL_STATUSES, STATUSES, type Guest, type GuestStatus } from '../../shared/guest/domain/model.ts';
import { type HsrRecord, type Person } from '../../shared/core/domain/people.ts';
import {
  ACCOUNT_ID_PATTERN,
  accountIdCandidates,
  accountIdLetters,
  activationExpiry,
  approvalExpired,
  approvalTimeouts,
  assertEligibleSponsor,
  assertMaySubmitFor,
  assertPopulation,
  checkActivation,
  computeEntitlements,
  decideExtension,
  decideTerm,
  expiryInstant,
  hsrState,
  hsrWaitOutcome,
  nextDueAt,
  nextScheduleStep,
  noticeDates,
  refuseWyss,
  restoreDeadline,
  sponsorStanding,
} from '../../shared/guest/domain/rules.ts';
import { transition } from '../../shared/guest/domain/transitions.ts';
import { thrown } from '../support/thrown.ts';

const DAY = 86_400_000;
const at = (iso: string): Date => new Date(iso);
const plus = (instant: Date, ms: number): Date => new Date(instant.getTime() + ms);

function person(overrides: Partial<Person> = {}): Person {
  return {
    huid: '10000001',
    name: 'Ada Faculty',
    email: 'ada.faculty@hms.harvard.edu',
    role: 'faculty',
    school: 'HMS',
    site: 'Quad',
    active: true,
    ...overrides,
  };
}

function hsr(overrides: Partial<HsrRecord> = {}): HsrRecord {
  return {
    huid: '20000001',
    firstName: 'Gus',
    lastName: 'Guest',
    personalEmail: 'gus@example.org',
    status: 'active',
    endDate: '2027-06-30',
    ...overrides,
  };
}

function guest(overrides: Partial<Guest> = {}): Guest {
  return {
    guestId: 'g-0001',
    status: 'ACTIVE',
    guestHuid: '20000001',
    guestName: 'Gus Guest',
    guestEmail: 'gus@example.org',
    sponsorHuid: '10000001',
    submittedBy: '10000001',
    population: 'visiting-faculty',
    services: ['email'],
    startDate: '2026-01-05',
    endDate: '2026-03-31',
    entitlements: [],
    createdAt: '2026-01-02T15:00:00.000Z',
    updatedAt: '2026-01-02T15:00:00.000Z',
    version: 1,
    ...overrides,
  };
}

describe('assertEligibleSponsor (rule 1)', () => {
  it.each([
    ['HMS faculty', person()],
    ['HMS staff', person({ role: 'staff' })],
    ['HSDM staff', person({ huid: '10000001', role: 'staff', school: 'HSDM', name: 'Dee Dental' })],
    ['HSDM faculty', person({ school: 'HSDM' })],
    ['HMS faculty at an affiliate hospital', person({ site: 'MGH' })],
  ])('accepts %s and returns the person', (_label, sponsor) => {
    expect(assertEligibleSponsor('10000001', sponsor)).toBe(sponsor);
  });

  it.each(['1234567', '123456789', '1234567a', '', ' 10000001', 'abcdefgh'])('refuses the malformed HUID %j', (huid) => {
    const error = thrown(() => assertEligibleSponsor(huid, person({ huid })), NotAllowedError);
    expect(error.message).toContain('not a valid 8-digit Harvard ID');
  });

  it('refuses a sponsor missing from the people directory', () => {
    const error = thrown(() => assertEligibleSponsor('10000099', undefined), NotAllowedError);
    expect(error.message).toBe('Sponsor 10000099 is not in the Harvard people directory.');
  });

  it('refuses an inactive sponsor', () => {
    const error = thrown(() => assertEligibleSponsor('10000008', person({ huid: '10000008', active: false })), NotAllowedError);
    expect(error.message).toContain('not active');
  });

  it('refuses an active HMS student', () => {
    const error = thrown(() => assertEligibleSponsor('10000006', person({ huid: '10000006', role: 'student' })), NotAllowedError);
    expect(error.message).toContain('10000006 is student');
  });

  it('refuses an active HMS affiliate (neither faculty nor staff)', () => {
    const error = thrown(() => assertEligibleSponsor('10000010', person({ huid: '10000010', role: 'affiliate' })), NotAllowedError);
    expect(error.message).toContain('must be HMS or HSDM faculty or staff');
  });

  it('refuses active FAS staff, naming the school', () => {
    const fas = person({ huid: '10000009', role: 'staff', school: 'FAS', site: 'Cambridge' });
    const error = thrown(() => assertEligibleSponsor('10000009', fas), NotAllowedError);
    expect(error.message).toContain('belongs to FAS');
  });

  it.each([
    ['Wyss staff', person({ huid: '10000005', role: 'staff', school: 'Wyss', site: 'Wyss' })],
    ['an inactive Wyss affiliate', person({ huid: '10000005', role: 'affiliate', school: 'Wyss', site: 'Wyss', active: false })],
    ['an HMS faculty member based at the Wyss Institute', person({ huid: '10000005', site: 'Wyss Institute' })],
  ])('sends %s to Wyss HR and Academic Affairs', (_label, wyss) => {
    const error = thrown(() => assertEligibleSponsor('10000005', wyss), NotAllowedError);
    expect(error.message).toContain('AcademicAffairs@wyss.harvard.edu');
  });
});

describe('sponsorStanding (rules 1 and 6, as GET /v1/me shows them)', () => {
  it('an eligible sponsor: the person', () => {
    const sponsor = person();
    expect(sponsorStanding('10000001', sponsor)).toEqual({ eligible: true, person: sponsor });
  });

  it.each([
    ['a malformed HUID', '1234', person({ huid: '1234' }), 'invalid-huid', undefined],
    ['someone not in the directory', '10000099', undefined, 'not-in-directory', undefined],
    ['Wyss staff (before anything else, even inactive)', '10000005', person({ huid: '10000005', school: 'Wyss', site: 'Wyss', active: false }), 'wyss', 'AcademicAffairs@wyss.harvard.edu'],
    ['an inactive faculty member', '10000008', person({ huid: '10000008', active: false }), 'inactive', undefined],
    ['a student', '10000006', person({ huid: '10000006', role: 'student' }), 'not-faculty-or-staff', undefined],
    ['FAS staff', '10000009', person({ huid: '10000009', role: 'staff', school: 'FAS' }), 'not-hms-or-hsdm', undefined],
  ] as const)('%s: %s, with the message assertEligibleSponsor refuses with', (_label, huid, who, reason, contact) => {
    const standing = sponsorStanding(huid, who);
    expect(standing).toMatchObject({ eligible: false, reason });
    expect(standing.eligible ? undefined : standing.contact).toBe(contact);
    expect(thrown(() => assertEligibleSponsor(huid, who), NotAllowedError).message).toBe(standing.eligible ? '' : standing.message);
  });
});

describe('refuseWyss (rule 6)', () => {
  it.each([
    ['school Wyss', { school: 'Wyss', site: 'Boston' }],
    ['school in lower case', { school: 'wyss', site: 'Boston' }],
    ['site WYSS', { school: 'HMS', site: 'WYSS' }],
  ])('refuses a requester with %s', (_label, where) => {
    const error = thrown(() => refuseWyss(person(where)), NotAllowedError);
    expect(error.message).toContain('email Wyss HR and Academic Affairs at AcademicAffairs@wyss.harvard.edu');
    expect(error.kind).toBe('forbidden');
  });

  it.each([
    ['HMS on the Quad', { school: 'HMS', site: 'Quad' }],
    ['HMS at MGH', { school: 'HMS', site: 'MGH' }],
    ['FAS in Cambridge', { school: 'FAS', site: 'Cambridge' }],
  ])('lets %s through', (_label, where) => {
    expect(() => refuseWyss(person(where))).not.toThrow();
  });
});

describe('assertMaySubmitFor (rule 7: who submits)', () => {
  const sponsor = person({ huid: '10000001', delegates: ['10000004'] });

  it('recognises the sponsor', () => {
    expect(assertMaySubmitFor('10000001', '10000001', sponsor)).toBe('sponsor');
  });

  it('recognises a delegate the sponsor named', () => {
    expect(assertMaySubmitFor('10000004', '10000001', sponsor)).toBe('delegate');
  });

  it('refuses a stranger', () => {
    const error = thrown(() => assertMaySubmitFor('10000002', '10000001', sponsor), NotAllowedError);
    expect(error.message).toBe("10000002 is not a delegate named by sponsor 10000001: only a sponsor, or a delegate the sponsor named, files a request in the sponsor's name.");
  });

  it('refuses anyone but the sponsor when the sponsor named no delegates', () => {
    thrown(() => assertMaySubmitFor('10000004', '10000001', person({ huid: '10000001' })), NotAllowedError);
  });

  it.each([
    ['an eligible sponsor', person({ huid: '10000001' })],
    ['a student', person({ huid: '10000001', role: 'student' })],
    ['a person who is not active', person({ huid: '10000001', active: false })],
    ['a person of FAS', person({ huid: '10000001', school: 'FAS' })],
    ['a Wyss person', person({ huid: '10000001', site: 'Wyss Institute' })],
    ['nobody in the directory', undefined],
  ])('answers a stranger alike whatever the HUID names (%s): nothing of its standing', (_name, target) => {
    const error = thrown(() => assertMaySubmitFor('10000002', '10000001', target), NotAllowedError);
    expect(error.message).toBe("10000002 is not a delegate named by sponsor 10000001: only a sponsor, or a delegate the sponsor named, files a request in the sponsor's name.");
  });
});

describe('assertPopulation (rule 2)', () => {
  const faculty = person();
  const staff = person({ huid: '10000002', role: 'staff' });

  it.each([undefined, ''])('requires a HU contractor ID for a Harvard contractor (contractorId %j)', (contractorId) => {
    const error = thrown(() => assertPopulation('harvard-contractor', { contractorId }, faculty, undefined), ValidationError);
    expect(error.fields).toEqual({ contractorId: ['required for population harvard-contractor'] });
    expect(error.kind).toBe('invalid');
  });

  it('accepts a Harvard contractor with a contractor ID', () => {
    expect(() => assertPopulation('harvard-contractor', { contractorId: 'C-123456' }, faculty, undefined)).not.toThrow();
  });

  it('refuses visiting faculty sponsored by a staff member', () => {
    const error = thrown(() => assertPopulation('visiting-faculty', {}, staff, undefined), RuleViolation);
    expect(error.message).toContain('the sponsor must be faculty');
  });

  it('accepts visiting faculty sponsored by HSDM faculty', () => {
    expect(() => assertPopulation('visiting-faculty', {}, person({ school: 'HSDM' }), undefined)).not.toThrow();
  });

  it.each(['agency-temp', 'ce-or-summer-student', 'harvard-employee'] as const)('lets a staff member sponsor %s', (population) => {
    expect(() => assertPopulation(population, {}, staff, undefined)).not.toThrow();
  });

  it.each([
    ['active HMS staff', person({ huid: '20000002', role: 'staff', school: 'HMS' })],
    ['active HMS faculty', person({ huid: '20000002', role: 'faculty', school: 'HMS' })],
    ['an active HMS student', person({ huid: '20000002', role: 'student', school: 'HMS' })],
    ['active HSDM staff', person({ huid: '20000002', role: 'staff', school: 'HSDM' })],
  ])('refuses a guest who is %s (provisioned automatically)', (_label, guestInDirectory) => {
    const error = thrown(() => assertPopulation('harvard-employee', {}, faculty, guestInDirectory), RuleViolation);
    expect(error.message).toContain('20000002 is active HMS/HSDM');
    expect(error.message).toContain('provisioned an HMS account automatically');
  });

  it.each([
    ['former (inactive) HMS staff', person({ huid: '20000002', role: 'staff', school: 'HMS', active: false })],
    ['active FAS staff', person({ huid: '20000002', role: 'staff', school: 'FAS', site: 'Cambridge' })],
    ['active SEAS faculty', person({ huid: '20000002', role: 'faculty', school: 'SEAS', site: 'Allston' })],
  ])('accepts a guest who is %s', (_label, guestInDirectory) => {
    expect(() => assertPopulation('harvard-employee', {}, faculty, guestInDirectory)).not.toThrow();
  });

  it('accepts an active HMS affiliate, who is not provisioned automatically (only faculty, staff and students are)', () => {
    // Prepare: someone in the directory under school HMS whose role is neither faculty, staff nor student
    const affiliate = person({ huid: '20000003', role: 'affiliate', school: 'HMS', site: 'MGH' });
    // Act / Assess
    expect(() => assertPopulation('agency-temp', {}, faculty, affiliate)).not.toThrow();
  });
});

describe('hsrState (rule 3)', () => {
  it.each([
    ['missing', undefined, 'missing'],
    ['inactive', hsr({ status: 'inactive', endDate: '2027-06-30' }), 'inactive'],
    ['ending the day before the account end date', hsr({ endDate: '2026-12-30' }), 'ends-too-soon'],
    ['ending on the account end date', hsr({ endDate: '2026-12-31' }), 'ok'],
    ['ending after the account end date', hsr({ endDate: '2027-01-01' }), 'ok'],
    ['ending in an earlier year', hsr({ endDate: '2025-12-31' }), 'ends-too-soon'],
  ] as const)('an HSR %s is %s', (_label, record, expected) => {
    expect(hsrState(record, '2026-12-31')).toBe(expected);
  });

  it('reports an inactive HSR as inactive even when its end date would cover the account', () => {
    expect(hsrState(hsr({ status: 'inactive', endDate: '2030-01-01' }), '2026-12-31')).toBe('inactive');
  });
});

describe('hsrWaitOutcome (rule 3: waiting for the HSR)', () => {
  const since = at('2026-01-05T15:00:00.000Z');

  it('re-checks a day later when the wait has just begun', () => {
    expect(hsrWaitOutcome(since, since)).toEqual({ timedOut: false, nextCheckAt: at('2026-01-06T15:00:00.000Z') });
  });

  it('re-checks a day after the current check, not a day after the start of the wait', () => {
    const now = at('2026-01-09T08:30:00.000Z');
    expect(hsrWaitOutcome(since, now)).toEqual({ timedOut: false, nextCheckAt: at('2026-01-10T08:30:00.000Z') });
  });

  it('never schedules a re-check past the 14-day limit', () => {
    // Prepare: 13.5 days in, a day later would be past the limit
    const now = plus(since, 13.5 * DAY);
    // Act
    const outcome = hsrWaitOutcome(since, now);
    // Assess
    expect(outcome).toEqual({ timedOut: false, nextCheckAt: at('2026-01-19T15:00:00.000Z') });
  });

  it('has not timed out 1 ms before the 14 days are up', () => {
    const now = at('2026-01-19T14:59:59.999Z');
    expect(hsrWaitOutcome(since, now)).toEqual({ timedOut: false, nextCheckAt: at('2026-01-19T15:00:00.000Z') });
  });

  it('times out at exactly 14 days', () => {
    const now = at('2026-01-19T15:00:00.000Z');
    expect(hsrWaitOutcome(since, now)).toEqual({ timedOut: true, nextCheckAt: now });
  });

  it('times out after 14 days', () => {
    const now = at('2026-01-25T00:00:00.000Z');
    expect(hsrWaitOutcome(since, now)).toEqual({ timedOut: true, nextCheckAt: now });
  });
});

describe('decideTerm (rule 4)', () => {
  // 03:00 UTC on 1 January 2026 is 22:00 on 31 December 2025 in Boston (EST, UTC-5).
  const lateNewYearsEve = at('2026-01-01T03:00:00.000Z');

  it('defaults the start date to today in Boston, not in UTC', () => {
    expect(decideTerm({ endDate: '2026-06-30' }, lateNewYearsEve)).toEqual({ startDate: '2025-12-31', endDate: '2026-06-30' });
  });

  it('measures the one-year limit from the Boston date when the start date is omitted', () => {
    // Prepare: one year after the UTC date would be 2027-01-01, but the Boston date is 2025-12-31
    // Act
    const error = thrown(() => decideTerm({ endDate: '2027-01-01' }, lateNewYearsEve), ValidationError);
    // Assess
    expect(error.fields).toEqual({ endDate: ['must be at most one year after the start date: 2026-12-31 at the latest'] });
  });

  it('accepts a start date of today and a future start date', () => {
    expect(decideTerm({ startDate: '2025-12-31', endDate: '2026-01-31' }, lateNewYearsEve)).toEqual({
      startDate: '2025-12-31',
      endDate: '2026-01-31',
    });
    expect(decideTerm({ startDate: '2026-03-01', endDate: '2026-09-01' }, lateNewYearsEve)).toEqual({
      startDate: '2026-03-01',
      endDate: '2026-09-01',
    });
  });

  it('refuses a start date in the past, naming the field', () => {
    const error = thrown(() => decideTerm({ startDate: '2025-12-30', endDate: '2026-06-30' }, lateNewYearsEve), ValidationError);
    expect(error.message).toBe('The account term is not valid.');
    expect(error.fields).toEqual({ startDate: ['must be today (2025-12-31) or later'] });
  });

  it('refuses yesterday as a start date from the first instant of the new day in Boston', () => {
    // 05:00 UTC on 1 January 2026 is midnight in Boston
    const error = thrown(() => decideTerm({ startDate: '2025-12-31', endDate: '2026-06-30' }, at('2026-01-01T05:00:00.000Z')), ValidationError);
    expect(error.fields).toEqual({ startDate: ['must be today (2026-01-01) or later'] });
  });

  it('refuses an end date before the start date', () => {
    const error = thrown(() => decideTerm({ startDate: '2026-02-10', endDate: '2026-02-09' }, lateNewYearsEve), ValidationError);
    expect(error.fields).toEqual({ endDate: ['must be on or after the start date 2026-02-10'] });
  });

  it('accepts a one-day term (end date equal to the start date)', () => {
    expect(decideTerm({ startDate: '2026-02-10', endDate: '2026-02-10' }, lateNewYearsEve)).toEqual({
      startDate: '2026-02-10',
      endDate: '2026-02-10',
    });
  });

  it('accepts exactly one year', () => {
    expect(decideTerm({ startDate: '2026-02-10', endDate: '2027-02-10' }, lateNewYearsEve)).toEqual({
      startDate: '2026-02-10',
      endDate: '2027-02-10',
    });
  });

  it('refuses one year and one day', () => {
    const error = thrown(() => decideTerm({ startDate: '2026-02-10', endDate: '2027-02-11' }, lateNewYearsEve), ValidationError);
    expect(error.fields).toEqual({ endDate: ['must be at most one year after the start date: 2027-02-10 at the latest'] });
  });

  it('names both fields when both are wrong', () => {
    const error = thrown(() => decideTerm({ startDate: '2025-12-30', endDate: '2025-12-29' }, lateNewYearsEve), ValidationError);
    expect(error.fields).toEqual({
      startDate: ['must be today (2025-12-31) or later'],
      endDate: ['must be on or after the start date 2025-12-30'],
    });
  });

  describe('leap day', () => {
    // 15:00 UTC on 29 February 2024 is 10:00 in Boston
    const leapDay = at('2024-02-29T15:00:00.000Z');

    it('makes 28 February the latest end date for a term starting on 29 February', () => {
      expect(decideTerm({ startDate: '2024-02-29', endDate: '2025-02-28' }, leapDay)).toEqual({
        startDate: '2024-02-29',
        endDate: '2025-02-28',
      });
    });

    it('refuses 1 March for a term starting on 29 February', () => {
      const error = thrown(() => decideTerm({ endDate: '2025-03-01' }, leapDay), ValidationError);
      expect(error.fields).toEqual({ endDate: ['must be at most one year after the start date: 2025-02-28 at the latest'] });
    });

    it('allows a year that contains a leap day (1 March 2023 to 1 March 2024)', () => {
      expect(decideTerm({ startDate: '2023-03-01', endDate: '2024-03-01' }, at('2023-02-01T15:00:00.000Z'))).toEqual({
        startDate: '2023-03-01',
        endDate: '2024-03-01',
      });
    });
  });
});

describe('expiryInstant and restoreDeadline (rule 10)', () => {
  it.each([
    ['a winter date (EST, UTC-5)', '2026-01-15', '2026-01-16T05:00:00.000Z'],
    ['a summer date (EDT, UTC-4)', '2026-07-15', '2026-07-16T04:00:00.000Z'],
    ['the day before spring-forward', '2026-03-07', '2026-03-08T05:00:00.000Z'],
    ['the spring-forward day (8 March 2026)', '2026-03-08', '2026-03-09T04:00:00.000Z'],
    ['the day before fall-back', '2026-10-31', '2026-11-01T04:00:00.000Z'],
    ['the fall-back day (1 November 2026)', '2026-11-01', '2026-11-02T05:00:00.000Z'],
    ['New Year’s Eve', '2026-12-31', '2027-01-01T05:00:00.000Z'],
  ])('disables an account ending on %s at the next Boston midnight', (_label, endDate, expected) => {
    expect(expiryInstant(endDate).toISOString()).toBe(expected);
  });

  it('makes the spring-forward day 23 hours long', () => {
    expect(expiryInstant('2026-03-08').getTime() - expiryInstant('2026-03-07').getTime()).toBe(23 * 3_600_000);
  });

  it.each([
    ['a winter end date', '2026-01-15', '2026-02-15T05:00:00.000Z'],
    ['a summer end date', '2026-06-15', '2026-07-16T04:00:00.000Z'],
    ['a winter end date whose window ends on the spring-forward day', '2026-02-06', '2026-03-09T04:00:00.000Z'],
    ['an end date on the spring-forward day', '2026-03-08', '2026-04-08T04:00:00.000Z'],
    ['a summer end date whose window ends in winter', '2026-10-15', '2026-11-15T05:00:00.000Z'],
  ])('closes the restore window for %s at the end of the 30th day after it', (_label, endDate, expected) => {
    expect(restoreDeadline(endDate).toISOString()).toBe(expected);
  });

  it('gives exactly 30 × 24 hours of restore window when no clock change intervenes', () => {
    expect(restoreDeadline('2026-01-15').getTime() - expiryInstant('2026-01-15').getTime()).toBe(30 * DAY);
  });
});

describe('decideExtension (rule 4: extension; rule 10: restore)', () => {
  // 15:00 UTC on 20 March 2026 is 11:00 EDT in Boston; "today" is 2026-03-20, a year from today is 2027-03-20.
  const now = at('2026-03-20T15:00:00.000Z');
  const coveringHsr = hsr({ endDate: '2027-06-30' });

  it.each(['PENDING_ACTIVATION', 'ACTIVE'] as const)('extends a %s account without restoring it', (status) => {
    expect(decideExtension(guest({ status }), '2026-09-30', coveringHsr, now)).toEqual({ restores: false });
  });

  it.each(['PENDING_HSR', 'PENDING_APPROVAL', 'DENIED', 'APPROVAL_EXPIRED', 'HSR_TIMEOUT', 'CANCELLED', 'FAILED'] as const)(
    'refuses to extend a %s guest',
    (status) => {
      const error = thrown(() => decideExtension(guest({ status }), '2026-09-30', coveringHsr, now), ConflictError);
      expect(error.message).toBe(`A guest in status ${status} cannot be extended.`);
    },
  );

  it('accepts a new end date exactly one year from today', () => {
    expect(decideExtension(guest(), '2027-03-20', coveringHsr, now)).toEqual({ restores: false });
  });

  it('refuses a new end date one year and one day from today', () => {
    const error = thrown(() => decideExtension(guest(), '2027-03-21', coveringHsr, now), ValidationError);
    expect(error.fields).toEqual({ endDate: ['must be at most one year from today: 2027-03-20 at the latest'] });
  });

  it('measures "one year from today" from the Boston date', () => {
    // Prepare: 03:00 UTC on 1 January 2026 is still 31 December 2025 in Boston
    const lateNewYearsEve = at('2026-01-01T03:00:00.000Z');
    // Act
    const error = thrown(() => decideExtension(guest(), '2027-01-01', coveringHsr, lateNewYearsEve), ValidationError);
    // Assess
    expect(error.fields).toEqual({ endDate: ['must be at most one year from today: 2026-12-31 at the latest'] });
  });

  it.each([
    ['equal to the current end date', '2026-03-31'],
    ['before the current end date', '2026-03-25'],
    ['before today', '2026-03-01'],
  ])('refuses a new end date %s', (_label, newEndDate) => {
    const error = thrown(() => decideExtension(guest(), newEndDate, coveringHsr, now), ValidationError);
    expect(error.fields).toEqual({ endDate: ['must be 2026-04-01 or later'] });
  });

  it('accepts the day after the current end date', () => {
    expect(decideExtension(guest(), '2026-04-01', coveringHsr, now)).toEqual({ restores: false });
  });

  it('refuses a new end date past the HSR end date and says to extend the HSR first', () => {
    // Prepare
    const shortHsr = hsr({ endDate: '2026-06-30' });
    // Act
    const error = thrown(() => decideExtension(guest(), '2026-07-01', shortHsr, now), RuleViolation);
    // Assess
    expect(error.message).toBe(
      "The guest's Harvard Sponsored Role does not cover 2026-07-01 (it ends 2026-06-30): extend the HSR in the HSR Portal first, then the HMS account.",
    );
    expect(error.kind).toBe('unprocessable');
  });

  it('accepts a new end date equal to the HSR end date', () => {
    expect(decideExtension(guest(), '2026-06-30', hsr({ endDate: '2026-06-30' }), now)).toEqual({ restores: false });
  });

  it('refuses when the HSR is inactive, saying so', () => {
    const error = thrown(() => decideExtension(guest(), '2026-06-30', hsr({ status: 'inactive', endDate: '2027-06-30' }), now), RuleViolation);
    expect(error.message).toContain('(it ends 2027-06-30, inactive)');
    expect(error.message).toContain('extend the HSR in the HSR Portal first');
  });

  it('refuses when there is no HSR', () => {
    const error = thrown(() => decideExtension(guest(), '2026-06-30', undefined, now), RuleViolation);
    expect(error.message).toBe(
      "The guest's Harvard Sponsored Role does not cover 2026-06-30: extend the HSR in the HSR Portal first, then the HMS account.",
    );
  });

  describe('restoring an EXPIRED account', () => {
    // End date 2026-03-10: expired at 2026-03-11T04:00Z; restore window closes at the end of 2026-04-09 (2026-04-10T04:00Z).
    const expired = guest({ status: 'EXPIRED', endDate: '2026-03-10' });

    it('restores within 30 days', () => {
      expect(decideExtension(expired, '2026-09-30', coveringHsr, now)).toEqual({ restores: true });
    });

    it('restores with a new end date of today', () => {
      expect(decideExtension(expired, '2026-03-20', coveringHsr, now)).toEqual({ restores: true });
    });

    it('refuses a restore whose new end date is already past', () => {
      const error = thrown(() => decideExtension(expired, '2026-03-15', coveringHsr, now), ValidationError);
      expect(error.fields).toEqual({ endDate: ['must be 2026-03-20 or later'] });
    });

    it('restores in the last millisecond of the 30th day', () => {
      expect(decideExtension(expired, '2026-12-31', coveringHsr, at('2026-04-10T03:59:59.999Z'))).toEqual({ restores: true });
    });

    it('refuses once the 30 days are over, asking for a new request', () => {
      // Prepare: midnight EDT starting 2026-04-10
      const tooLate = at('2026-04-10T04:00:00.000Z');
      // Act
      const error = thrown(() => decideExtension(expired, '2026-12-31', coveringHsr, tooLate), ConflictError);
      // Assess
      expect(error.message).toBe('The account expired more than 30 days ago (end date 2026-03-10): submit a new request.');
    });

    it('still requires the HSR to cover the new end date', () => {
      const error = thrown(() => decideExtension(expired, '2026-09-30', hsr({ endDate: '2026-03-10' }), now), RuleViolation);
      expect(error.message).toContain('extend the HSR in the HSR Portal first');
    });
  });
});

describe('computeEntitlements (rule 5 and the O2 rules)', () => {
  const quadFaculty = person({ site: 'Quad' });
  const mghFaculty = person({ huid: '10000003', site: 'MGH' });
  const digitalLibrary = {
    name: 'digital-library',
    granted: false,
    reason: 'Guest accounts never have Digital Library access (electronic journal licences).',
  };

  it('always refuses the Digital Library, even when nothing is requested', () => {
    expect(computeEntitlements([], quadFaculty)).toStrictEqual([digitalLibrary]);
    expect(computeEntitlements([], mghFaculty)).toStrictEqual([digitalLibrary]);
  });

  it('grants the default services to a guest of a Quad sponsor', () => {
    expect(computeEntitlements(DEFAULT_SERVICES, quadFaculty)).toStrictEqual([
      digitalLibrary,
      { name: 'email', granted: true },
      { name: 'wireless', granted: true },
      { name: 'portal', granted: true },
    ]);
  });

  it('refuses email to a guest of an affiliate-hospital sponsor (MGH) and grants the rest', () => {
    expect(computeEntitlements(['email', 'file-shares', 'wireless', 'research-applications', 'portal'], mghFaculty)).toStrictEqual([
      digitalLibrary,
      { name: 'email', granted: false, reason: 'Guests of affiliate hospital sponsors (MGH) are not eligible for HMS email accounts.' },
      { name: 'file-shares', granted: true },
      { name: 'wireless', granted: true },
      { name: 'research-applications', granted: true },
      { name: 'portal', granted: true },
    ]);
  });

  it.each([
    ['a Quad faculty sponsor (a PI)', person({ site: 'Quad' })],
    ['a Quad staff sponsor (a manager)', person({ role: 'staff' })],
    ['an off-Quad sponsor (MGH)', person({ site: 'MGH' })],
    ['a sponsor who is neither a PI nor a manager', person({ role: 'student' })],
  ])('never grants O2 as a flag of the guest account, whoever sponsors (%s): it says O2 has a lifecycle of its own', (_who, sponsor) => {
    // Act
    const o2 = computeEntitlements(['o2'], sponsor).find((e) => e.name === 'o2');
    // Assess
    expect(o2).toStrictEqual({
      name: 'o2',
      granted: false,
      reason: 'O2 has a lifecycle of its own: the lab\'s PI registers the lab and requests the O2 account; off-Quad labs register with the HMS Research Computing Core (rccore@hms.harvard.edu) first.',
    });
  });

  it('names the O2 account the `o2` service started or links, still not granted by the guest account', () => {
    // Act
    const o2 = computeEntitlements(['email', 'o2'], quadFaculty, { o2AccountId: 'o2-123' }).find((e) => e.name === 'o2');
    // Assess
    expect(o2).toMatchObject({ name: 'o2', granted: false });
    expect(o2!.reason).toContain('O2 account o2-123 rests on this HMS account');
  });

  it('decides each requested service once, in the order requested, after the Digital Library', () => {
    const names = computeEntitlements(['portal', 'o2', 'email'], quadFaculty).map((e) => e.name);
    expect(names).toEqual(['digital-library', 'portal', 'o2', 'email']);
  });
});

describe('approvalTimeouts and approvalExpired (rule 7: deadlines)', () => {
  const requestedAt = at('2026-01-05T14:00:00.000Z');
  const WEEK_S = 7 * 86_400;

  it.each([
    ['at the request', 0, { stage: 'request', requestTimeoutSeconds: WEEK_S, remindTimeoutSeconds: WEEK_S }],
    ['1 day and 0.5 s later (rounded up)', DAY + 500, { stage: 'request', requestTimeoutSeconds: 6 * 86_400, remindTimeoutSeconds: WEEK_S }],
    ['1 ms before 7 days', 7 * DAY - 1, { stage: 'request', requestTimeoutSeconds: 1, remindTimeoutSeconds: WEEK_S }],
    ['at exactly 7 days', 7 * DAY, { stage: 'remind', requestTimeoutSeconds: 1, remindTimeoutSeconds: WEEK_S }],
    ['10 days later', 10 * DAY, { stage: 'remind', requestTimeoutSeconds: 1, remindTimeoutSeconds: 4 * 86_400 }],
    ['10 days and 0.25 s later', 10 * DAY + 250, { stage: 'remind', requestTimeoutSeconds: 1, remindTimeoutSeconds: 4 * 86_400 }],
    ['at exactly 14 days (never below 1 s)', 14 * DAY, { stage: 'remind', requestTimeoutSeconds: 1, remindTimeoutSeconds: 1 }],
    ['20 days later (never below 1 s)', 20 * DAY, { stage: 'remind', requestTimeoutSeconds: 1, remindTimeoutSeconds: 1 }],
  ])('%s', (_label, elapsed, expected) => {
    expect(approvalTimeouts(requestedAt, plus(requestedAt, elapsed))).toEqual(expected);
  });

  it.each([
    [0, false],
    [7 * DAY, false],
    [14 * DAY - 1, false],
    [14 * DAY, true],
    [20 * DAY, true],
  ])('after %i ms the approval has expired: %s', (elapsed, expected) => {
    expect(approvalExpired(requestedAt, plus(requestedAt, elapsed))).toBe(expected);
  });
});

describe('noticeDates (rule 9)', () => {
  it('lists the 8 dates from 7 days before through the end date, across a year end', () => {
    expect(noticeDates('2026-01-03')).toEqual([
      '2025-12-27',
      '2025-12-28',
      '2025-12-29',
      '2025-12-30',
      '2025-12-31',
      '2026-01-01',
      '2026-01-02',
      '2026-01-03',
    ]);
  });

  it('includes a leap day', () => {
    expect(noticeDates('2024-03-03')).toEqual([
      '2024-02-25',
      '2024-02-26',
      '2024-02-27',
      '2024-02-28',
      '2024-02-29',
      '2024-03-01',
      '2024-03-02',
      '2024-03-03',
    ]);
  });
});

describe('nextScheduleStep (rules 9 and 10)', () => {
  // End date 2026-01-20 (winter, EST): notices on 13..20 January at 09:00 EST = 14:00Z; expiry at 2026-01-21T05:00Z.
  const active = { status: 'ACTIVE' as GuestStatus, endDate: '2026-01-20' };

  it.each(['ACTIVE', 'PENDING_ACTIVATION'] as const)('a %s guest waits until 09:00 Boston time on T-7', (status) => {
    expect(nextScheduleStep({ status, endDate: '2026-01-20' }, at('2026-01-01T12:00:00.000Z'))).toEqual({
      action: 'wait',
      until: at('2026-01-13T14:00:00.000Z'),
    });
  });

  it('uses EDT (UTC-4) for a summer notice', () => {
    expect(nextScheduleStep({ status: 'ACTIVE', endDate: '2026-07-20' }, at('2026-07-01T12:00:00.000Z'))).toEqual({
      action: 'wait',
      until: at('2026-07-13T13:00:00.000Z'),
    });
  });

  it('waits, on T-7, until 09:00 when it is still earlier', () => {
    expect(nextScheduleStep(active, at('2026-01-13T13:59:59.999Z'))).toEqual({ action: 'wait', until: at('2026-01-13T14:00:00.000Z') });
  });

  it('sends the T-7 notice at 09:00 exactly', () => {
    expect(nextScheduleStep(active, at('2026-01-13T14:00:00.000Z'))).toEqual({ action: 'notice', noticeDate: '2026-01-13' });
  });

  it('does not repeat the notice already sent today, and waits for tomorrow 09:00', () => {
    expect(nextScheduleStep({ ...active, lastNoticeDate: '2026-01-13' }, at('2026-01-13T15:00:00.000Z'))).toEqual({
      action: 'wait',
      until: at('2026-01-14T14:00:00.000Z'),
    });
  });

  it('sends the next daily notice once 09:00 has passed', () => {
    expect(nextScheduleStep({ ...active, lastNoticeDate: '2026-01-13' }, at('2026-01-14T14:30:00.000Z'))).toEqual({
      action: 'notice',
      noticeDate: '2026-01-14',
    });
  });

  it('sends today’s notice, not a missed earlier one, after a gap', () => {
    expect(nextScheduleStep({ ...active, lastNoticeDate: '2026-01-13' }, at('2026-01-16T20:00:00.000Z'))).toEqual({
      action: 'notice',
      noticeDate: '2026-01-16',
    });
  });

  it('sends a notice that failed on its day late, after the repair the next morning, before that day’s own', () => {
    // The 15 January notice failed at 09:00:05 EST; the reconciler restarts the lifecycle at 06:00 on the 16th.
    const failed = { ...active, lastNoticeDate: '2026-01-14', failure: { state: 'lifecycle', error: 'Throttling', at: '2026-01-15T14:00:05.000Z', count: 1 } };
    expect(nextScheduleStep(failed, at('2026-01-16T11:00:00.000Z'))).toEqual({ action: 'notice', noticeDate: '2026-01-15' });
    // Once it is recorded (which clears the failure), that day's own notice at 09:00.
    expect(nextScheduleStep({ ...active, lastNoticeDate: '2026-01-15' }, at('2026-01-16T11:00:01.000Z'))).toEqual({ action: 'wait', until: at('2026-01-16T14:00:00.000Z') });
  });

  it('sends one late notice after failing for days (the day of the last attempt), not one per missed day', () => {
    const failed = { ...active, lastNoticeDate: '2026-01-13', failure: { state: 'lifecycle', error: 'Throttling', at: '2026-01-16T14:00:05.000Z', count: 2 } };
    expect(nextScheduleStep(failed, at('2026-01-17T11:00:00.000Z'))).toEqual({ action: 'notice', noticeDate: '2026-01-16' });
  });

  it('sends no late notice for a day the lifecycle did not fail on after the notice fell due', () => {
    // Provisioned into the notice days on the 15th and failed at 08:00 EST, before that day's notice was due.
    const failedEarly = { ...active, failure: { state: 'lifecycle', error: 'Throttling', at: '2026-01-15T13:00:00.000Z', count: 1 } };
    expect(nextScheduleStep(failedEarly, at('2026-01-16T11:00:00.000Z'))).toEqual({ action: 'wait', until: at('2026-01-16T14:00:00.000Z') });
  });

  it('sends the end-date notice late on the end date if none was sent that day', () => {
    // 04:00Z on 21 January is 23:00 EST on 20 January
    expect(nextScheduleStep({ ...active, lastNoticeDate: '2026-01-19' }, at('2026-01-21T04:00:00.000Z'))).toEqual({
      action: 'notice',
      noticeDate: '2026-01-20',
    });
  });

  it('waits for the expiry once the end-date notice has gone out', () => {
    expect(nextScheduleStep({ ...active, lastNoticeDate: '2026-01-20' }, at('2026-01-20T20:00:00.000Z'))).toEqual({
      action: 'wait',
      until: at('2026-01-21T05:00:00.000Z'),
    });
  });

  it('expires at the end of the end date (Boston midnight)', () => {
    expect(nextScheduleStep({ ...active, lastNoticeDate: '2026-01-20' }, at('2026-01-21T05:00:00.000Z'))).toEqual({ action: 'expire' });
  });

  it('expires past the end date even if notices were missed', () => {
    expect(nextScheduleStep(active, at('2026-01-22T12:00:00.000Z'))).toEqual({ action: 'expire' });
  });

  it('after an extension, waits until the new T-7 despite a lastNoticeDate from the old schedule', () => {
    // Prepare: notices went out 13..15 January for the old end date 2026-01-20; extended to 2026-03-31 on the 15th
    const extended = { status: 'ACTIVE' as GuestStatus, endDate: '2026-03-31', lastNoticeDate: '2026-01-15' };
    // Act
    const step = nextScheduleStep(extended, at('2026-01-15T20:00:00.000Z'));
    // Assess: new T-7 is 2026-03-24, 09:00 EDT (DST began 8 March) = 13:00Z
    expect(step).toEqual({ action: 'wait', until: at('2026-03-24T13:00:00.000Z') });
  });

  it('after a short extension inside the notice days, does not resend today’s notice', () => {
    // Old end date 2026-01-20, notice of the 17th sent; extended to 2026-01-24 (new T-7 = 17 January)
    const extended = { status: 'ACTIVE' as GuestStatus, endDate: '2026-01-24', lastNoticeDate: '2026-01-17' };
    expect(nextScheduleStep(extended, at('2026-01-17T20:00:00.000Z'))).toEqual({ action: 'wait', until: at('2026-01-18T14:00:00.000Z') });
  });

  it('sends the notice at 09:00 EDT on the spring-forward day', () => {
    // End date 2026-03-15: T-7 is 8 March, when 09:00 is EDT (13:00Z); 13:30Z is 09:30 EDT
    expect(nextScheduleStep({ status: 'ACTIVE', endDate: '2026-03-15' }, at('2026-03-08T13:30:00.000Z'))).toEqual({
      action: 'notice',
      noticeDate: '2026-03-08',
    });
    expect(nextScheduleStep({ status: 'ACTIVE', endDate: '2026-03-15' }, at('2026-03-08T12:30:00.000Z'))).toEqual({
      action: 'wait',
      until: at('2026-03-08T13:00:00.000Z'),
    });
  });

  it('gives a guest whose end date is within 7 days the notice for today immediately', () => {
    // Prepare: provisioned at 11:00 EST on 17 January, end date 20 January, no notice sent yet
    const fresh = { status: 'PENDING_ACTIVATION' as GuestStatus, endDate: '2026-01-20' };
    // Act
    const step = nextScheduleStep(fresh, at('2026-01-17T16:00:00.000Z'));
    // Assess
    expect(step).toEqual({ action: 'notice', noticeDate: '2026-01-17' });
  });

  it('gives a guest provisioned before 09:00 inside the notice days today’s notice at 09:00', () => {
    expect(nextScheduleStep({ status: 'PENDING_ACTIVATION', endDate: '2026-01-20' }, at('2026-01-17T12:00:00.000Z'))).toEqual({
      action: 'wait',
      until: at('2026-01-17T14:00:00.000Z'),
    });
  });

  describe('EXPIRED', () => {
    // End date 2026-01-20: restore window ends at the end of 2026-02-19 = 2026-02-20T05:00Z.
    const expired = { status: 'EXPIRED' as GuestStatus, endDate: '2026-01-20', lastNoticeDate: '2026-01-20', expiredNoticeSentAt: '2026-01-21T05:00:01.000Z' };

    it('expires again while the "expired" emails are still owed (Expire failed after disabling)', () => {
      expect(nextScheduleStep({ ...expired, expiredNoticeSentAt: undefined }, at('2026-01-21T06:00:00.000Z'))).toEqual({ action: 'expire' });
    });

    it('waits until the restore deadline', () => {
      expect(nextScheduleStep(expired, at('2026-01-25T12:00:00.000Z'))).toEqual({ action: 'wait', until: at('2026-02-20T05:00:00.000Z') });
    });

    it('is done once the restore window has closed', () => {
      expect(nextScheduleStep(expired, at('2026-02-20T05:00:00.000Z'))).toEqual({ action: 'done', reason: 'restore window closed' });
    });
  });

  it.each(FINAL_STATUSES)('is done for the final status %s', (status) => {
    expect(nextScheduleStep({ status, endDate: '2026-01-20' }, at('2026-01-15T15:00:00.000Z'))).toEqual({ action: 'done', reason: status });
  });

  it.each(['PENDING_HSR', 'PENDING_APPROVAL'] as const)('is done for a %s guest, not yet provisioned', (status) => {
    expect(nextScheduleStep({ status, endDate: '2026-01-20' }, at('2026-01-15T15:00:00.000Z'))).toEqual({
      action: 'done',
      reason: `not provisioned (${status})`,
    });
  });
});

describe('activationExpiry (rule 8)', () => {
  const issuedAt = at('2026-01-10T15:00:00.000Z');

  it.each([
    ['14 days from issue when the start date is past', '2026-01-05', '2026-01-24T15:00:00.000Z'],
    ['14 days from issue when issued on the start date', '2026-01-10', '2026-01-24T15:00:00.000Z'],
    ['14 days from Boston midnight of a later start date (winter)', '2026-02-01', '2026-02-15T05:00:00.000Z'],
    ['14 days from Boston midnight of a later start date (summer)', '2026-07-01', '2026-07-15T04:00:00.000Z'],
  ])('%s', (_label, startDate, expected) => {
    expect(activationExpiry(issuedAt, startDate).toISOString()).toBe(expected);
  });
});

describe('checkActivation (rule 8)', () => {
  const startDate = '2026-01-10';
  const expiresAt = '2026-01-24T15:00:00.000Z';
  const code = { hash: 'h', issuedAt: '2026-01-10T15:00:00.000Z', expiresAt };
  const pending = { status: 'PENDING_ACTIVATION' as GuestStatus, startDate, activation: code };
  const during = at('2026-01-12T15:00:00.000Z');

  it.each([
    ['no such account', undefined, true, during, 'wrong-code'],
    ['no code on file', { ...pending, activation: undefined }, true, during, 'wrong-code'],
    ['right code', pending, true, during, 'ok'],
    ['wrong code', pending, false, during, 'wrong-code'],
    ['wrong code on an active account', { ...pending, status: 'ACTIVE', activation: { ...code, usedAt: '2026-01-11T15:00:00.000Z' } }, false, during, 'wrong-code'],
    ['right code on an active account', { ...pending, status: 'ACTIVE', activation: { ...code, usedAt: '2026-01-11T15:00:00.000Z' } }, true, during, 'already-active'],
    ['right code on an expired account', { ...pending, status: 'EXPIRED', activation: { ...code, usedAt: '2026-01-11T15:00:00.000Z' } }, true, during, 'closed'],
    ['right code on a cancelled account never activated', { ...pending, status: 'CANCELLED' }, true, during, 'closed'],
    ['wrong code on a cancelled account', { ...pending, status: 'CANCELLED' }, false, during, 'wrong-code'],
    ['right code, locked after too many attempts', { ...pending, activation: { ...code, lockedAt: '2026-01-11T15:00:00.000Z' } }, true, during, 'locked'],
    ['wrong code, locked', { ...pending, activation: { ...code, lockedAt: '2026-01-11T15:00:00.000Z' } }, false, during, 'wrong-code'],
    ['right code at the expiry instant', pending, true, at(expiresAt), 'expired'],
    ['wrong code after expiry', pending, false, at('2026-01-25T00:00:00.000Z'), 'wrong-code'],
    ['right code 1 ms before expiry', pending, true, at('2026-01-24T14:59:59.999Z'), 'ok'],
    ['right code at 23:59 Boston time the day before the start date', pending, true, at('2026-01-10T04:59:00.000Z'), 'not-started'],
    ['wrong code before the start date', pending, false, at('2026-01-10T04:59:00.000Z'), 'wrong-code'],
    ['right code at Boston midnight of the start date', pending, true, at('2026-01-10T05:00:00.000Z'), 'ok'],
  ] as const)('%s → %s', (_label, guest, matches, now, expected) => {
    expect(checkActivation(guest as Parameters<typeof checkActivation>[0], matches, now)).toBe(expected);
  });
});

describe('accountIdLetters', () => {
  it.each([
    ['José', 'Núñez', 'jnu'],
    ['Ada', 'Lovelace', 'alo'],
    ['ADA', 'LOVELACE', 'alo'],
    ['Zoë', "O'Brien", 'zob'],
    ['Anne-Marie', 'Ng', 'ang'],
    ['Björn', 'Ångström', 'ban'],
    ['Li', 'X', 'lx'],
    ['', '', 'gst'],
    ['李', '王', 'gst'],
  ])('%s %s → %s', (first, last, expected) => {
    expect(accountIdLetters(first, last)).toBe(expected);
  });
});

describe('accountIdCandidates', () => {
  const take = (gen: Generator<string>, n: number) => Array.from({ length: n }, () => gen.next().value as string);

  it('walks all thousand three-digit suffixes from the start, wrapping around, each once', () => {
    // Act
    const ids = take(accountIdCandidates('alo', 998), 1000);

    // Assess
    expect(ids.slice(0, 4)).toEqual(['alo998', 'alo999', 'alo000', 'alo001']);
    expect(new Set(ids).size).toBe(1000);
    expect(ids.every((id) => /^alo\d{3}$/.test(id) && ACCOUNT_ID_PATTERN.test(id))).toBe(true);
  });

  it('then widens to four digits with the same letters, every one of 1000-9999 once', () => {
    // Act
    const ids = take(accountIdCandidates('ygu', 41), 10_000).slice(1000);

    // Assess
    expect(ids[0]).toBe('ygu1041');
    expect(new Set(ids).size).toBe(9000);
    expect(ids.every((id) => /^ygu[1-9]\d{3}$/.test(id) && ACCOUNT_ID_PATTERN.test(id))).toBe(true);
  });

  it('then five digits, so a candidate is always left', () => {
    const gen = accountIdCandidates('ab', 0);
    expect(take(gen, 10_001).at(-1)).toBe('ab10000');
  });
});

describe("cancelling (the transitions table's 'cancel')", () => {
  const cancellable: GuestStatus[] = ['PENDING_HSR', 'PENDING_APPROVAL', 'PENDING_ACTIVATION', 'ACTIVE'];

  it.each(cancellable)('allows cancelling a %s guest', (status) => {
    expect(transition(status, 'cancel')).toBe('CANCELLED');
  });

  it.each(STATUSES.filter((s) => !cancellable.includes(s)))('refuses to cancel a %s guest', (status) => {
    const error = thrown(() => transition(status, 'cancel'), ConflictError);
    expect(error.message).toBe(`A guest in status ${status} cannot be cancelled.`);
  });

  it('covers every status', () => {
    expect(STATUSES.filter((s) => !cancellable.includes(s))).toEqual(['EXPIRED', 'DENIED', 'APPROVAL_EXPIRED', 'HSR_TIMEOUT', 'CANCELLED', 'FAILED']);
  });
});

describe('nextDueAt', () => {
  describe('PENDING_HSR', () => {
    it('is a day after the last check', () => {
      const due = nextDueAt(
        { status: 'PENDING_HSR', endDate: '2026-06-30', hsrWaitingSince: '2026-01-01T12:00:00.000Z', hsrCheckedAt: '2026-01-05T12:00:00.000Z' },
        at('2026-01-05T12:00:01.000Z'),
      );
      expect(due).toBe('2026-01-06T12:00:00.000Z');
    });

    it('is never past the 14-day limit', () => {
      const due = nextDueAt(
        { status: 'PENDING_HSR', endDate: '2026-06-30', hsrWaitingSince: '2026-01-01T12:00:00.000Z', hsrCheckedAt: '2026-01-14T18:00:00.000Z' },
        at('2026-01-14T18:00:00.000Z'),
      );
      expect(due).toBe('2026-01-15T12:00:00.000Z');
    });

    it('is a day from now before the first check', () => {
      expect(nextDueAt({ status: 'PENDING_HSR', endDate: '2026-06-30' }, at('2026-01-05T12:00:00.000Z'))).toBe('2026-01-06T12:00:00.000Z');
    });
  });

  describe('PENDING_APPROVAL', () => {
    const approvalRequestedAt = '2026-01-05T14:00:00.000Z';

    it('is the reminder before 7 days', () => {
      expect(nextDueAt({ status: 'PENDING_APPROVAL', endDate: '2026-06-30', approvalRequestedAt }, at('2026-01-06T00:00:00.000Z'))).toBe(
        '2026-01-12T14:00:00.000Z',
      );
    });

    it('is the approval expiry from 7 days on', () => {
      expect(nextDueAt({ status: 'PENDING_APPROVAL', endDate: '2026-06-30', approvalRequestedAt }, at('2026-01-12T14:00:00.000Z'))).toBe(
        '2026-01-19T14:00:00.000Z',
      );
    });

    it('is now when a decision is recorded', () => {
      const now = at('2026-01-06T00:00:00.000Z');
      const approval = { decision: 'approve' as const, by: '10000001', at: '2026-01-05T20:00:00.000Z' };
      expect(nextDueAt({ status: 'PENDING_APPROVAL', endDate: '2026-06-30', approvalRequestedAt, approval }, now)).toBe(now.toISOString());
    });

    it('is now when the approval was never requested', () => {
      const now = at('2026-01-06T00:00:00.000Z');
      expect(nextDueAt({ status: 'PENDING_APPROVAL', endDate: '2026-06-30' }, now)).toBe(now.toISOString());
    });
  });

  describe('provisioned guests', () => {
    it('is the next notice while waiting', () => {
      expect(nextDueAt({ status: 'ACTIVE', endDate: '2026-01-20' }, at('2026-01-01T12:00:00.000Z'))).toBe('2026-01-13T14:00:00.000Z');
    });

    it('is now when a notice is due', () => {
      const now = at('2026-01-13T15:00:00.000Z');
      expect(nextDueAt({ status: 'ACTIVE', endDate: '2026-01-20' }, now)).toBe(now.toISOString());
    });

    it('is now when the account is due to expire', () => {
      const now = at('2026-01-21T06:00:00.000Z');
      expect(nextDueAt({ status: 'PENDING_ACTIVATION', endDate: '2026-01-20', lastNoticeDate: '2026-01-20' }, now)).toBe(now.toISOString());
    });

    it('is the restore deadline for an EXPIRED account, then nothing', () => {
      const expired = { status: 'EXPIRED' as const, endDate: '2026-01-20', expiredNoticeSentAt: '2026-01-21T05:00:01.000Z' };
      expect(nextDueAt(expired, at('2026-01-25T12:00:00.000Z'))).toBe('2026-02-20T05:00:00.000Z');
      expect(nextDueAt(expired, at('2026-02-20T05:00:00.000Z'))).toBeUndefined();
    });
  });

  it.each(FINAL_STATUSES)('is undefined for the final status %s', (status) => {
    expect(nextDueAt({ status, endDate: '2026-01-20' }, at('2026-01-15T15:00:00.000Z'))).toBeUndefined();
  });
});
