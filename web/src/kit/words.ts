/**
 * What a field's error says to a person. The API names each bad field in words meant for whoever
 * calls it ("must be a date as YYYY-MM-DD", zod's "Invalid option: expected one of …"); a page says
 * what to do instead, about the field as the form calls it ("Enter the end date as a full date…").
 * Every message the API can give for a field comes through here (test/unit/words.test.ts walks them).
 */

/** A field as a form calls it: `what`, a noun phrase ("the end date", "the guest's population"); `choice` for a pick from a list. */
export interface FieldWords {
  what: string;
  kind?: 'text' | 'date' | 'choice' | 'huid' | 'email';
}

const ANY: FieldWords = { what: 'this field' };
const ISO_DATE = /\b(\d{4})-(\d{2})-(\d{2})\b/g;

/** "2027-06-30" as a person reads it ("Wed, Jun 30, 2027"). */
function readable(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const at = new Date(Date.UTC(y, m - 1, d));
  if (Number.isNaN(at.getTime()) || at.getUTCDate() !== d) return date;
  return new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', weekday: 'short', month: 'short', day: 'numeric', year: 'numeric' }).format(at);
}

/** A message with its ISO dates as people write them ("does not cover 2027-08-31" → "does not cover Tue, Aug 31, 2027"). */
export function withReadableDates(text: string): string {
  return text.replace(ISO_DATE, (d) => readable(d));
}

const sentence = (s: string) => {
  const t = s.trim().replace(/[.;:,]*$/, '');
  return `${t.charAt(0).toUpperCase()}${t.slice(1)}.`;
};

/** The API's words for a field (`message`) as a sentence saying what to do. */
export function personWords(message: string, field: FieldWords = ANY): string {
  const { what } = field;
  const verb = field.kind === 'choice' ? 'Choose' : 'Enter';
  const m = message.trim();
  if (/is not a known field/.test(m)) return 'The page sent something the service does not know. Reload the page and try again.';
  if (/^required$|Required|received undefined|must not be empty|is missing/i.test(m)) return `${verb} ${what}.`;
  if (/ETag|cursor/i.test(m)) return 'This page is out of date. Reload it and try again.';
  if (/expected one of|Invalid option|discriminator|^one of /i.test(m)) return `Choose ${field.kind === 'choice' ? what : `one of the offered values for ${what}`}.`;
  if (/must be a date|YYYY-MM-DD|Invalid (ISO )?date/i.test(m)) return `Enter ${what} as a full date: month, day and a four-digit year.`;
  if (/real calendar date/i.test(m)) return `That day does not exist. Check the month and the day of ${what}.`;
  if (/8-digit Harvard ID|HUID/i.test(m)) return `Enter ${what} as a Harvard ID: 8 digits, nothing else.`;
  const max = /(?:at most |<=)(\d+) characters/.exec(m);
  if (max) return `Shorten ${what} to ${max[1]} characters or fewer.`;
  if (/one line/.test(m)) return `Write ${what} on one line.`;
  if (/control characters|invisible|bidirectional/i.test(m)) return `Remove the invisible or formatting characters from ${what}: type it, or paste it as plain text.`;
  if (/email address/i.test(m)) return 'Enter an email address, like name@example.org.';
  if (/UUID/.test(m)) return `Check ${what}: choose it on the page, or copy it exactly as it is shown.`;
  if (/Invalid input|expected (string|number|boolean|object|array)|Too (small|big)/i.test(m)) return `Check ${what}: it is not a value this form takes.`;
  // The rules' own words ("must be at most one year from today: 2028-01-04 at the latest"), about the field, with dates as people write them.
  const words = m.replace(ISO_DATE, (d) => readable(d));
  return /^(must|is|are|does|has|cannot|can't|should)\b/.test(words) ? sentence(`${what} ${words}`) : sentence(words);
}

/** Each field's message in words, by the field names a form knows (others with the generic words). */
export function inWords(fields: Record<string, string>, words: Record<string, FieldWords> = {}): Record<string, string> {
  // One thing to do per field: the first the API names (a five-digit year is both "not a date" and "not a real day").
  return Object.fromEntries(Object.entries(fields).map(([f, msg]) => [f, personWords(msg.split('; ')[0]!, words[f])]));
}
