/**
 * Confirming a person by their exact HUID before anything is sent (issue 20): a guest's HSR for who
 * may request (its name, whether active, its end), a PI for anyone (the name and the labs they head,
 * to pick by name); labs by the words of their names or their PI's. Nothing for who may not ask, nothing about anyone who is not what was asked for.
 */
import { describe, expect, it } from 'vitest';
import { NotAllowedError, NotFoundError } from '../../shared/core/domain/errors.ts';
import { confirmHsr } from '../../shared/guest/app/lookup.ts';
import { createLab } from '../../shared/o2/app/labs.ts';
import { confirmPi, findLabs } from '../../shared/o2/app/pi.ts';
import { ValidationError } from '../../shared/core/domain/errors.ts';
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

describe("labs by the words of their name or their PI's name", () => {
  async function world() {
    const w = memoryWorld();
    const imaging = await createLab(w.deps, MIA, { name: 'Imaging Lab', institution: 'MGH' });
    const cell = await createLab(w.deps, ADA, { name: 'Cell Biology Core', institution: 'HMS' });
    const dermatology = await createLab(w.deps, { huid: '10000012', roles: [] }, { name: 'Éclair Skin Lab', institution: 'HMS' });
    return { w, imaging, cell, dermatology };
  }

  it("to anyone signed in: by a word's beginning in the lab's name or its PI's name, each word of the query narrowing, accents and case aside; name and PI only", async () => {
    const { w, imaging, cell, dermatology } = await world();
    await expect(findLabs(w.deps, STU, 'imag')).resolves.toEqual([{ labId: imaging.labId, name: 'Imaging Lab', piHuid: MIA.huid, piName: 'Mia Mgh' }]);
    expect((await findLabs(w.deps, STU, 'MIA')).map((l) => l.name)).toEqual(['Imaging Lab']);
    expect((await findLabs(w.deps, STU, 'lab')).map((l) => l.name)).toEqual(['Éclair Skin Lab', 'Imaging Lab']);
    expect((await findLabs(w.deps, STU, 'lab  skin')).map((l) => l.labId)).toEqual([dermatology.labId]);
    expect((await findLabs(w.deps, STU, 'eclair')).map((l) => l.labId)).toEqual([dermatology.labId]);
    expect((await findLabs(w.deps, STU, 'ada cell')).map((l) => l.labId)).toEqual([cell.labId]);
    expect(await findLabs(w.deps, STU, 'ada imaging')).toEqual([]);
    expect(await findLabs(w.deps, STU, 'nobody')).toEqual([]);
  });

  it('fewer than two letters in every word is refused, saying what to type', async () => {
    const { w } = await world();
    for (const q of ['', ' ', 'a', 'a b', '—', undefined]) {
      const err = await findLabs(w.deps, STU, q).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).message).toMatch(/at least two letters/);
    }
  });

  it("a lab recorded while its words failed to be written is found again once its PI records it a second time (the conflict mends the words)", async () => {
    const { w } = await world();
    const lost = await createLab(w.deps, MIA, { name: 'Lost Words Lab', institution: 'MGH' });
    for (const key of [...w.o2.words.keys()]) if (key.endsWith(`#${lost.labId}`)) w.o2.words.delete(key);
    expect(await findLabs(w.deps, STU, 'lost')).toEqual([]);
    await expect(createLab(w.deps, MIA, { name: 'lost words lab', institution: 'MGH' })).rejects.toThrow(/already has a lab named/);
    expect((await findLabs(w.deps, STU, 'lost')).map((l) => l.labId)).toEqual([lost.labId]);
  });
});
