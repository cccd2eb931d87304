/**
 * The O2 table (labs, O2 accounts, their audit events): its global secondary indexes, declared once
 * (no CDK, no SDK). The stack creates the table with all of them at once (a new table may have
 * several; an existing one gains one per deploy), the repository (dynamo-o2.ts) queries them and
 * writes the attributes they are keyed on, derived from the record only.
 */
import { DUE_INDEX, dueAttributes, type IndexSpec } from '../../adapters/table-indexes.ts';
import type { Lab, O2Account } from '../domain/model.ts';

export const O2_INDEXES = {
  /** A PI's labs (`LAB#<PI>`) and the O2 accounts a person sponsors (`O2#<sponsor>`), newest first. */
  byPi: { name: 'byPi', partitionKey: 'piKey', sortKey: 'createdAt' },
  /** A user's O2 accounts (`O2#<user>`). */
  byUser: { name: 'byUser', partitionKey: 'userKey', sortKey: 'createdAt' },
  /** Labs by registration status (`LAB#pending`: the RC Core's queue) and O2 accounts by status (`O2#PENDING_RC_CORE`, ...). */
  byQueue: { name: 'byQueue', partitionKey: 'queueKey', sortKey: 'createdAt' },
  /** The O2 accounts of a lab (`O2#<labId>`): those a registration wakes. */
  byLab: { name: 'byLab', partitionKey: 'labKey', sortKey: 'createdAt' },
  /**
   * Labs by the words of their name and their PI's (issue 20): one small item per word
   * (`WORD#<first two letters>`, sorted by the word), found by prefix.
   */
  byWord: { name: 'byWord', partitionKey: 'wordKey', sortKey: 'word' },
  /** O2 accounts with work due: the reconciler. */
  byDue: DUE_INDEX,
} as const satisfies Record<string, IndexSpec>;
export type O2Index = keyof typeof O2_INDEXES;

/** The index attributes of a lab item. */
export function labIndexAttributes(lab: Lab): Record<string, string> {
  return { piKey: `LAB#${lab.piHuid}`, queueKey: `LAB#${lab.registration.status}` };
}

/** The index attributes of an O2 account item (`dueShard` only while work is due). */
export function o2IndexAttributes(o2: O2Account): Record<string, string> {
  return {
    piKey: `O2#${o2.piHuid}`,
    userKey: `O2#${o2.userHuid}`,
    queueKey: `O2#${o2.status}`,
    labKey: `O2#${o2.labId}`,
    ...dueAttributes(o2),
  };
}

/** A lab's word item's key in `byWord`: the partition is the word's first two letters, so a prefix of two or more reads one partition. */
export function wordIndexAttributes(word: string, labId: string): { wordKey: string; word: string } {
  return { wordKey: `WORD#${word.slice(0, 2)}`, word: `${word}#${labId}` };
}

/** Names of the derived attributes, taken off again when an item is read. */
export const O2_INDEX_ATTRIBUTES = ['piKey', 'userKey', 'queueKey', 'labKey', 'dueShard'] as const;
