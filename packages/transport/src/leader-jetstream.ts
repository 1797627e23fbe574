import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";
import type { Clock } from "./clock.js";
import { type HasNatsConnection, JetStreamStateStore } from "./jetstream-state-store.js";
import type { Candidate } from "./leader-election.js";
import { LeaseLeaderElection } from "./leader-lease.js";

export interface JetStreamLeaderElectionOptions extends Candidate {
  /** How long a lease outlives its leader's last renewal (default 5000 ms): the longest failover wait. */
  ttlMs?: number;
  /** Copies of the lease and epoch buckets in the NATS cluster (default 1; 3 in production). */
  replicas?: number;
  /** Leader renewal period (default `ttlMs / 3`). */
  renewIntervalMs?: number;
  /** Standby poll period for an expired lease (default `ttlMs / 5`). */
  pollIntervalMs?: number;
  clock?: Clock;
  logger?: Logger;
}

export const DEFAULT_LEASE_TTL_MS = 5_000;

/**
 * The cluster-mode leader election: the lease is key `leader` in KV bucket `<name>-lease` (TTL
 * `ttlMs`), the epoch counter key `epoch` in bucket `<name>-epoch` (no TTL). Both buckets are created
 * when missing; candidates of one name must use the same `ttlMs` (the bucket keeps the first one's).
 *
 * @example
 * const election = await openJetStreamLeaderElection(bus, {
 *   name: "agora-master-prod", id: `master-${randomUUID()}`, address: "http://10.0.0.1:5050", replicas: 3,
 * });
 * await election.start({
 *   onElected: (epoch) => master.lead(epoch),
 *   onDeposed: (reason) => { logger.fatal({ reason }, "lost leadership"); process.exit(1); },
 * });
 * election.leader(); // { id, address, epoch } of whoever leads
 */
export async function openJetStreamLeaderElection(
  conn: NatsConnection | HasNatsConnection,
  opts: JetStreamLeaderElectionOptions,
): Promise<LeaseLeaderElection> {
  const ttlMs = opts.ttlMs ?? DEFAULT_LEASE_TTL_MS;
  const renewIntervalMs = opts.renewIntervalMs ?? Math.max(1, Math.floor(ttlMs / 3));
  // A store call must give up before the next renewal is due, so a hung call cannot outlive the lease.
  const timeoutMs = Math.max(100, renewIntervalMs);
  const common = { replicas: opts.replicas ?? 1, ...(opts.logger ? { logger: opts.logger } : {}) };
  const lease = { ...common, bucket: `${opts.name}-lease`, ttlMs };
  const epoch = { ...common, bucket: `${opts.name}-epoch` };
  // Creating a replicated bucket takes longer than a renewal may: create with the default timeout,
  // then bind for the renewals with the short one.
  await JetStreamStateStore.open(conn, lease);
  await JetStreamStateStore.open(conn, epoch);
  const leases = await JetStreamStateStore.open(conn, { ...lease, timeoutMs });
  const epochs = await JetStreamStateStore.open(conn, { ...epoch, timeoutMs });
  return new LeaseLeaderElection(
    { name: opts.name, id: opts.id, address: opts.address },
    {
      leases,
      epochs,
      ttlMs,
      renewIntervalMs,
      ...(opts.pollIntervalMs === undefined ? {} : { pollIntervalMs: opts.pollIntervalMs }),
      ...(opts.clock ? { clock: opts.clock } : {}),
      ...(opts.logger ? { logger: opts.logger } : {}),
    },
  );
}
