/**
 * Text from outside (names from the directories, reasons, justifications) that ends up in emails and
 * audit records: control characters (C0, DEL, C1) and format characters (Unicode category Cf: the
 * bidirectional ones, which make text read differently from what it is, and the invisible ones —
 * zero-width space and joiners, word joiner, soft hyphen, byte order mark — which make a name look
 * like another or slip past a rule that looks for it) are refused at the API and never rendered.
 */

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\p{Cf}]/gu;
const LINE_BREAK_OR_TAB = /[\t\n\r\u2028\u2029]/;

/** Unsafe characters in `s`, tab and line feed allowed when the text may span lines. */
/** `s` without its format characters (Cf), which render as nothing: what a rule comparing text sees. */
export function withoutInvisible(s: string): string {
  return s.replace(/\p{Cf}/gu, '');
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
