/** The guest routes' handlers (shared/guest/http/routes.ts): each parses nothing (the router did), calls its use case and answers its view. */
import type { GuestDeps } from '../../app/deps.ts';
import { namesOf } from '../../core/app/view.ts';
import { conditional, versioned, type HandlersOf } from '../../http/handler.ts';
import { guestExecutions, sponsorStandings } from '../app/executions.ts';
import * as uc from '../app/guests.ts';
import { confirmHsr } from '../app/lookup.ts';
import { guestPeople, toActivationResult, toExecutionList, toHistoryItem, toPageView, toView, type GuestView } from '../app/view.ts';
import type { Guest } from '../domain/model.ts';
import type { GUEST_ROUTES } from './routes.ts';

/** An answer holding one guest: its view with the names of the people it names, and its version as the ETag (for If-Match). */
const guestReply = async (deps: GuestDeps, g: Guest, headers: Record<string, string> = {}) => versioned(toView(g, await namesOf(deps, guestPeople(g))), g.version, headers);
const GUEST = 'guest';

export const GUEST_HANDLERS: HandlersOf<(typeof GUEST_ROUTES)[number], GuestDeps, GuestView> = {
  requestGuest: async (r) => {
    const g = await uc.requestGuest(r.deps, r.caller, r.body);
    return guestReply(r.deps, g, { location: `/v1/guests/${g.guestId}` });
  },
  listGuests: async (r) => {
    const { failed, ...query } = r.query;
    return { body: toPageView(await uc.listGuests(r.deps, r.caller, { ...query, failed: failed === undefined ? undefined : failed === 'true' })) };
  },
  getGuest: async (r) => guestReply(r.deps, await uc.getGuest(r.deps, r.caller, r.params.guestId)),
  decide: async (r) => guestReply(r.deps, await conditional(r, (v) => uc.decideRequest(r.deps, r.caller, r.params.guestId, r.body, v), GUEST)),
  extend: async (r) => guestReply(r.deps, await conditional(r, (v) => uc.extendGuest(r.deps, r.caller, r.params.guestId, r.body, v), GUEST)),
  cancel: async (r) => guestReply(r.deps, await conditional(r, (v) => uc.cancelGuest(r.deps, r.caller, r.params.guestId, v), GUEST)),
  resendActivation: async (r) => guestReply(r.deps, await conditional(r, (v) => uc.resendActivation(r.deps, r.caller, r.params.guestId, v), GUEST)),
  history: async (r) => {
    const events = await uc.guestHistory(r.deps, r.caller, r.params.guestId);
    return { body: { items: events.map(toHistoryItem) } };
  },
  expire: async (r) => guestReply(r.deps, await conditional(r, (v) => uc.forceExpire(r.deps, r.caller, r.params.guestId, r.body.reason, v), GUEST)),
  reassign: async (r) => guestReply(r.deps, await conditional(r, (v) => uc.reassignSponsor(r.deps, r.caller, r.params.guestId, r.body, v), GUEST)),
  executions: async (r) => ({ body: toExecutionList(await guestExecutions(r.deps, r.caller, r.params.guestId)) }),
  sponsorStandings: async (r) => ({ body: { items: await sponsorStandings(r.deps, r.caller, r.query.huids.split(',')) } }),
  confirmHsr: async (r) => ({ body: await confirmHsr(r.deps, r.caller, r.params.huid) }),
  activate: async (r) => ({ body: toActivationResult(await uc.activate(r.deps, r.body, r.client)) }),
};
