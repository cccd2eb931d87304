/**
 * Confirming a person by their exact HUID before anything is sent (issue 20): a guest's HSR for who
 * may request (its name, whether active, its end), a PI for anyone (the name and the labs they head,
 * to pick by name). Nothing for who may not ask, nothing about anyone who is not what was asked for.
 */
import { describe, expect, it } from 'vitest';
import { NotAllowedError, NotFoundError } from '../../shared/core/domain/errors.ts';
import { confirmHsr } from '../../shared/guest/app/lookup.ts';
import { createLab } from '../../shared/o2/app/labs.ts';
import { confirmPi } from '../../shared/o2/app/pi.ts';
import { memoryWorld } from '../support/memory.ts';

const ADA = { huid: '10000001', roles: [] };
const LEE = { huid: '10000004', roles: [] };
const STU = { huid: '10000006', roles: [] };
const MIA = { huid: '10000013', roles: [] };

describe("a guest's HSR by its HUID", () => {
  it('to a sponsor and to a delegate: the name on it, whether it is active, its end', async () => {
    const w = memoryWorld();
    for (const caller of [ADA, LEE]) await expect(confirmHsr(w.deps, caller, '20000001')).resolves.toEqual({ huid: '20000001', name: 'Grace Guest', active: true, endDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
  });

  it('no HSR with that HUID: not found, saying so', async () => {
    await expect(confirmHsr(memoryWorld().deps, ADA, '29999999')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('who may not request learns nothing (403 before any HSR is read)', async () => {
    const w = memoryWorld();
    await expect(confirmHsr(w.deps, STU, '20000001')).rejects.toBeInstanceOf(NotAllowedError);
    await expect(confirmHsr(w.deps, STU, '29999999')).rejects.toBeInstanceOf(NotAllowedError);
  });
});

describe('a PI by their HUID', () => {
  it('the name and the labs they head, by name (no lab ID to type), to anyone signed in', async () => {
    const w = memoryWorld();
    const lab = await createLab(w.deps, MIA, { name: 'Imaging Lab', institution: 'MGH' });
    await expect(confirmPi(w.deps, STU, MIA.huid)).resolves.toEqual({
      huid: MIA.huid,
      name: 'Mia Mgh',
      labs: [{ labId: lab.labId, name: 'Imaging Lab', institution: 'MGH', quad: { onQuad: false, reason: expect.any(String) } }],
    });
  });

  it('a person who is not a PI, or nobody: "no PI has this HUID", alike', async () => {
    const w = memoryWorld();
    for (const huid of [STU.huid, '19999999']) await expect(confirmPi(w.deps, ADA, huid)).rejects.toThrow(`No PI has the HUID ${huid}.`);
  });
});
