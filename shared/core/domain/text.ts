/**
 * Text from outside (names from the directories, reasons, justifications) that ends up in emails and
 * audit records: control characters (C0, DEL, C1), format characters (Unicode category Cf: the
 * bidirectional ones, which make text read differently from what it is) and every character that
 * renders as nothing (zero-width space and joiners, word joiner, soft hyphen, byte order mark, Hangul
 * fillers, variation selectors, the braille blank: Default_Ignorable_Code_Point and U+2800), which
 * make a name look like another or slip past a rule that looks for it, are refused at the API and
 * never rendered.
 */

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]/gu;
const LINE_BREAK_OR_TAB = /[\t\n\r\u2028\u2029]/;

/** Characters that render as nothing (format characters, default-ignorable code points such as Hangul fillers and variation selectors, the braille blank). */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]/gu;

/** Unsafe characters in `s`, tab and line feed allowed when the text may span lines. */
/** `s` without its format characters (Cf), which render as nothing: what a rule comparing text sees. */
export function withoutInvisible(s: string): string {
  return s.replace(INVISIBLE, '');
}

/**
 * A name as people read it, for telling two names apart: compatibility-normalized (NFKC: full-width
 * and styled letters as their plain ones), without invisible characters, every run of white space
 * (a no-break space, an ideographic space, …) one space, trimmed, in lower case.
 */
export function nameKey(s: string): string {
  return withoutInvisible(s.normalize('NFKC')).replace(/\s+/gu, ' ').trim().toLowerCase();
}

export function hasUnsafeCharacters(s: string, opts: { multiline?: boolean } = {}): boolean {
  for (const c of s.match(UNSAFE) ?? []) {
    if (!(opts.multiline && (c === '\t' || c === '\n'))) return true;
  }
  return false;
}

/** True when `s` holds a line break or a tab. */
export function hasLineBreak(s: string): boolean {
  return LINE_BREAK_OR_TAB.test(s);
}

/** `s` made safe to render: a line break or tab becomes a space, any other unsafe character is dropped. */
export function safeText(s: string): string {
  return s.replace(UNSAFE, (c) => ('\n\r\t\u2028\u2029'.includes(c) ? ' ' : ''));
}

/** One line of at most `max` characters (an ellipsis marks a cut), safe to render: for email subjects. */
export function safeLine(s: string, max: number): string {
  const one = safeText(s).replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/**
 * The words of a name as a search finds them by prefix: `nameKey`, then without accents (é as e),
 * split at anything not a letter or digit ("O'Brien-Lab" is "o", "brien", "lab"), each word once.
 */
export function searchWords(s: string): string[] {
  const plain = nameKey(s).normalize('NFKD').replace(/\p{M}/gu, '');
  return [...new Set(plain.split(/[^\p{L}\p{N}]+/u).filter(Boolean))];
}

/** Whether every word of the query begins some word of the text (both as `searchWords`). */
export function matchesWords(queryWords: readonly string[], textWords: readonly string[]): boolean {
  return queryWords.every((q) => textWords.some((t) => t.startsWith(q)));
}
