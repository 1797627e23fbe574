/**
 * Leader election: several candidates contend for one named lease; one leads at a time, each
 * leader with a higher **epoch** than every leader before it (never reused, kept when every
 * candidate dies). Masters, Marathon and Chronos use it the same way.
 */

/** Who leads a lease, as the candidates see it. */
export interface LeaderInfo {
  /** The leading candidate's id (unique per process). */
  readonly id: string;
  /** Where the leader serves, for redirects (e.g. `http://10.0.0.1:5050`). */
  readonly address: string;
  /** The leader's term; 0 for the moment between winning the lease and taking its epoch. */
  readonly epoch: number;
}

/** A candidate: the lease it contends for and how others reach it when it leads. */
export interface Candidate {
  /** The lease's name (`[A-Za-z0-9_-]`), e.g. `agora-master-prod`; candidates of one name contend. */
  readonly name: string;
  /** This candidate's id, unique per process (a restarted process takes a new one). */
  readonly id: string;
  /** Where this candidate serves when it leads (what `leader().address` returns to the others). */
  readonly address: string;
}

export interface LeadershipHandlers {
  /**
   * This candidate leads now, with `epoch` (higher than any earlier leader's). Leadership lasts
   * until `onDeposed` or `close()`. A rejected promise is logged.
   */
  onElected(epoch: number): void | Promise<void>;
  /**
   * This candidate stopped leading without `close()`: it lost the lease or could not renew it
   * within its TTL, so another may lead already. Stop acting as leader at once (the master exits).
   * The candidate then stands by again and may be elected later with a new epoch.
   */
  onDeposed(reason: string): void;
}

export interface LeaderElection {
  /** Starts contending; `handlers` are called from now on. Call once. */
  start(handlers: LeadershipHandlers): Promise<void>;
  /** True between `onElected` and `onDeposed`/`close()`. */
  readonly isLeader: boolean;
  /** The current leader as last seen (this candidate while it leads); undefined when none is known. */
  leader(): LeaderInfo | undefined;
  /** Stops contending; a leader resigns (deletes its lease, so a standby takes over at once). */
  close(): Promise<void>;
}
