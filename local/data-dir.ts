/**
 * The data directory (`--data-dir`, default .local): one local system at a time (a lock file
 * holding its PID; a lock left by a process that is gone is taken over), emptied by `--reset`, and
 * its files checked on start so that damage is reported with the file's name and the fix instead
 * of a stack trace.
 */
import { createRequire } from 'node:module';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StartupError } from './startup-error.ts';

export const LOCK_FILE = 'pid.lock';
export const RESET_FIX = 'start with --reset to begin again with an empty data directory';

export interface DataDir {
  path: string;
  /** Gives the lock up (only if this process still holds it). */
  release(): void;
}

/**
 * Makes the directory (or refuses a path that is a file), takes its lock, and empties it for
 * `reset`. Throws a StartupError if another local system uses the directory.
 */
export function openDataDir(dir: string, opts: { reset?: boolean | undefined; warn?: (line: string) => void }): DataDir {
  const path = resolve(dir);
  const warn = opts.warn ?? (() => undefined);
  if (existsSync(path) && !statSync(path).isDirectory()) {
    throw new StartupError(`--data-dir ${dir} is a file, not a directory: pass the path of a directory (it is made if missing)`);
  }
  try {
    mkdirSync(path, { recursive: true });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOTDIR' || e.code === 'EEXIST' ? 'a part of that path is a file' : `${e.code ?? e.message}`;
    throw new StartupError(`--data-dir ${dir} cannot be made (${why}): pass another --data-dir`);
  }
  const lock = join(path, LOCK_FILE);
  acquireLock(lock, path, warn);
  const release = () => releaseLock(lock);
  try {
    if (opts.reset) for (const entry of readdirSync(path)) if (entry !== LOCK_FILE) rmSync(join(path, entry), { recursive: true, force: true });
  } catch (err) {
    release();
    throw err;
  }
  return { path, release };
}

/** The PID in a lock file; undefined when it cannot be read or holds no PID (a lock torn by a crash). */
function lockHolder(file: string): number | undefined {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process with this PID is running (a zombie, dead but not yet reaped, is not). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    // EPERM: it exists, under another user.
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
  } catch {
    // no /proc (macOS): kill(pid, 0) is the answer
  }
  return true;
}

/** Creates `file` holding this PID, complete or not at all (a hard link of a finished file); false if it exists. */
function createLock(file: string): boolean {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${process.pid}\n`);
  try {
    linkSync(tmp, file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // A file system without hard links: exclusive create instead.
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return true;
    } catch (err2) {
      if ((err2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err2;
    }
  } finally {
    rmSync(tmp, { force: true });
  }
}

function acquireLock(file: string, dir: string, warn: (line: string) => void): void {
  for (let attempt = 0; attempt < 5; attempt++) {
    if (createLock(file)) return;
    const holder = lockHolder(file);
    if (holder === process.pid) {
      throw new StartupError(`the data directory ${dir} is already used by a local system in this process: stop it first, or pass another --data-dir`);
    }
    if (holder !== undefined && processAlive(holder)) {
      throw new StartupError(`the data directory ${dir} is in use by another local system (PID ${holder}, see ${file}): stop it (kill ${holder}), or pass another --data-dir`);
    }
    // Stale: its process is gone (killed, crashed). Moved aside, and taken over unless what was
    // moved is not what was read (another start took the lock over in between: put back).
    const aside = `${file}.stale.${process.pid}`;
    try {
      renameSync(file, aside);
    } catch {
      continue;
    }
    if (lockHolder(aside) !== holder) {
      try {
        linkSync(aside, file);
      } catch {
        // taken again meanwhile: the next attempt reads that one
      }
      rmSync(aside, { force: true });
      continue;
    }
    rmSync(aside, { force: true });
    warn(`took over the lock ${file}: ${holder === undefined ? 'it held no PID' : `PID ${holder} is not running`} (a local system that was killed)`);
  }
  throw new StartupError(`cannot take the lock ${file} of the data directory ${dir}: another local system is starting there; stop it, or pass another --data-dir`);
}

function releaseLock(file: string): void {
  if (lockHolder(file) !== process.pid) return;
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

/**
 * Parses a JSON file of the data directory; undefined if it does not exist. A file that cannot be
 * read or parsed, or that `valid` refuses, is a StartupError naming the file and `fix`.
 */
export function readDataFile<T>(file: string, fix: string, valid: (value: unknown) => value is T): T | undefined {
  if (!existsSync(file)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new StartupError(`${file} is damaged (${(err as Error).message}): ${fix}`);
  }
  if (!valid(value)) throw new StartupError(`${file} is damaged (not what the local system wrote there): ${fix}`);
  return value;
}

/**
 * Opens dynalite's LevelDB store and reads it through, so that a damaged store (a truncated or
 * overwritten file, a missing manifest) is reported before the system starts — dynalite itself
 * would fail later, on the first request, with an uncaught exception.
 */
export async function checkDynamoStore(path: string): Promise<void> {
  if (!existsSync(path) || readdirSync(path).length === 0) return;
  const requireFromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
  const { Level } = requireFromDynalite('level') as {
    Level: new (location: string, options: Record<string, unknown>) => {
      open(): Promise<void>;
      close(): Promise<void>;
      iterator(options: Record<string, unknown>): AsyncIterable<unknown>;
    };
  };
  const db = new Level(path, { keyEncoding: 'view', valueEncoding: 'view', createIfMissing: false });
  try {
    await db.open();
    for await (const _ of db.iterator({ fillCache: false })) {
      // every block read: a damaged one throws
    }
  } catch (err) {
    throw new StartupError(dynamoStoreProblem(path, err));
  } finally {
    await db.close().catch(() => undefined);
  }
}

/** The one-line message for an error of dynalite's LevelDB store at `path`. */
export function dynamoStoreProblem(path: string, err: unknown): string {
  const e = err as { message?: string; code?: string; cause?: { message?: string } } | undefined;
  const detail = e?.cause?.message ?? e?.message ?? String(err);
  if (/lock/i.test(detail) && /unavailable|held|busy/i.test(detail)) {
    return `the DynamoDB store ${path} is in use by another process (${detail}): stop it, or pass another --data-dir`;
  }
  return `the DynamoDB store ${path} is damaged (${detail}): ${RESET_FIX} (move the directory away first to keep a copy)`;
}
