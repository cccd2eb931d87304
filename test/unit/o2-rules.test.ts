/**
 * The O2 rules (shared/o2/domain/rules.ts), as the HMS O2 page words them: on-Quad or off-Quad,
 * who sponsors, the HMS sponsor of a user without an HMS account, the deadlines decided in issue 14,
 * leaving HMS, renewal.
 */
import { describe, expect, it } from 'vitest';
import { ConflictError, NotAllowedError, RuleViolation } from '../../shared/core/domain/errors.ts';
import type { Appointment, Person } from '../../shared/core/domain/people.ts';
import type { Institution, Lab } from '../../shared/o2/domain/model.ts';
import {
  addWorkingDays,
  assertHasHarvardId,
  assertO2Sponsor,
  assertRenewable,
  chooseHmsSponsor,
  labRegistrationStep,
  o2GuestPopulation,
  o2Requester,
  quadStanding,
  rcCoreStep,
  retainTerm,
} from '../../shared/o2/domain/rules.ts';
import { thrown } from '../support/thrown.ts';

const DAY = 86_400_000;
const at = (iso: string) => new Date(iso);

function person(overrides: Partial<Person> = {}): Person {
  return { huid: '30000001', name: 'Pat Pi', email: 'pat.pi@hms.harvard.edu', role: 'faculty', school: 'HMS', site: 'Quad', active: true, ...overrides };
}

const quadPrimary: Appointment = { department: 'Genetics', quad: true, kind: 'primary' };
const quadSecondary: Appointment = { department: 'Cell Biology', quad: true, kind: 'secondary' };
const clinical: Appointment = { department: 'Medicine (MGH)', quad: false, kind: 'primary' };
const otherSchool: Appointment = { department: 'Molecular and Cellular Biology (FAS)', quad: false, kind: 'primary' };

describe('rules "On-Quad" and "Off-Quad": the decision, straight from the page', () => {
  const cases: [string, Institution, Appointment[], boolean, string][] = [
    ['Quad department, primary appointment', 'HMS', [quadPrimary], true, 'primary faculty appointment in Genetics, a Quad department'],
    ['Quad department, secondary appointment (clinical primary)', 'HMS', [clinical, quadSecondary], true, 'secondary faculty appointment in Cell Biology, a Quad department'],
    ['clinical department (HMS, no Quad appointment)', 'HMS', [clinical], false, 'no primary or secondary faculty appointment in a Quad'],
    ['affiliate hospital lab: MGH', 'MGH', [clinical], false, 'MGH, an HMS affiliated institution'],
    ['affiliate hospital lab: BWH, even with a Quad appointment', 'BWH', [clinical, quadSecondary], false, 'BWH, an HMS affiliated institution'],
    ['affiliate institution: BCH', 'BCH', [clinical], false, 'BCH, an HMS affiliated institution'],
    ['affiliate institution: BIDMC', 'BIDMC', [clinical], false, 'BIDMC, an HMS affiliated institution'],
    ['affiliate institution: DFCI', 'DFCI', [clinical], false, 'DFCI, an HMS affiliated institution'],
    ['other Harvard school: FAS', 'FAS', [otherSchool], false, 'FAS, another Harvard University school'],
    ['other Harvard school: HSPH', 'HSPH', [otherSchool], false, 'HSPH, another Harvard University school'],
    ['other Harvard school: SEAS', 'SEAS', [otherSchool], false, 'SEAS, another Harvard University school'],
    ['other Harvard school with a Quad secondary appointment (a lab at Harvard University)', 'FAS', [otherSchool, quadSecondary], true, 'secondary faculty appointment in Cell Biology'],
    ['Wyss Institute', 'Wyss', [quadPrimary], false, 'the Wyss Institute'],
  ];

  it.each(cases)('%s → on-Quad: %s', (_name, institution, appointments, onQuad, reason) => {
    // Act
    const standing = quadStanding(institution, person({ appointments }));
    // Assess
    expect(standing.onQuad).toBe(onQuad);
    expect(standing.reason).toContain(reason);
    expect(standing.reason.startsWith(onQuad ? 'On-Quad' : 'Off-Quad')).toBe(true);
    if (!onQuad) expect(standing.reason).toContain('rccore@hms.harvard.edu');
  });
});

