/**
 * The local OpenID provider's storage (oidc-provider's adapter interface): sessions, interactions,
 * grants, authorization codes and refresh tokens, in memory, one store per provider. Nothing of it
 * survives a restart — a signed-in browser signs in again — while the access tokens, JWTs signed
 * by the key kept in the data directory, stay valid until they expire. Access tokens are never
 * stored (JWTs).
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  /** Real time in ms after which the entry is gone; undefined: no expiry. */
  expiresAt: number | undefined;
}

/** At most this many entries of one model (the oldest go first): a bound for a long-running process. */
const MAX_ENTRIES = 10_000;

/** An adapter factory for one provider: every model's store lives in its closure. */
export function memoryAdapter(): (name: string) => Adapter {
  const models = new Map<string, Map<string, Entry>>();
  /** Grant ID → the IDs (by model name) of what was issued under it, for revokeByGrantId. */
  const byGrant = new Map<string, Set<string>>();
  const storeOf = (name: string) => {
    let store = models.get(name);
    if (!store) models.set(name, (store = new Map()));
    return store;
  };
  const live = (entry: Entry | undefined): AdapterPayload | undefined =>
    entry && (entry.expiresAt === undefined || entry.expiresAt > Date.now()) ? entry.payload : undefined;

  return (name) => {
    const store = storeOf(name);
    const key = (id: string) => `${name}:${id}`;
    return {
      async upsert(id, payload, expiresIn) {
        store.delete(id);
        store.set(id, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
        if (store.size > MAX_ENTRIES) store.delete(store.keys().next().value!);
        if (payload.grantId) {
          let issued = byGrant.get(payload.grantId);
          if (!issued) byGrant.set(payload.grantId, (issued = new Set()));
          issued.add(key(id));
        }
      },
      async find(id) {
        return live(store.get(id));
      },
      async findByUid(uid) {
        for (const entry of store.values()) if (entry.payload.uid === uid) return live(entry);
        return undefined;
      },
      async findByUserCode(userCode) {
        for (const entry of store.values()) if (entry.payload.userCode === userCode) return live(entry);
        return undefined;
      },
      async consume(id) {
        const entry = store.get(id);
        if (entry) entry.payload = { ...entry.payload, consumed: Math.floor(Date.now() / 1000) };
      },
      async destroy(id) {
        store.delete(id);
      },
      async revokeByGrantId(grantId) {
        for (const issued of byGrant.get(grantId) ?? []) {
          const cut = issued.indexOf(':');
          models.get(issued.slice(0, cut))?.delete(issued.slice(cut + 1));
        }
        byGrant.delete(grantId);
      },
    };
  };
}
