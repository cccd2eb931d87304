/** Who is signed in (GET /v1/me), read once per page load and shared by the pages. */
import { createContext, useContext } from 'react';
import type { Me } from './api/client.ts';

export interface Session {
  me: Me;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in page');
  return s;
}
