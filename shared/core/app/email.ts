/**
 * Email rendering every lifecycle's templates use: each message is written once as blocks; the text
 * and the HTML body are both rendered from those blocks, so they never disagree. Every field is
 * cleaned here (shared/core/domain/text.ts): one-line bounded subjects, no control or invisible
 * characters anywhere.
 */
import type { EmailMessage } from '../ports.ts';
import { safeLine, safeText } from '../domain/text.ts';

export type Block = string | { label: string; value: string } | { link: string; text: string };

/** Subjects are one line, at most this many characters. */
export const MAX_SUBJECT_LENGTH = 150;

function cleanBlock(b: Block): Block {
  if (typeof b === 'string') return safeText(b);
  if ('label' in b) return { label: safeText(b.label), value: safeText(b.value) };
  return { link: safeText(b.link), text: safeText(b.text) };
}

/** Every field of every message goes through here: one-line bounded subject, no control or bidi characters anywhere. */
export function render(to: string[], rawSubject: string, rawBlocks: Block[], cc?: string[]): EmailMessage {
  const subject = safeLine(rawSubject, MAX_SUBJECT_LENGTH);
  const blocks = rawBlocks.map(cleanBlock);
  const text = blocks
    .map((b) => (typeof b === 'string' ? b : 'label' in b ? `${b.label}: ${b.value}` : `${b.text}: ${b.link}`))
    .join('\n\n');
  const html =
    `<!doctype html><html><body style="font-family:Arial,sans-serif">` +
    blocks
      .map((b) =>
        typeof b === 'string'
          ? `<p>${esc(b)}</p>`
          : 'label' in b
            ? `<p>${esc(b.label)}: <strong>${esc(b.value)}</strong></p>`
            : `<p><a href="${esc(b.link)}">${esc(b.text)}</a></p>`,
      )
      .join('') +
    `</body></html>`;
  return cc?.length ? { to, cc, subject, text, html } : { to, subject, text, html };
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface Links {
  activationUrl: string;
  portalUrl: string;
}

/** A page of the site, from its path: the links in every email. */
export const pageLink = (links: Links, path: string) => `${links.portalUrl.replace(/\/$/, '')}${path}`;
