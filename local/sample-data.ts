/**
 * Built-in sample directory for `npm start` without --seed: one of each kind of person the rules
 * care about, and guests with and without a Harvard Sponsored Role. Listed in the README.
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
    { huid: '10000001', name: 'Ada Faculty', email: 'ada.faculty@hms.harvard.edu', role: 'faculty', school: 'HMS', site: 'Quad', active: true, delegates: ['10000004'] },
    { huid: '10000002', name: 'Sam Staff', email: 'sam.staff@hms.harvard.edu', role: 'staff', school: 'HMS', site: 'Quad', active: true },
    { huid: '10000003', name: 'Hana Hospital', email: 'hana.hospital@mgh.harvard.edu', role: 'faculty', school: 'HMS', site: 'MGH', active: true },
    { huid: '10000004', name: 'Lee LabAdmin', email: 'lee.labadmin@hms.harvard.edu', role: 'staff', school: 'HMS', site: 'Quad', active: true },
    { huid: '10000005', name: 'Wren Wyss', email: 'wren.wyss@wyss.harvard.edu', role: 'staff', school: 'Wyss', site: 'Wyss', active: true },
    { huid: '10000006', name: 'Stu Student', email: 'stu.student@hms.harvard.edu', role: 'student', school: 'HMS', site: 'Quad', active: true },
    { huid: '10000007', name: 'Dee Dental', email: 'dee.dental@hsdm.harvard.edu', role: 'faculty', school: 'HSDM', site: 'Quad', active: true },
    { huid: '10000008', name: 'Fay Former', email: 'fay.former@hms.harvard.edu', role: 'faculty', school: 'HMS', site: 'Quad', active: false },
    { huid: '10000009', name: 'Fran FAS', email: 'fran.fas@fas.harvard.edu', role: 'staff', school: 'FAS', site: 'Cambridge', active: true },
  ],
  hsr: [
    { huid: '20000001', firstName: 'Grace', lastName: 'Guest', personalEmail: 'grace.guest@example.org', status: 'active', endDate: '2030-12-31' },
    { huid: '20000002', firstName: 'Tom', lastName: 'Temp', personalEmail: 'tom.temp@example.org', status: 'active', endDate: '2030-12-31' },
    { huid: '20000003', firstName: 'Sue', lastName: 'Short', personalEmail: 'sue.short@example.org', status: 'active', endDate: '2026-06-30' },
    { huid: '20000004', firstName: 'Ian', lastName: 'Inactive', personalEmail: 'ian.inactive@example.org', status: 'inactive', endDate: '2030-12-31' },
    { huid: '20000006', firstName: 'Vic', lastName: 'Visitor', personalEmail: 'vic.visitor@example.org', status: 'active', endDate: '2030-12-31' },
    ...POOL,
  ],
};
