import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Authorization, isSecurityError, parseAcls } from "@agora/security";
import { afterAll, describe, expect, it } from "vitest";
import type { AgentView, FrameworkView } from "../agent-view.js";
import { authorizeSandbox, type SandboxOwners, sandboxUser, visibleAgent } from "./authorize.js";

describe("access_sandboxes on the agent", () => {
  const root = path.join(mkdtempSync(path.join(os.tmpdir(), "agora-sandbox-acl-")), "sandboxes");
  afterAll(() => rmSync(path.dirname(root), { recursive: true, force: true }));
  // Alice's framework runs a task as its own user and one as root; Bob's runs one as bob.
  mkdirSync(path.join(root, "fa", "a1"), { recursive: true });
  mkdirSync(path.join(root, "fa", "a2"), { recursive: true });
  mkdirSync(path.join(root, "fb", "b1"), { recursive: true });
  writeFileSync(path.join(root, "fb", "b1", "secret"), "bob's");
  symlinkSync(path.join(root, "fb", "b1", "secret"), path.join(root, "fa", "a1", "link"));
  const task = (frameworkId: string, taskId: string, user?: string) => ({
    frameworkId,
    task: { taskId: taskId as never, ...(user ? { command: { shell: true, user } } : {}) },
  });
  const agent: SandboxOwners = {
    sandboxRoot: root,
    frameworks: () => [
      {
        info: { id: "fa" as never, user: "alice" },
        tasks: [task("fa", "a1"), task("fa", "a2", "root")],
        completedTasks: [],
      },
      { info: { id: "fb" as never, user: "bob" }, tasks: [], completedTasks: [task("fb", "b1")] },
    ],
    completedFrameworks: () => [],
  };
  const denied: string[] = [];
  const authz = new Authorization(
    parseAcls(
      JSON.stringify({
        permissive: false,
        access_sandboxes: [{ principals: { values: ["alice"] }, users: { values: ["alice"] } }],
      }),
      "test",
    ),
    { onDenied: (d) => denied.push(`${d.action} ${d.object}`) },
  );
  const check = (requested: string) =>
    authorizeSandbox(agent, authz, "alice", requested, realpathSync(requested)).then(
      () => "allowed",
      (e: unknown) => (isSecurityError(e) ? e.message : String(e)),
    );

  it("knows whose sandbox a path is in: the task's command user, else its framework's", () => {
    expect(sandboxUser(agent, "fa/a1/stdout")).toBe("alice");
    expect(sandboxUser(agent, "fa/a2")).toBe("root");
    expect(sandboxUser(agent, "fb/b1/secret")).toBe("bob");
    expect(sandboxUser(agent, "fa")).toBe("alice");
    expect(sandboxUser(agent, "")).toBeUndefined();
    expect(sandboxUser(agent, "unknown/x")).toBeUndefined();
  });

  it("allows a principal its users' sandboxes, and refuses the others naming the action", async () => {
    expect(await check(path.join(root, "fa", "a1"))).toBe("allowed");
    expect(await check(path.join(root, "fa", "a2"))).toBe(
      "Not authorized: principal 'alice' may not access_sandboxes on 'root'",
    );
    expect(await check(path.join(root, "fb", "b1", "secret"))).toContain("on 'bob'");
  });

  it("checks the file a symlink leads to as well: another user's file stays closed", async () => {
    denied.length = 0;
    expect(await check(path.join(root, "fa", "a1", "link"))).toContain("access_sandboxes on 'bob'");
    expect(denied).toEqual(["access_sandboxes bob"]);
  });
});

describe("view_executors on the agent's views", () => {
  // One framework of user alice: a task as its own user, one as root, and one under its own executor as bob.
  const task = (taskId: string, o: { user?: string; executorUser?: string } = {}) => ({
    frameworkId: "fa",
    task: {
      taskId,
      ...(o.user ? { command: { shell: true, user: o.user } } : {}),
      ...(o.executorUser
        ? { executor: { executorId: "ex", command: { value: "./ex", shell: true, user: o.executorUser } } }
        : {}),
    },
  });
  const framework = {
    info: { id: "fa", user: "alice" },
    tasks: [task("mine"), task("as-root", { user: "root" }), task("custom", { executorUser: "bob" })],
    completedTasks: [],
  } as unknown as FrameworkView;
  const agent = { frameworks: () => [framework], completedFrameworks: () => [] } as unknown as AgentView;
  const authz = new Authorization(
    parseAcls(
      JSON.stringify({
        permissive: false,
        view_frameworks: [{ principals: { type: "ANY" }, users: { type: "ANY" } }],
        view_tasks: [{ principals: { type: "ANY" }, users: { type: "ANY" } }],
        view_executors: [
          { principals: { values: ["ops"] }, users: { type: "ANY" } },
          { principals: { values: ["alice"] }, users: { values: ["alice", "bob"] } },
        ],
      }),
      "test",
    ),
    { onDenied: () => {} },
  );
  const shown = (principal: string | undefined) =>
    visibleAgent(agent, authz, principal)
      .frameworks()
      .flatMap((f) => f.tasks.map((t) => t.task.taskId));

  it("leaves out the tasks whose executor's user (its command's, else the task's, else the framework's) the principal may not view", () => {
    expect(shown("ops")).toEqual(["mine", "as-root", "custom"]);
    expect(shown("alice")).toEqual(["mine", "custom"]);
    expect(shown(undefined)).toEqual([]);
  });
});
