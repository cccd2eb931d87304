/**
 * Problems with how the local system was started that the user can fix — a port another program
 * holds, a damaged or busy data directory. `npm start` prints the message as one line, without a
 * stack trace, and exits with status 2. The message names the flag or the file and the fix.
 */
import { createServer } from 'node:net';

export class StartupError extends Error {
  override name = 'StartupError';
}

/** A listen error (EADDRINUSE, EACCES, …) as a StartupError naming the flag that changes the port; any other error as it is. */
export function portError(err: unknown, flag: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return new StartupError(`port ${port} is already in use by another program: stop it, or pass another ${flag} (${flag} 0 picks a free port)`);
  if (code === 'EACCES' || code === 'EPERM') return new StartupError(`port ${port} may not be used by this user (${code}): pass another ${flag}, above 1023`);
  if (code === 'EADDRNOTAVAIL') return new StartupError(`port ${port} is not available on 127.0.0.1 (${code}): pass another ${flag}`);
  return err;
}

/** Listens on the port and closes again: rejects with the listen error (EADDRINUSE, …) if the port cannot be had. */
export function tryListen(port: number, host = '127.0.0.1'): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** Refuses, before anything starts, a port (not 0) that cannot be listened on, naming the flag that changes it. */
export async function checkPort(port: number, flag: string): Promise<void> {
  if (port === 0) return;
  try {
    await tryListen(port);
  } catch (err) {
    throw portError(err, flag, port);
  }
}
