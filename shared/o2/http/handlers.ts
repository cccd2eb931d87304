/** The lab and O2 account routes' handlers (shared/o2/http/routes.ts): each calls its use case (shared/o2/app/o2.ts) and answers its view, with the names of the people it names. */
import type { O2Deps } from '../../app/deps.ts';
import { namesOf } from '../../core/app/view.ts';
import { conditional, versioned, type HandlersOf } from '../../http/handler.ts';
import * as o2 from '../app/o2.ts';
import { confirmPi, findLabs } from '../app/pi.ts';
import { o2People, toLabHistoryItem, toLabPageView, toLabView, toO2HistoryItem, toO2PageView, toO2View } from '../app/view.ts';
import type { Lab, O2Account } from '../domain/model.ts';
import type { O2_ROUTES } from './routes.ts';

/** An answer holding one lab, with its PI's name and its version as the ETag. */
const labReply = async (deps: O2Deps, l: Lab, headers: Record<string, string> = {}) => versioned(toLabView(l, await namesOf(deps, [l.piHuid])), l.version, headers);
/** The names of these O2 accounts' labs (one read a lab), by lab ID. */
async function labNamesOf(deps: O2Deps, accounts: readonly O2Account[]): Promise<Map<string, string>> {
  const labIds = [...new Set(accounts.map((a) => a.labId))];
  const labs = await Promise.all(labIds.map((id) => deps.o2.getLab(id)));
  return new Map(labs.flatMap((l) => (l ? [[l.labId, l.name] as const] : [])));
}
/** An answer holding one O2 account, with the names of the people it names, its lab's name, and its version as the ETag. */
const o2Reply = async (deps: O2Deps, a: O2Account, headers: Record<string, string> = {}) =>
  versioned(toO2View(a, await namesOf(deps, o2People(a)), await labNamesOf(deps, [a])), a.version, headers);
const LAB = 'lab';
const O2 = 'O2 account';

export const O2_HANDLERS: HandlersOf<(typeof O2_ROUTES)[number], O2Deps> = {
  confirmPi: async (r) => ({ body: await confirmPi(r.deps, r.caller, r.params.huid) }),
  findLabs: async (r) => ({ body: { labs: await findLabs(r.deps, r.caller, r.query.q) } }),
  createLab: async (r) => {
    const l = await o2.createLab(r.deps, r.caller, r.body);
    return labReply(r.deps, l, { location: `/v1/labs/${l.labId}` });
  },
  listLabs: async (r) => {
    const page = await o2.listLabs(r.deps, r.caller, r.query);
    return { body: toLabPageView(page, await namesOf(r.deps, page.items.map((l) => l.piHuid))) };
  },
  getLab: async (r) => labReply(r.deps, await o2.getLab(r.deps, r.caller, r.params.labId)),
  registerLab: async (r) => labReply(r.deps, await conditional(r, (v) => o2.registerLab(r.deps, r.caller, r.params.labId, r.body, v), LAB)),
  labHistory: async (r) => ({ body: { items: (await o2.labHistory(r.deps, r.caller, r.params.labId)).map(toLabHistoryItem) } }),
  requestO2: async (r) => {
    const a = await o2.requestO2(r.deps, r.caller, r.body);
    return o2Reply(r.deps, a, { location: `/v1/o2-accounts/${a.o2AccountId}` });
  },
  listO2: async (r) => {
    const page = await o2.listO2(r.deps, r.caller, r.query);
    return { body: toO2PageView(page, await namesOf(r.deps, page.items.flatMap(o2People)), await labNamesOf(r.deps, page.items)) };
  },
  getO2: async (r) => o2Reply(r.deps, await o2.getO2(r.deps, r.caller, r.params.o2AccountId)),
  decideO2: async (r) => o2Reply(r.deps, await conditional(r, (v) => o2.decideO2(r.deps, r.caller, r.params.o2AccountId, r.body, v), O2)),
  completeO2: async (r) => o2Reply(r.deps, await conditional(r, (v) => o2.completeO2(r.deps, r.caller, r.params.o2AccountId, r.body, v), O2)),
  renewO2: async (r) => o2Reply(r.deps, await conditional(r, (v) => o2.renewO2(r.deps, r.caller, r.params.o2AccountId, r.body, v), O2)),
  cancelO2: async (r) => o2Reply(r.deps, await conditional(r, (v) => o2.cancelO2(r.deps, r.caller, r.params.o2AccountId, r.body, v), O2)),
  retainO2: async (r) => o2Reply(r.deps, await conditional(r, (v) => o2.retainO2(r.deps, r.caller, r.params.o2AccountId, r.body, v), O2)),
  o2History: async (r) => ({ body: { items: (await o2.o2History(r.deps, r.caller, r.params.o2AccountId)).map(toO2HistoryItem) } }),
};
