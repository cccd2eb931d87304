/**
 * Built-in sample directory for `npm start` without --seed: one of each kind of person the rules
 * care about, and guests with and without a Harvard Sponsored Role. Listed in the README. The O2
 * people (issue 14: PIs with their appointments, lab managers, RC Core staff, users with and without
 * an HMS account) are 10000010-10000023 and 20000040-20000042; the HUIDs before them keep their
 * meaning (tests rely on them).
 */
import type { DirectorySeed } from '../shared/adapters/directories.ts';

const FIRST = ['Ana', 'Ben', 'Cy', 'Dana', 'Eli', 'Flo', 'Gus', 'Hal', 'Ivy', 'Jo'];
const LAST = ['Abbott', 'Baker', 'Chen'];

/**
 * Thirty more guests with an active HSR (HUIDs 20000010-20000039), since a person holds one live
 * guest account at a time: enough for a session of trying things out, and for tests.
 */
const POOL: DirectorySeed['hsr'] = Array.from({ length: 30 }, (_, i) => {
  const firstName = FIRST[i % FIRST.length]!;
  const lastName = LAST[Math.floor(i / FIRST.length)]!;
  return { huid: String(20000010 + i), firstName, lastName, personalEmail: `${firstName}.${lastName}@example.org`.toLowerCase(), status: 'active', endDate: '2030-12-31' };
});

