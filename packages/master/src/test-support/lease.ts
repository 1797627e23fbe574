import { LeaseLeaderElection, MemoryStateStore } from "@agora/transport";

export type LeaseStores = { leases: MemoryStateStore; epochs: MemoryStateStore };

/** Candidates of one lease: masters of a test share these stores (JetStream KV in cluster mode). */
export function leaseStores(): LeaseStores {
  return { leases: new MemoryStateStore(), epochs: new MemoryStateStore() };
}

/** Candidate `id` for the lease in `stores`, with a short TTL. */
export function election(stores: LeaseStores, id: string): LeaseLeaderElection {
  return new LeaseLeaderElection(
    { name: "agora-master-test", id, address: `http://${id}:5050` },
    { ...stores, ttlMs: 300 },
  );
}
