import { describe, expect, it } from "vitest";
import { isAgentError } from "../errors.js";
import {
  cachedUserLookup,
  parsePasswdLine,
  requestedUser,
  runAsOf,
  systemUserLookup,
  TaskUsers,
  type UserAccount,
} from "./task-user.js";

const root = { switchUser: true, agentUid: 0, agentUser: "root" };
const alice = { switchUser: true, agentUid: 1000, agentUser: "alice" };

describe("whom a task runs as (Mesos' --switch_user)", () => {
  it("no user, an empty one, or the agent's own runs as the agent", () => {
    expect(runAsOf(undefined, root)).toEqual({ kind: "agent" });
    expect(runAsOf("", root)).toEqual({ kind: "agent" });
    expect(runAsOf("root", root)).toEqual({ kind: "agent" });
    expect(runAsOf("alice", alice)).toEqual({ kind: "agent" });
  });

  it("a root agent switches to the user asked for", () => {
    expect(runAsOf("nobody", root)).toEqual({ kind: "switch", user: "nobody" });
  });

  it("a non-root agent refuses another user, saying how to run it", () => {
    const r = runAsOf("bob", alice);
    expect(r.kind).toBe("refused");
    expect(r.kind === "refused" && r.message).toMatch(
      /'bob' \(command\.user\).*'alice', not root.*--no-switch-user/,
    );
  });

  it("with switching off, every task runs as the agent, whatever it asks", () => {
    expect(runAsOf("bob", { ...alice, switchUser: false })).toEqual({ kind: "agent" });
    expect(runAsOf("nobody", { ...root, switchUser: false })).toEqual({ kind: "agent" });
  });
});

describe("the user a task asks for", () => {
  it("is its command's, else its framework's on a root agent that switches (as Mesos and the run_tasks ACL)", () => {
    expect(requestedUser("www", "alice", root)).toBe("www");
    expect(requestedUser(undefined, "alice", root)).toBe("alice");
    expect(requestedUser("", "alice", root)).toBe("alice");
  });

  it("leaves the framework's out on a non-root agent, or with switching off", () => {
    expect(requestedUser(undefined, "root", alice)).toBeUndefined();
    expect(requestedUser("bob", "root", alice)).toBe("bob");
    expect(requestedUser(undefined, "alice", { ...root, switchUser: false })).toBeUndefined();
  });
});

describe("passwd entries", () => {
  it("reads name, uid, gid and home", () => {
    expect(parsePasswdLine("nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")).toEqual({
      name: "nobody",
      uid: 65534,
      gid: 65534,
      home: "/nonexistent",
    });
  });

  it("refuses what is not one", () => {
    expect(parsePasswdLine("")).toBeUndefined();
    expect(parsePasswdLine("x:x:notanumber:1:::")).toBeUndefined();
  });

  it("are looked up through the system; unknown and option-like names find nothing", async () => {
    expect(await systemUserLookup("root")).toMatchObject({ name: "root", uid: 0, gid: 0 });
    expect(await systemUserLookup("no-such-user-agora")).toBeUndefined();
    expect(await systemUserLookup("--help")).toBeUndefined();
    expect(await systemUserLookup("0")).toBeUndefined();
  });
});

describe("TaskUsers", () => {
  const accounts: Record<string, UserAccount> = {
    nobody: { name: "nobody", uid: 65534, gid: 65534, home: "/" },
  };
  const users = (o: { agentUid: number; agentUser: string; switchUser?: boolean }) =>
    new TaskUsers({ ...o, lookup: async (name) => accounts[name] });

  it("resolves the account a task switches to", async () => {
    expect(await users({ agentUid: 0, agentUser: "root" }).accountFor("nobody")).toEqual(accounts.nobody);
    expect(await users({ agentUid: 0, agentUser: "root" }).accountFor(undefined)).toBeUndefined();
  });

  it("fails an unknown user with a message naming it and command.user", async () => {
    const err = await users({ agentUid: 0, agentUser: "root" })
      .accountFor("ghost")
      .catch((e: unknown) => e);
    expect(isAgentError(err, "LAUNCH_FAILED")).toBe(true);
    expect((err as Error).message).toBe("user 'ghost' (command.user) does not exist on this agent");
  });

  it("gives containers their user while switching, without needing root", () => {
    const task = { command: { user: "www", shell: true } } as Parameters<TaskUsers["containerUser"]>[0];
    expect(users({ agentUid: 1000, agentUser: "alice" }).containerUser(task)).toBe("www");
    expect(
      users({ agentUid: 1000, agentUser: "alice", switchUser: false }).containerUser(task),
    ).toBeUndefined();
  });
});

describe("cachedUserLookup", () => {
  const nobody: UserAccount = { name: "nobody", uid: 65534, gid: 65534, home: "/" };

  it("looks a found account up again only after its ttl, and shares a lookup in flight", async () => {
    let calls = 0;
    let time = 0;
    const lookup = cachedUserLookup(
      async (name) => {
        calls++;
        return name === "nobody" ? nobody : undefined;
      },
      1000,
      () => time,
    );
    await Promise.all([lookup("nobody"), lookup("nobody")]);
    expect(calls).toBe(1);
    time = 999;
    expect(await lookup("nobody")).toEqual(nobody);
    expect(calls).toBe(1);
    time = 1000;
    await lookup("nobody");
    expect(calls).toBe(2);
  });

  it("never remembers a name it did not find", async () => {
    let calls = 0;
    const lookup = cachedUserLookup(
      async () => void calls++,
      1000,
      () => 0,
    );
    expect(await lookup("ghost")).toBeUndefined();
    expect(await lookup("ghost")).toBeUndefined();
    expect(calls).toBe(2);
  });
});