describe('rule "O2: sponsoring PI": who sponsors and who asks', () => {
  const lab: Lab = {
    labId: 'lab-1',
    name: 'Pi Lab',
    piHuid: '30000001',
    institution: 'HMS',
    quad: { onQuad: true, reason: 'On-Quad' },
    registration: { status: 'not-required' },
    createdBy: '30000001',
    createdAt: '2027-01-04T14:00:00.000Z',
    updatedAt: '2027-01-04T14:00:00.000Z',
    version: 1,
  };
  const pi = person({ appointments: [quadPrimary] });
  const labManager = person({ huid: '30000002', name: 'Mo Manager', role: 'staff', groups: ['lab-manager:30000001'] });
  const coreAdmin = person({ huid: '30000003', name: 'Cora Core', role: 'staff', groups: ['core-admin:30000001'] });
  const otherManager = person({ huid: '30000004', name: 'Oli Other', role: 'staff', groups: ['lab-manager:39999999'] });
  const stranger = person({ huid: '30000005', name: 'Stan Stranger', role: 'faculty', appointments: [quadPrimary] });
  const rcCore = person({ huid: '30000006', name: 'Rita RC', role: 'staff', groups: ['rc-core'] });

  it.each([
    ['the PI', pi],
    ['a lab-manager of the lab', labManager],
    ['a core-admin of the lab', coreAdmin],
  ])('%s may sponsor', (_who, p) => {
    expect(assertO2Sponsor(p.huid, p, lab)).toBe(p);
  });

  it.each([
    ['a stranger (another PI)', stranger],
    ["a manager of another PI's lab", otherManager],
    ['the PI, inactive', { ...pi, active: false }],
    ['the PI without a faculty appointment', { ...pi, appointments: [] }],
    ['nobody in the directory', undefined],
  ])('%s may not sponsor (422 naming the lab and its PI)', (_who, p) => {
    const error = thrown(() => assertO2Sponsor(p?.huid ?? '39999998', p, lab), RuleViolation);
    expect(error.message).toContain('an O2 account needs a sponsoring PI (the lab\'s PI, 30000001) or a manager of the lab');
  });

  it('asking is approving for the PI and a manager; the user and the RC Core ask for the PI to decide; a stranger may not ask', () => {
    const input = { userHuid: '40000001', piHuid: pi.huid };
    expect(o2Requester(pi, pi.huid, input, lab)).toEqual({ approvedBySubmission: true });
    expect(o2Requester(labManager, labManager.huid, input, lab)).toEqual({ approvedBySubmission: true });
    expect(o2Requester(undefined, '40000001', input, lab)).toEqual({ approvedBySubmission: false });
    expect(o2Requester(rcCore, rcCore.huid, input, lab)).toEqual({ approvedBySubmission: false });
    thrown(() => o2Requester(stranger, stranger.huid, input, lab), NotAllowedError);
  });
});

describe('rule "No HMS account"', () => {
  it('refuses a user with no Harvard ID at all with the HSR step; a directory person or an HSR is a Harvard ID', () => {
    const error = thrown(() => assertHasHarvardId('40000001', undefined, false), RuleViolation);
    expect(error.message).toContain('Harvard Sponsored Role (HSR)');
    expect(() => assertHasHarvardId('40000001', undefined, true)).not.toThrow();
    expect(() => assertHasHarvardId('40000001', person({ huid: '40000001', role: 'staff', school: 'FAS' }), false)).not.toThrow();
  });

  it('the HMS sponsor: the PI when an HMS/HSDM sponsor (an affiliate hospital PI is HMS faculty)', () => {
    const mghPi = person({ site: 'MGH', appointments: [clinical] });
    expect(chooseHmsSponsor(undefined, mghPi, mghPi.huid, undefined)).toBe(mghPi);
  });

  it('the HMS sponsor: the one named when the PI is not HMS faculty (another school); neither → 422 naming hmsSponsorHuid', () => {
    // Prepare
    const fasPi = person({ school: 'FAS', site: 'Cambridge', appointments: [otherSchool] });
    const collaborator = person({ huid: '30000009', name: 'Col Laborator', role: 'faculty' });
    // Act
    const named = chooseHmsSponsor(undefined, fasPi, fasPi.huid, { huid: collaborator.huid, person: collaborator });
    const missing = thrown(() => chooseHmsSponsor(undefined, fasPi, fasPi.huid, undefined), RuleViolation);
    const notHms = thrown(() => chooseHmsSponsor(undefined, fasPi, fasPi.huid, { huid: '30000010', person: person({ huid: '30000010', school: 'FAS' }) }), RuleViolation);
    // Assess
    expect(named).toBe(collaborator);
    expect(missing.message).toContain('name an HMS sponsor in hmsSponsorHuid');
    expect(missing.fields).toHaveProperty('hmsSponsorHuid');
    expect(notHms.fields).toHaveProperty('hmsSponsorHuid');
  });

  it('a Wyss user keeps the Wyss route (Wyss HR)', () => {
    const error = thrown(() => chooseHmsSponsor(person({ huid: '40000002', school: 'Wyss', site: 'Wyss', role: 'staff' }), person(), '30000001', undefined), RuleViolation);
    expect(error.message).toContain('AcademicAffairs@wyss.harvard.edu');
  });

  it('the population of the guest account filed: a Harvard employee of another school, else visiting faculty with a faculty sponsor', () => {
    expect(o2GuestPopulation(person({ school: 'FAS' }), person())).toBe('harvard-employee');
    expect(o2GuestPopulation(undefined, person())).toBe('visiting-faculty');
    expect(o2GuestPopulation(undefined, person({ role: 'staff' }))).toBe('harvard-employee');
  });
});

