/**
 * Layout checks for the browser tests (issue 20): a page's width against the window's (no sideways
 * scrolling), the header's and the calendar's shape, and the page's cumulative layout shift (CLS)
 * while it loads under the network and CPU of Lighthouse's mobile profile (Chrome DevTools
 * Protocol: 150 ms latency, about 1.6 Mbps down and 750 kbps up, the CPU four times slower).
 *
 * The functions given to page.evaluate and page.addInitScript run in the page: the project's
 * TypeScript has no DOM library (it is Node's), so they name the little of the DOM they use below.
 */
import type { CDPSession, Page } from 'playwright-core';

export const WIDTHS = [390, 1280] as const;
export type Width = (typeof WIDTHS)[number];
/** A phone (390 × 844, as an iPhone 12 to 15) and a laptop's window. */
export const VIEWPORTS: Record<Width, { width: number; height: number }> = { 390: { width: 390, height: 844 }, 1280: { width: 1280, height: 900 } };

/** Lighthouse's "Slow 4G" with its 4× CPU slowdown (its mobile profile). */
export const SLOW = { latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8, cpuRate: 4 };

/** One layout shift as the browser reported it, with what moved (for a failing test's message). */
export interface Shift {
  at: number;
  value: number;
  sources: string[];
}

/** The DOM as the in-page functions below use it. */
interface Rect {
  x: number;
  y: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
  width: number;
  height: number;
}
interface DomNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  parentElement: DomElement | null;
}
interface DomElement extends DomNode {
  tagName: string;
  className: unknown;
  scrollWidth: number;
  clientWidth: number;
  lastElementChild: DomElement | null;
  getBoundingClientRect(): Rect;
  closest(selector: string): DomElement | null;
}
interface InPage {
  innerWidth: number;
  document: { documentElement: DomElement; querySelector(selector: string): DomElement | null; querySelectorAll(selector: string): ArrayLike<DomElement> };
  getComputedStyle(el: DomElement): { overflowX: string; lineHeight: string; fontSize: string };
  __shifts?: Shift[];
}
type LayoutShiftEntry = { startTime: number; value: number; hadRecentInput: boolean; sources?: { node?: DomNode | null; previousRect: Rect; currentRect: Rect }[] };

/**
 * Installed before every navigation of the page (page.addInitScript): a PerformanceObserver of
 * 'layout-shift' entries (buffered; those right after an input left out, as CLS does), each kept
 * with a short description of the elements that moved and from where to where.
 */
function observeLayoutShifts(): void {
  const w = globalThis as unknown as InPage;
  const shifts: Shift[] = (w.__shifts = []);
  const describe = (n: DomNode | null | undefined): string => {
    if (!n) return '(gone)';
    const el = n.nodeType === 1 ? (n as DomElement) : n.parentElement;
    if (!el) return n.nodeName;
    const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
    const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 40);
    return `${el.tagName.toLowerCase()}${cls}${n.nodeType === 1 ? '' : ' (text)'} "${text}"`;
  };
  const rect = (r: Rect) => `${Math.round(r.x)},${Math.round(r.y)} ${Math.round(r.width)}×${Math.round(r.height)}`;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as unknown as LayoutShiftEntry[]) {
        if (e.hadRecentInput) continue;
        shifts.push({ at: Math.round(e.startTime), value: e.value, sources: (e.sources ?? []).map((s) => `${describe(s.node)}: ${rect(s.previousRect)} → ${rect(s.currentRect)}`) });
      }
      // Node's types know no 'layout-shift' entries; the browser's observer does.
    }).observe({ type: 'layout-shift' as 'mark', buffered: true });
  } catch {
    // a browser without layout-shift entries: nothing recorded
  }
}

/** Call once per page, before its first navigation. */
export async function watchLayoutShifts(page: Page): Promise<void> {
  await page.addInitScript(observeLayoutShifts);
}

/**
 * CLS as Chrome computes it: shifts grouped in session windows (a gap of more than 1 s, or a window
 * longer than 5 s, starts a new one), the largest window's sum.
 */
export function cumulativeLayoutShift(shifts: Shift[]): number {
  let max = 0;
  let sum = 0;
  let first = -Infinity;
  let last = -Infinity;
  for (const s of [...shifts].sort((a, b) => a.at - b.at)) {
    if (s.at - last > 1000 || s.at - first > 5000) {
      sum = 0;
      first = s.at;
    }
    sum += s.value;
    last = s.at;
    max = Math.max(max, sum);
  }
  return max;
}

export async function shiftsOf(page: Page): Promise<Shift[]> {
  return page.evaluate(() => (globalThis as unknown as InPage).__shifts ?? []);
}

