import { execFile } from "node:child_process";
import os from "node:os";
import type { TaskInfo } from "@agora/protocol";
import { AgentError } from "../errors.js";

/** A local account a task runs as: what `spawn` needs (uid, gid) and what the task's HOME is. */
export interface UserAccount {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

/** Finds an account by name; undefined when this machine has none of that name. */
export type UserLookup = (name: string) => Promise<UserAccount | undefined>;

/** Who the agent process is, and whether it switches to the user a task asks for. */
export interface UserPolicy {
  /**
   * Mesos' `--switch_user` (default true): run each task as its `command.user`. Off, every task
   * runs as the agent's own user, whatever it asks for (`--no-switch-user`).
   */
  readonly switchUser: boolean;
  readonly agentUid: number;
  readonly agentUser: string;
}

/** Whom a task runs as: the agent's own user, another user (switched to), or nobody (refused, with why). */
export type RunAs =
  | { readonly kind: "agent" }
  | { readonly kind: "switch"; readonly user: string }
  | { readonly kind: "refused"; readonly message: string };

/**
 * Whom a task that asks for `requested` runs as (pure). As Mesos' agent: no user, or switching
 * off, runs it as the agent's user; the agent's own user needs no switch; only root can become
 * another user, so a non-root agent refuses such a task rather than run it as someone else.
 */
export function runAsOf(requested: string | undefined, policy: UserPolicy): RunAs {
  if (requested === undefined || requested === "" || !policy.switchUser) return { kind: "agent" };
  if (requested === policy.agentUser) return { kind: "agent" };
  if (policy.agentUid !== 0) {
    return {
      kind: "refused",
      message:
        `the task asks to run as user '${requested}' (command.user), but this agent runs as ` +
        `'${policy.agentUser}', not root, and cannot switch users; run the agent as root, or with ` +
        "--no-switch-user to run every task as the agent's user",
    };
  }
  return { kind: "switch", user: requested };
}

/**
 * The user a task asks for (pure): its command's, else, on a root agent that switches users, its
 * framework's (`FrameworkInfo.user`), as Mesos picks it and as the master's `run_tasks` ACL checks
 * it. A non-root agent leaves the framework's out: our FrameworkInfo.user defaults to root, which
 * such an agent could never become, so every task of a framework that names no user would fail.
 */
export function requestedUser(
  commandUser: string | undefined,
  frameworkUser: string | undefined,
  policy: UserPolicy,
): string | undefined {
  if (commandUser !== undefined && commandUser !== "") return commandUser;
  return policy.switchUser && policy.agentUid === 0 && frameworkUser !== "" ? frameworkUser : undefined;
}

/** One line of `getent passwd` (`name:x:uid:gid:gecos:home:shell`) as an account (pure). */
export function parsePasswdLine(line: string): UserAccount | undefined {
  const fields = line.trim().split(":");
  if (fields.length < 7) return undefined;
  const [name, , uid, gid, , home] = fields;
  const u = Number(uid);
  const g = Number(gid);
  if (!name || !Number.isInteger(u) || !Number.isInteger(g) || u < 0 || g < 0) return undefined;
  return { name, uid: u, gid: g, home: home || "/" };
}

/**
 * Looks a user up through the system's name service (`getent passwd`: /etc/passwd, and LDAP or
 * whatever nsswitch.conf adds), as Mesos' agent does through getpwnam. A name that is not a plain
 * account name is never passed on: getent would read `-x` as an option and `1000` as a uid.
 */
export const systemUserLookup: UserLookup = (name) => {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*\$?$/.test(name)) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    execFile("getent", ["passwd", name], { timeout: 10_000 }, (err, stdout) => {
      // getent exits 2 when the name is not found.
      if (err && (err as { code?: unknown }).code === 2) return resolve(undefined);
      if (err) return reject(new Error(`getent passwd ${name}: ${err.message}`));
      resolve(parsePasswdLine(stdout.split("\n")[0] ?? ""));
    });
  });
};

/**
 * A lookup that remembers accounts it found for `ttlMs` and shares a lookup in flight, so a burst of
 * launches for one user costs one `getent` (a process spawn: 37–82 ms each, measured here at load
 * 10–15 on 2 cores). Names not found are not remembered: a user created a moment later is found at once.
 */