describe('deadlines (decided in issue 14)', () => {
  const since = at('2027-01-04T14:00:00.000Z');

  it.each([
    ['day 0: wait a week for the first reminder', 0, 0, 'wait', 7 * 86_400],
    ['day 7: the first weekly reminder', 7, 0, 'remind', 1],
    ['day 7, reminded: wait until day 14', 7, 1, 'wait', 7 * 86_400],
    ['day 28: the fourth reminder', 28, 3, 'remind', 1],
    ['day 29, reminded four times: wait until day 30', 29, 4, 'wait', 86_400],
    ['day 30: the request lapses', 30, 4, 'lapse', 1],
    ['day 30 even with reminders owed: lapses', 30, 2, 'lapse', 1],
  ] as const)('labRegistrationStep, %s', (_name, days, reminders, action, timeoutSeconds) => {
    expect(labRegistrationStep(since, reminders, new Date(since.getTime() + days * DAY))).toEqual({ action, timeoutSeconds });
  });

  it('addWorkingDays skips the weekend (New York)', () => {
    // Friday 2027-01-08, 09:00 New York
    const friday = at('2027-01-08T14:00:00.000Z');
    expect(addWorkingDays(friday, 1).toISOString()).toBe('2027-01-11T14:00:00.000Z');
    expect(addWorkingDays(friday, 3).toISOString()).toBe('2027-01-13T14:00:00.000Z');
    expect(addWorkingDays(friday, 10).toISOString()).toBe('2027-01-22T14:00:00.000Z');
  });

  it('rcCoreStep: a reminder after 3 working days, HMS IT told after 10, then a look every week', () => {
    const requested = at('2027-01-08T14:00:00.000Z');
    expect(rcCoreStep(requested, {}, at('2027-01-12T14:00:00.000Z'))).toEqual({ action: 'wait', timeoutSeconds: 86_400 });
    expect(rcCoreStep(requested, {}, at('2027-01-13T14:00:00.000Z'))).toEqual({ action: 'remind', timeoutSeconds: 1 });
    const reminded = { rcCoreRemindedAt: '2027-01-13T14:00:00.000Z' };
    expect(rcCoreStep(requested, reminded, at('2027-01-21T14:00:00.000Z'))).toEqual({ action: 'wait', timeoutSeconds: 86_400 });
    expect(rcCoreStep(requested, reminded, at('2027-01-22T14:00:00.000Z'))).toEqual({ action: 'escalate', timeoutSeconds: 1 });
    expect(rcCoreStep(requested, { ...reminded, rcCoreEscalatedAt: '2027-01-22T14:00:00.000Z' }, at('2027-01-22T15:00:00.000Z'))).toEqual({ action: 'wait', timeoutSeconds: 7 * 86_400 });
  });
});

describe('rule "Leaving HMS": retainTerm', () => {
  const now = at('2027-01-04T14:00:00.000Z');
  const leaving = person({ huid: '40000003', role: 'staff', hmsAccountId: 'lle123', endDate: '2027-06-30' });

  it('starts the day after the appointment ends, for a year (or to the date asked), keeping the account ID', () => {
    expect(retainTerm(leaving, now)).toEqual({ startDate: '2027-07-01', endDate: '2028-07-01', accountId: 'lle123' });
    expect(retainTerm(leaving, now, '2027-12-31')).toEqual({ startDate: '2027-07-01', endDate: '2027-12-31', accountId: 'lle123' });
  });

  it('may be asked up to the last day of the appointment', () => {
    expect(retainTerm({ ...leaving, endDate: '2027-01-04' }, now).startDate).toBe('2027-01-05');
  });

  it('refuses a person without an HMS account of their own, or without an end date (422), and once the appointment ended (409)', () => {
    thrown(() => retainTerm({ ...leaving, hmsAccountId: undefined }, now), RuleViolation);
    thrown(() => retainTerm({ ...leaving, endDate: undefined }, now), RuleViolation);
    thrown(() => retainTerm({ ...leaving, active: false }, now), RuleViolation);
    thrown(() => retainTerm({ ...leaving, endDate: '2027-01-03' }, now), ConflictError);
  });
});

describe('rule "Renewal": assertRenewable', () => {
  const offQuad = { onQuad: false, reason: 'Off-Quad' };
  it('an expired account of an off-Quad lab is renewed', () => {
    expect(() => assertRenewable({ status: 'EXPIRED', quad: offQuad })).not.toThrow();
  });
  it('an on-Quad one is requested again directly (422); one that is not expired cannot be renewed (409)', () => {
    expect(thrown(() => assertRenewable({ status: 'EXPIRED', quad: { onQuad: true, reason: 'On-Quad' } }), RuleViolation).message).toContain('request a new O2 account directly');
    thrown(() => assertRenewable({ status: 'ACTIVE', quad: offQuad }), ConflictError);
    thrown(() => assertRenewable({ status: 'CANCELLED', quad: offQuad }), ConflictError);
  });
});
