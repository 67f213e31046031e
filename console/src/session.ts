/** Who is signed in, the API client with their token, and which operations their role may call. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Actor, Api, RoleTable } from './api/client';

export interface Session {
  token: string;
  me: Actor;
  api: Api;
  roles: RoleTable;
  /** May this role call `METHOD /api/path` (as the API document lists it)? */
  may: (operation: string) => boolean;
}

export const SessionContext = createContext<Session | null>(null);
export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in console');
  return s;
}

export const TOKEN_KEY = 'linli.token';
