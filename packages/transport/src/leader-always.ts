import type { Candidate, LeaderElection, LeaderInfo, LeadershipHandlers } from "./leader-election.js";

/**
 * The election of a process that is alone (dev mode, tests): it leads as soon as it starts, with a
 * fixed epoch, and never loses.
 *
 * @example
 * const election = new AlwaysLeader({ name: "agora-master", id: "dev", address: "http://127.0.0.1:5050" });
 * await election.start({ onElected: (epoch) => master.lead(epoch), onDeposed: () => {} });
 */
export class AlwaysLeader implements LeaderElection {
  private leading = false;
  private readonly info: LeaderInfo;

  constructor(candidate: Candidate, epoch = 1) {
    this.info = { id: candidate.id, address: candidate.address, epoch };
  }

  get isLeader(): boolean {
    return this.leading;
  }

  async start(handlers: LeadershipHandlers): Promise<void> {
    this.leading = true;
    await handlers.onElected(this.info.epoch);
  }

  leader(): LeaderInfo | undefined {
    return this.info;
  }

  async close(): Promise<void> {
    this.leading = false;
  }
}