export const SAMPLE_DIRECTORY: DirectorySeed = {
  people: [
    { huid: '10000001', name: 'Ada Faculty', email: 'ada.faculty@hms.harvard.edu', role: 'faculty', school: 'HMS', site: 'Quad', active: true, delegates: ['10000004'], appointments: [{ department: 'Cell Biology', quad: true, kind: 'primary' }] },
    { huid: '10000002', name: 'Sam Staff', email: 'sam.staff@hms.harvard.edu', role: 'staff', school: 'HMS', site: 'Quad', active: true },
    { huid: '10000003', name: 'Hana Hospital', email: 'hana.hospital@mgh.harvard.edu', role: 'faculty', school: 'HMS', site: 'MGH', active: true },
    { huid: '10000004', name: 'Lee LabAdmin', email: 'lee.labadmin@hms.harvard.edu', role: 'staff', school: 'HMS', site: 'Quad', active: true },
    { huid: '10000005', name: 'Wren Wyss', email: 'wren.wyss@wyss.harvard.edu', role: 'staff', school: 'Wyss', site: 'Wyss', active: true },
    { huid: '10000006', name: 'Stu Student', email: 'stu.student@hms.harvard.edu', role: 'student', school: 'HMS', site: 'Quad', active: true },
    { huid: '10000007', name: 'Dee Dental', email: 'dee.dental@hsdm.harvard.edu', role: 'faculty', school: 'HSDM', site: 'Quad', active: true },
    { huid: '10000008', name: 'Fay Former', email: 'fay.former@hms.harvard.edu', role: 'faculty', school: 'HMS', site: 'Quad', active: false },
    { huid: '10000009', name: 'Fran FAS', email: 'fran.fas@fas.harvard.edu', role: 'staff', school: 'FAS', site: 'Cambridge', active: true },
    // --- O2 (issue 14) ---
    // PIs: on-Quad by a primary or a secondary Quad appointment; off-Quad at HMS (a clinical department), at an affiliate hospital, at another Harvard school.
    { huid: '10000010', name: 'Quinn Quad', email: 'quinn.quad@hms.harvard.edu', role: 'faculty', school: 'HMS', site: 'Quad', active: true, appointments: [{ department: 'Genetics', quad: true, kind: 'primary' }], hmsAccountId: 'qqu100' },
    {
      huid: '10000011',
      name: 'Sol Secondary',
      email: 'sol.secondary@hms.harvard.edu',
      role: 'faculty',
      school: 'HMS',
      site: 'Quad',
      active: true,
      appointments: [
        { department: 'Medicine', quad: false, kind: 'primary' },
        { department: 'Systems Biology', quad: true, kind: 'secondary' },
      ],
      hmsAccountId: 'sse100',
    },
    { huid: '10000012', name: 'Cleo Clinical', email: 'cleo.clinical@hms.harvard.edu', role: 'faculty', school: 'HMS', site: 'Quad', active: true, appointments: [{ department: 'Dermatology', quad: false, kind: 'primary' }], hmsAccountId: 'ccl100' },
    { huid: '10000013', name: 'Mia Mgh', email: 'mia.mgh@mgh.harvard.edu', role: 'faculty', school: 'HMS', site: 'MGH', active: true, appointments: [{ department: 'Medicine (MGH)', quad: false, kind: 'primary' }], hmsAccountId: 'mmg100' },
    { huid: '10000014', name: 'Felix Fas', email: 'felix.fas@fas.harvard.edu', role: 'faculty', school: 'FAS', site: 'Cambridge', active: true, appointments: [{ department: 'Molecular and Cellular Biology', quad: false, kind: 'primary' }] },
    // The managers of Quinn Quad's lab (they may sponsor and approve its O2 accounts).
    { huid: '10000015', name: 'Lena LabManager', email: 'lena.labmanager@hms.harvard.edu', role: 'staff', school: 'HMS', site: 'Quad', active: true, groups: ['lab-manager:10000010'], hmsAccountId: 'lla100' },
    { huid: '10000016', name: 'Cory CoreAdmin', email: 'cory.coreadmin@hms.harvard.edu', role: 'staff', school: 'HMS', site: 'Quad', active: true, groups: ['core-admin:10000010'], hmsAccountId: 'cco100' },
    // HMS Research Computing Core staff.
    { huid: '10000017', name: 'Rita RcCore', email: 'rita.rccore@hms.harvard.edu', role: 'staff', school: 'HMS', site: 'Quad', active: true, groups: ['rc-core'], hmsAccountId: 'rrc100' },
    { huid: '10000018', name: 'Ravi RcCore', email: 'ravi.rccore@hms.harvard.edu', role: 'staff', school: 'HMS', site: 'Quad', active: true, groups: ['rc-core'], hmsAccountId: 'rrc101' },
    // O2 users with an HMS account of their own: a student, a fellow in an off-Quad lab, staff whose appointment ends.
    { huid: '10000019', name: 'Stella Student', email: 'stella.student@hms.harvard.edu', role: 'student', school: 'HMS', site: 'Quad', active: true, hmsAccountId: 'sst100' },
    { huid: '10000020', name: 'Leo Leaving', email: 'leo.leaving@hms.harvard.edu', role: 'staff', school: 'HMS', site: 'Quad', active: true, hmsAccountId: 'lle100', endDate: '2027-01-29' },
    { huid: '10000021', name: 'Rafa Research', email: 'rafa.research@hms.harvard.edu', role: 'staff', school: 'HMS', site: 'MGH', active: true, hmsAccountId: 'rre100' },
    { huid: '10000022', name: 'Tess Term', email: 'tess.term@hms.harvard.edu', role: 'staff', school: 'HMS', site: 'MGH', active: true, hmsAccountId: 'tte100', endDate: '2027-02-26' },
    // A Harvard ID but no HMS account: FAS staff (an HMS guest account is requested first).
    { huid: '10000023', name: 'Nico NoHms', email: 'nico.nohms@fas.harvard.edu', role: 'staff', school: 'FAS', site: 'Cambridge', active: true },
  ],
  hsr: [
    { huid: '20000001', firstName: 'Grace', lastName: 'Guest', personalEmail: 'grace.guest@example.org', status: 'active', endDate: '2030-12-31' },
    { huid: '20000002', firstName: 'Tom', lastName: 'Temp', personalEmail: 'tom.temp@example.org', status: 'active', endDate: '2030-12-31' },
    { huid: '20000003', firstName: 'Sue', lastName: 'Short', personalEmail: 'sue.short@example.org', status: 'active', endDate: '2026-06-30' },
    { huid: '20000004', firstName: 'Ian', lastName: 'Inactive', personalEmail: 'ian.inactive@example.org', status: 'inactive', endDate: '2030-12-31' },
    { huid: '20000006', firstName: 'Vic', lastName: 'Visitor', personalEmail: 'vic.visitor@example.org', status: 'active', endDate: '2030-12-31' },
    // An HSR that ends within the year (issue 20): a request or an extension past 2027-05-31 is refused until the HSR is extended, to try without a seed file.
    { huid: '20000007', firstName: 'Hal', lastName: 'Halfyear', personalEmail: 'hal.halfyear@example.org', status: 'active', endDate: '2027-05-31' },
    ...POOL,
    // Leo Leaving (10000020) keeps his HUID when his appointment ends: the Harvard Sponsored Role his guest account needs (rule "Leaving HMS").
    { huid: '10000020', firstName: 'Leo', lastName: 'Leaving', personalEmail: 'leo.leaving@example.org', status: 'active', endDate: '2030-12-31' },
    // O2 users with a Harvard ID (an HSR) but no HMS account: an HMS guest account is requested first.
    { huid: '20000040', firstName: 'Nia', lastName: 'Noaccount', personalEmail: 'nia.noaccount@example.org', status: 'active', endDate: '2030-12-31' },
    { huid: '20000041', firstName: 'Omar', lastName: 'Offsite', personalEmail: 'omar.offsite@example.org', status: 'active', endDate: '2030-12-31' },
    { huid: '20000042', firstName: 'Pia', lastName: 'Postdoc', personalEmail: 'pia.postdoc@example.org', status: 'active', endDate: '2030-12-31' },
  ],
};
