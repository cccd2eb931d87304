/**
 * The people directory's O2 fields (issue 14: appointments, groups, HMS account ID, end date) in
 * every adapter: the seed file's format (old files still load; a bad field is named), the DynamoDB
 * adapter (on dynalite) and the HTTP adapter (on a fake directory), each carrying them as written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDirectory, HttpPeopleDirectory, parseDirectorySeed } from '../../shared/adapters/directories.ts';
import { MemoryDirectory } from '../../shared/adapters/memory.ts';
import type { Person } from '../../shared/core/domain/people.ts';
import { SAMPLE_DIRECTORY } from '../../local/sample-data.ts';
import { startTestDynamo, type TestDynamo } from '../support/dynalite.ts';

let db: TestDynamo;
beforeAll(async () => {
  db = await startTestDynamo();
});
afterAll(async () => {
  await db.stop();
});

/** Written the old way: none of the O2 fields. */
const OLD: Person = { huid: '31000001', name: 'Olga Oldway', email: 'olga.oldway@hms.harvard.edu', role: 'faculty', school: 'HMS', site: 'Quad', active: true, delegates: ['31000002'] };
/** Written the new way: every O2 field. */
const PI: Person = {
  huid: '31000003',
  name: 'Pia Newway',
  email: 'pia.newway@hms.harvard.edu',
  role: 'faculty',
  school: 'HMS',
  site: 'Quad',
  active: true,
  appointments: [
    { department: 'Medicine', quad: false, kind: 'primary' },
    { department: 'Cell Biology', quad: true, kind: 'secondary' },
  ],
  groups: ['rc-core', 'lab-manager:31000001', 'core-admin:31000001'],
  hmsAccountId: 'pne100',
  endDate: '2029-06-30',
};

describe('the seed file', () => {
  it('an old file (no O2 field) and a new one (every O2 field) load as written; the built-in sample is a valid seed', () => {
    expect(parseDirectorySeed({ people: [OLD] }).people).toEqual([OLD]);
    expect(parseDirectorySeed({ people: [OLD, PI], hsr: [] }).people).toEqual([OLD, PI]);
    const sample = parseDirectorySeed(JSON.parse(JSON.stringify(SAMPLE_DIRECTORY)));
    expect(sample.people).toEqual(SAMPLE_DIRECTORY.people);
    expect(sample.people.filter((p) => p.groups?.includes('rc-core')).map((p) => p.huid)).toEqual(['10000017', '10000018']);
  });

  it('a bad O2 field is named by its path', () => {
    const bad = {
      people: [
        { ...PI, appointments: [{ department: '', quad: 'yes', kind: 'main' }] },
        { ...PI, huid: '31000004', groups: ['RC Core'], hmsAccountId: 'PNE-1', endDate: '2029-13-01' },
        {
          ...PI,
          huid: '31000005',
          appointments: [
            { department: 'Genetics', quad: true, kind: 'primary' },
            { department: 'Medicine', quad: false, kind: 'primary' },
          ],
        },
        { ...PI, huid: '31000006', appointments: [{ department: 'Genetics', quad: true, kind: 'primary', since: '2020' }] },
      ],
    };
    const message = (() => {
      try {
        parseDirectorySeed(bad, 'people.json');
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    })();
    const fields = message
      .split('\n')
      .map((l) => /^\s+(\S+): /.exec(l)?.[1])
      .filter(Boolean);
    expect(message).toContain('people.json is not a valid directory seed');
    expect(fields.sort()).toEqual(
      [
        'people[0].appointments[0].department',
        'people[0].appointments[0].quad',
        'people[0].appointments[0].kind',
        'people[1].groups[0]',
        'people[1].hmsAccountId',
        'people[1].endDate',
        'people[2].appointments[1].kind',
        'people[3].appointments[0].since',
      ].sort(),
    );
  });
});

describe('the adapters carry the O2 fields', () => {
  it('DynamoDB: loaded and read back as written, old and new', async () => {
    const directory = new DynamoDirectory(db.client, db.directoryTable);
    await directory.load(parseDirectorySeed({ people: [OLD, PI] }));
    expect(await directory.person(PI.huid)).toEqual(PI);
    const old = await directory.person(OLD.huid);
    expect(old).toEqual(OLD);
    expect(old).not.toHaveProperty('appointments');
    expect(await directory.sponsorsOf('31000002')).toEqual([OLD.huid]);
  });

  it('HTTP: the answer’s O2 fields carried; an old answer is read as before; a bad one is refused', async () => {
    const answers: Record<string, unknown> = {
      [PI.huid]: PI,
      [OLD.huid]: OLD,
      '31000009': { ...PI, huid: '31000009', appointments: [{ department: 'Genetics', quad: true, kind: 'main' }] },
    };
    const fetchFn = (async (url: string | URL | Request) => {
      const huid = /\/(\d{8})$/.exec(String(url))?.[1];
      return huid && answers[huid] ? Response.json(answers[huid]) : new Response('', { status: 404 });
    }) as typeof fetch;
    const directory = new HttpPeopleDirectory('https://people.example/api', fetchFn);
    expect(await directory.person(PI.huid)).toEqual(PI);
    expect(await directory.person(OLD.huid)).toEqual(OLD);
    await expect(directory.person('31000009')).rejects.toThrow(/kind/);
    expect(await directory.person('31000008')).toBeUndefined();
  });

  it('in memory: as written, copied out (a caller changing its copy changes nothing)', async () => {
    const directory = new MemoryDirectory({ people: [PI] });
    const read = (await directory.person(PI.huid))!;
    expect(read).toEqual(PI);
    read.groups!.push('rc-core-extra');
    read.appointments![0]!.quad = true;
    expect(await directory.person(PI.huid)).toEqual(PI);
  });
});