/** The network and CPU slowed down as in Lighthouse's mobile profile, until the answer's `stop()`. */
export async function slowDown(page: Page): Promise<{ stop(): Promise<void> }> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: SLOW.latency, downloadThroughput: SLOW.downloadThroughput, uploadThroughput: SLOW.uploadThroughput });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: SLOW.cpuRate });
  return {
    async stop() {
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      await cdp.detach();
    },
  };
}

/** The page's width against the window's (wider: sideways scrolling), and what sticks out past the window's right edge. */
export async function widths(page: Page): Promise<{ scrollWidth: number; innerWidth: number; widest: string[] }> {
  return page.evaluate(() => {
    const w = globalThis as unknown as InPage;
    const name = (el: DomElement) => `${el.tagName.toLowerCase()}${typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}`;
    const past = (el: DomElement | null) => el !== null && el.getBoundingClientRect().right > w.innerWidth + 0.5;
    // The outermost elements past the edge (their parent is not).
    const widest = Array.from(w.document.querySelectorAll('body *'))
      .filter((el) => past(el) && !past(el.parentElement))
      .map((el) => `${name(el)} right=${Math.round(el.getBoundingClientRect().right)}`);
    return { scrollWidth: w.document.documentElement.scrollWidth, innerWidth: w.innerWidth, widest: widest.slice(0, 5) };
  });
}

/** What the issue asks of the layout besides the page's width, as the page shows it now. */
export interface LayoutFacts {
  /** Boxes of the page that scroll sideways inside it (a table too wide for its place). */
  scrolledBoxes: string[];
  /** The signed-in header: rows of navigation links, whether who is signed in shares the brand's row, whether the brand is one line. */
  header: { navRows: number; whoOnBrandRow: boolean; brandOneLine: boolean } | null;
  /** The calendar's weekday heads wholly visible (7 when none is cut off), or null without a calendar. */
  calendarDays: number | null;
}

export async function layoutFacts(page: Page): Promise<LayoutFacts> {
  return page.evaluate(() => {
    const w = globalThis as unknown as InPage;
    const d = w.document;
    const name = (el: DomElement) => `${el.tagName.toLowerCase()}${typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}`;
    const scrolledBoxes = Array.from(d.querySelectorAll('main *'))
      .filter((el) => el.scrollWidth > el.clientWidth + 1 && ['auto', 'scroll'].includes(w.getComputedStyle(el).overflowX))
      .map((el) => `${name(el)} (${el.scrollWidth} px in ${el.clientWidth})`);
    const brand = d.querySelector('.site-header .brand');
    const who = d.querySelector('.site-header .who');
    const links = Array.from(d.querySelectorAll('.site-header nav li'));
    let header: LayoutFacts['header'] = null;
    if (brand && who && links.length) {
      const b = brand.getBoundingClientRect();
      const s = who.getBoundingClientRect();
      const text = (brand.lastElementChild ?? brand).getBoundingClientRect();
      const style = w.getComputedStyle(brand);
      const lineHeight = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
      header = {
        navRows: new Set(links.map((li) => Math.round(li.getBoundingClientRect().top))).size,
        whoOnBrandRow: s.top < b.bottom && s.bottom > b.top && s.left >= b.right,
        brandOneLine: text.height < lineHeight * 1.5,
      };
    }
    const heads = Array.from(d.querySelectorAll('.calendar thead th'));
    const calendarDays = heads.length
      ? heads.filter((th) => {
          const r = th.getBoundingClientRect();
          const box = (th.closest('.table-wrap') ?? th).getBoundingClientRect();
          return r.left >= Math.max(0, box.left) - 0.5 && r.right <= Math.min(w.innerWidth, box.right) + 0.5;
        }).length
      : null;
    return { scrolledBoxes, header, calendarDays };
  });
}

export interface Load {
  cls: number;
  shifts: Shift[];
  ms: number;
}

/**
 * Opens `url` under the slow network and CPU, waits until `ready` holds and the network has been
 * quiet, lets the page settle, and answers its CLS with the shifts behind it.
 */
export async function loadSlowly(page: Page, url: string, ready: (page: Page) => Promise<unknown>, settleMs = 600): Promise<Load> {
  const slow = await slowDown(page);
  const t0 = Date.now();
  try {
    await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
    await ready(page);
    await page.waitForLoadState('networkidle', { timeout: 30_000 });
    await page.waitForTimeout(settleMs);
  } finally {
    await slow.stop();
  }
  const shifts = await shiftsOf(page);
  return { cls: cumulativeLayoutShift(shifts), shifts, ms: Date.now() - t0 };
}

/** Shifts as lines of a test's message. */
export function explain(shifts: Shift[]): string {
  return shifts.map((s) => `${s.at} ms: ${s.value.toFixed(4)}\n    ${s.sources.join('\n    ')}`).join('\n');
}
