/**
 * How the O2 account page names people: by name where the API gave one (the people this account
 * names), else by HUID; "you" for the person reading; in the timeline with the role they act in.
 */
import type { O2Account, O2HistoryItem } from '../api/o2.ts';

export interface O2People {
  /** A person in the details: the row says the role. */
  named(huid: string): string;
  /** A person in the timeline: with the role. */
  who(huid: string): string;
}

export function o2People(me: { huid: string; name?: string | null | undefined }, o2: O2Account, history: readonly O2HistoryItem[]): O2People {
  // Who completed a setup is RC Core staff (a renewal clears the account's own completion record).
  const rcCore = new Set(history.filter((e) => e.action === 'completed').map((e) => e.actor));
  const youOr = (huid: string, otherwise: string) => (huid === me.huid ? `you (${me.name ?? huid})` : otherwise);
  const nameOf = (huid: string): string => (o2.names[huid] ? `${o2.names[huid]} (HUID ${huid})` : `HUID ${huid}`);
  const role = (huid: string): string =>
    huid === o2.piHuid
      ? `the sponsoring PI, ${nameOf(huid)}`
      : huid === o2.labPiHuid
        ? `the lab's PI, ${nameOf(huid)}`
        : huid === o2.completion?.by || rcCore.has(huid)
          ? `the RC Core, ${nameOf(huid)}`
          : nameOf(huid);
  return {
    named: (huid) => (huid === o2.userHuid ? `${o2.userName} (HUID ${huid})` : youOr(huid, nameOf(huid))),
    who: (huid) => (huid === o2.userHuid ? (huid === me.huid ? `you (${o2.userName})` : o2.userName) : youOr(huid, role(huid))),
  };
}