export function cachedUserLookup(
  lookup: UserLookup,
  ttlMs: number,
  now: () => number = Date.now,
): UserLookup {
  const found = new Map<string, { account: UserAccount; at: number }>();
  const inFlight = new Map<string, Promise<UserAccount | undefined>>();
  return (name) => {
    const hit = found.get(name);
    if (hit && now() - hit.at < ttlMs) return Promise.resolve(hit.account);
    const pending = inFlight.get(name);
    if (pending) return pending;
    const looked = lookup(name)
      .then((account) => {
        if (account) found.set(name, { account, at: now() });
        else found.delete(name);
        return account;
      })
      .finally(() => inFlight.delete(name));
    inFlight.set(name, looked);
    return looked;
  };
}

/** How long a found account is trusted before it is looked up again. */
export const USER_LOOKUP_TTL_MS = 60_000;

export interface TaskUsersOptions {
  /** Mesos' `--switch_user` (default true). */
  switchUser?: boolean;
  /** Default: `systemUserLookup`, its accounts remembered for `USER_LOOKUP_TTL_MS`. */
  lookup?: UserLookup;
  /** The agent process's uid and user name (default: this process's). */
  agentUid?: number;
  agentUser?: string;
}

/**
 * Decides and resolves whom each task runs as, for the executors. Failures are `AgentError`
 * LAUNCH_FAILED, so the task ends TASK_FAILED with a message naming the user and `command.user`.
 */
export class TaskUsers {
  readonly policy: UserPolicy;
  private readonly lookup: UserLookup;

  constructor(options: TaskUsersOptions = {}) {
    const agentUid = options.agentUid ?? process.getuid?.() ?? 0;
    this.policy = {
      switchUser: options.switchUser ?? true,
      agentUid,
      agentUser: options.agentUser ?? os.userInfo().username,
    };
    this.lookup = options.lookup ?? cachedUserLookup(systemUserLookup, USER_LOOKUP_TTL_MS);
  }

  /** The user a task or executor asks for (see `requestedUser`). */
  requested(commandUser: string | undefined, frameworkUser: string | undefined): string | undefined {
    return requestedUser(commandUser, frameworkUser, this.policy);
  }

  /** Whom a process asking for `user` (a task's `command.user`) runs as; throws when it may not run here. */
  runAs(user: string | undefined): RunAs & { kind: "agent" | "switch" } {
    const decided = runAsOf(user, this.policy);
    if (decided.kind === "refused") {
      throw new AgentError("LAUNCH_FAILED", decided.message, { reason: "REASON_TASK_UNAUTHORIZED" });
    }
    return decided;
  }

  /**
   * The user a task's container runs as: its `command.user` while switching is on. Docker, not the
   * agent, switches to it (inside the image), so a non-root agent may pass it on too.
   */
  containerUser(task: TaskInfo): string | undefined {
    const user = task.command?.user;
    return this.policy.switchUser && user !== undefined && user !== "" ? user : undefined;
  }

  /**
   * The account of the same name on this machine, when the agent is root and may hand it files
   * (a container's user need not exist on the host: then undefined).
   */
  async hostAccount(name: string): Promise<UserAccount | undefined> {
    if (this.policy.agentUid !== 0) return undefined;
    return this.lookup(name).catch(() => undefined);
  }

  /**
   * The account a process asking for `user` switches to, or undefined when it runs as the agent's
   * user. Throws when that user may not be switched to, or does not exist on this machine.
   */
  async accountFor(user: string | undefined): Promise<UserAccount | undefined> {
    const decided = this.runAs(user);
    if (decided.kind === "agent") return undefined;
    const account = await this.lookup(decided.user).catch((cause: unknown) => {
      throw new AgentError(
        "LAUNCH_FAILED",
        `could not look up user '${decided.user}' (command.user): ${(cause as Error).message}`,
        { reason: "REASON_CONTAINER_LAUNCH_FAILED", cause },
      );
    });
    if (!account) {
      throw new AgentError(
        "LAUNCH_FAILED",
        `user '${decided.user}' (command.user) does not exist on this agent`,
        { reason: "REASON_TASK_INVALID" },
      );
    }
    return account;
  }
}
