import type { FrameworkId, Offer, Resource } from "@agora/protocol";
import { describe, expect, it } from "vitest";
import { MesosV1Error } from "./errors.js";
import { fromMesosResource, toMesosAttribute, toMesosResource } from "./resources.js";
import { fromMesosCall, parseSchedulerCall } from "./scheduler-calls.js";
import { type MesosableEvent, recordIo, toMesosEvent } from "./scheduler-events.js";
import { MesosCommandInfo, MesosResource } from "./schemas.js";
import { fromMesosCommand } from "./tasks.js";
import { uuidFromBase64, uuidToBase64 } from "./uuid.js";

const fid = "fw-1" as FrameworkId;
const mint = () => "minted" as FrameworkId;
const translate = (json: unknown) => fromMesosCall(parseSchedulerCall(json), mint);
const fw = { framework_id: { value: "fw-1" } };
const refined = { reservations: "refined" } as const;
const legacy = { reservations: "legacy" } as const;

function failure(fn: () => unknown): MesosV1Error {
  try {
    fn();
  } catch (err) {
    if (err instanceof MesosV1Error) return err;
    throw err;
  }
  throw new Error("expected a MesosV1Error");
}

describe("resources", () => {
  const cases: Array<[Resource, Record<string, unknown>]> = [
    [
      { name: "cpus", scalar: 0.5 },
      { name: "cpus", type: "SCALAR", scalar: { value: 0.5 } },
    ],
    [
      { name: "ports", ranges: [{ begin: 31000, end: 31005 }] },
      { name: "ports", type: "RANGES", ranges: { range: [{ begin: 31000, end: 31005 }] } },
    ],
    [
      { name: "gpus_ids", set: ["a", "b"] },
      { name: "gpus_ids", type: "SET", set: { item: ["a", "b"] } },
    ],
    [
      {
        name: "mem",
        scalar: 64,
        reservation: { role: "eng", type: "dynamic", principal: "ops", labels: { k: "v" } },
      },
      {
        name: "mem",
        type: "SCALAR",
        scalar: { value: 64 },
        reservations: [
          { type: "DYNAMIC", role: "eng", principal: "ops", labels: { labels: [{ key: "k", value: "v" }] } },
        ],
      },
    ],
  ];
  it.each(cases)("translates %j both ways (refined format)", (ours, mesos) => {
    expect(toMesosResource(ours)).toEqual(mesos);
    expect(fromMesosResource(MesosResource.parse(mesos), "r")).toEqual(ours);
  });

  it("writes the legacy format (role, reservation) for frameworks without RESERVATION_REFINEMENT", () => {
    expect(toMesosResource({ name: "cpus", scalar: 1 }, "legacy", "*")).toEqual({
      name: "cpus",
      type: "SCALAR",
      scalar: { value: 1 },
      role: "*",
      allocation_info: { role: "*" },
    });
    const dynamic = toMesosResource(
      { name: "cpus", scalar: 1, reservation: { role: "eng", type: "dynamic", principal: "p" } },
      "legacy",
    );
    expect(dynamic).toEqual({
      name: "cpus",
      type: "SCALAR",
      scalar: { value: 1 },
      role: "eng",
      reservation: { principal: "p" },
    });
    expect(fromMesosResource(MesosResource.parse(dynamic), "r")).toEqual({
      name: "cpus",
      scalar: 1,
      reservation: { role: "eng", type: "dynamic", principal: "p" },
    });
    const statik = MesosResource.parse({ name: "cpus", type: "SCALAR", scalar: { value: 1 }, role: "eng" });
    expect(fromMesosResource(statik, "r").reservation).toEqual({ role: "eng", type: "static" });
  });

  it("refuses what Agora cannot book, naming the field", () => {
    const refinedTwice = MesosResource.parse({
      name: "cpus",
      type: "SCALAR",
      scalar: { value: 1 },
      reservations: [
        { type: "STATIC", role: "a" },
        { type: "DYNAMIC", role: "a/b" },
      ],
    });
    expect(failure(() => fromMesosResource(refinedTwice, "x.resources[0]")).field).toBe(
      "x.resources[0].reservations",
    );
    const volume = MesosResource.parse({
      name: "disk",
      type: "SCALAR",
      scalar: { value: 1 },
      disk: { persistence: { id: "v" } },
    });
    expect(failure(() => fromMesosResource(volume, "r")).field).toBe("r.disk.persistence");
    const noScalar = MesosResource.parse({ name: "cpus", type: "SCALAR" });
    expect(failure(() => fromMesosResource(noScalar, "r")).field).toBe("r.scalar");
  });

  it("writes attributes as Mesos' typed Attribute", () => {
    expect(toMesosAttribute({ name: "rack", text: "r1" })).toEqual({
      name: "rack",
      type: "TEXT",
      text: { value: "r1" },
    });
    expect(toMesosAttribute({ name: "level", scalar: 3 })).toEqual({
      name: "level",
      type: "SCALAR",
      scalar: { value: 3 },
    });
  });
});

describe("uuids", () => {
  it("are the uuid's 16 bytes in base64, both ways", () => {
    const uuid = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f0";
    const b64 = uuidToBase64(uuid);
    expect(Buffer.from(b64, "base64")).toHaveLength(16);
    expect(uuidFromBase64(b64, "acknowledge.uuid")).toBe(uuid);
    expect(failure(() => uuidFromBase64("bm90IGEgdXVpZA==", "acknowledge.uuid")).field).toBe(
      "acknowledge.uuid",
    );
  });
});

describe("scheduler calls → our calls", () => {
  const mesosTask = {
    name: "web",
    task_id: { value: "web-1" },
    agent_id: { value: "agent-1" },
    resources: [
      { name: "cpus", type: "SCALAR", scalar: { value: 0.1 }, role: "*" },
      { name: "ports", type: "RANGES", ranges: { range: [{ begin: 31000, end: 31000 }] } },
    ],
    command: {
      shell: false,
      value: "/bin/echo",
      arguments: ["echo", "hi"],
      environment: { variables: [{ name: "A", value: "1" }] },
      uris: [{ value: "http://x/y.tgz", extract: true, cache: false }],
    },
    kill_policy: { grace_period: { nanoseconds: 3e9 } },
    labels: { labels: [{ key: "team", value: "web" }] },
    max_completion_time: { nanoseconds: 60e9 },
    health_check: { type: "TCP", tcp: { port: 31000 }, interval_seconds: 5 },
  };

  it("SUBSCRIBE: a single role, or MULTI_ROLE roles; a new framework gets a minted id", () => {
    const call = translate({
      type: "SUBSCRIBE",
      subscribe: {
        framework_info: {
          user: "bob",
          name: "spark",
          role: "analytics",
          failover_timeout: 604800,
          checkpoint: true,
          principal: "spark",
          webui_url: "http://spark:4040",
          labels: { labels: [{ key: "a", value: "b" }] },
          capabilities: [{ type: "PARTITION_AWARE" }],
        },
      },
    });
    expect(call).toMatchObject({
      type: "subscribe",
      frameworkInfo: {
        id: "minted",
        name: "spark",
        user: "bob",
        roles: ["analytics"],
        failoverTimeout: 604800,
        checkpoint: true,
        principal: "spark",
        webuiUrl: "http://spark:4040",
        labels: { a: "b" },
        capabilities: ["PARTITION_AWARE"],
      },
    });
    const multi = translate({
      type: "SUBSCRIBE",
      framework_id: { value: "fw-1" },
      subscribe: {
        framework_info: {
          name: "m",
          id: { value: "fw-1" },
          roles: ["a", "b"],
          capabilities: [{ type: "MULTI_ROLE" }],
        },
      },
    });
    expect(multi).toMatchObject({ frameworkInfo: { id: "fw-1", roles: ["a", "b"], user: "root" } });
    const noCapability = () =>
      translate({ type: "SUBSCRIBE", subscribe: { framework_info: { name: "m", roles: ["a"] } } });
    expect(failure(noCapability).field).toBe("subscribe.framework_info.roles");
    const differs = () =>
      translate({
        type: "SUBSCRIBE",
        framework_id: { value: "x" },
        subscribe: { framework_info: { name: "m", id: { value: "y" } } },
      });
    expect(failure(differs).message).toContain("'framework_id' differs from 'subscribe.framework_info.id'");
  });

  it("ACCEPT with LAUNCH: TaskInfo with CommandInfo, environment, uris, kill policy, labels, health check", () => {
    const call = translate({
      type: "ACCEPT",
      ...fw,
      accept: {
        offer_ids: [{ value: "o1" }],
        operations: [{ type: "LAUNCH", launch: { task_infos: [mesosTask] } }],
        filters: { refuse_seconds: 30 },
      },
    });
    expect(call).toEqual({
      type: "accept",
      frameworkId: fid,
      offerIds: ["o1"],
      filters: { refuseSeconds: 30 },
      operations: [
        {
          type: "launch",
          tasks: [
            expect.objectContaining({
              taskId: "web-1",
              name: "web",
              agentId: "agent-1",
              resources: [
                { name: "cpus", scalar: 0.1 },
                { name: "ports", ranges: [{ begin: 31000, end: 31000 }] },
              ],
              command: {
                shell: false,
                value: "/bin/echo",
                arguments: ["echo", "hi"],
                environment: { A: "1" },
                uris: [{ value: "http://x/y.tgz", extract: true, cache: false }],
              },
              killPolicy: { gracePeriodSeconds: 3 },
              labels: { team: "web" },
              maxCompletionTimeSeconds: 60,
              healthCheck: expect.objectContaining({ type: "TCP", tcp: { port: 31000 }, intervalSeconds: 5 }),
            }),
          ],
        },
      ],
    });
  });

  it("ACCEPT with a DOCKER container, LAUNCH_GROUP, RESERVE and UNRESERVE", () => {
    const docker = {
      ...mesosTask,
      command: { shell: false },
      container: {
        type: "DOCKER",
        docker: {
          image: "busybox",
          network: "BRIDGE",
          port_mappings: [{ host_port: 31000, container_port: 80, protocol: "tcp" }],
        },
        volumes: [{ container_path: "/data", host_path: "/tmp/data", mode: "RO" }],
      },
    };
    const reserved = {
      name: "cpus",
      type: "SCALAR",
      scalar: { value: 1 },
      reservations: [{ type: "DYNAMIC", role: "eng", principal: "p" }],
    };
    const call = translate({
      type: "ACCEPT",
      ...fw,
      accept: {
        offer_ids: [{ value: "o1" }],
        operations: [
          { type: "RESERVE", reserve: { resources: [reserved] } },
          { type: "LAUNCH", launch: { task_infos: [docker] } },
          {
            type: "LAUNCH_GROUP",
            launch_group: {
              executor: { executor_id: { value: "ex" } },
              task_group: { tasks: [{ ...mesosTask, task_id: { value: "g1" } }] },
            },
          },
          { type: "UNRESERVE", unreserve: { resources: [reserved] } },
        ],
      },
    });
    if (call.type !== "accept") throw new Error("not an accept");
    expect(call.operations.map((o) => o.type)).toEqual(["reserve", "launch", "launchGroup", "unreserve"]);
    const launch = call.operations[1]!;
    if (launch.type !== "launch") throw new Error("not a launch");
    expect(launch.tasks[0]!.container).toEqual({
      type: "DOCKER",
      docker: {
        image: "busybox",
        network: "BRIDGE",
        portMappings: [{ hostPort: 31000, containerPort: 80, protocol: "tcp" }],
        forcePullImage: false,
        privileged: false,
      },
      volumes: [{ containerPath: "/data", hostPath: "/tmp/data", mode: "RO" }],
    });
    expect(call.operations[0]).toEqual({
      type: "reserve",
      resources: [{ name: "cpus", scalar: 1, reservation: { role: "eng", type: "dynamic", principal: "p" } }],
    });
  });

  it("LAUNCH of a task on a custom executor: ExecutorInfo with its command, and the task's data", () => {
    const { command: _command, health_check: _check, ...bare } = mesosTask;
    const call = translate({
      type: "ACCEPT",
      ...fw,
      accept: {
        offer_ids: [{ value: "o" }],
        operations: [
          {
            type: "LAUNCH",
            launch: {
              task_infos: [
                {
                  ...bare,
                  data: Buffer.from("payload").toString("base64"),
                  executor: {
                    type: "CUSTOM",
                    executor_id: { value: "ex-1" },
                    name: "my executor",
                    command: { value: "node executor.js" },
                    resources: [{ name: "mem", type: "SCALAR", scalar: { value: 32 } }],
                    shutdown_grace_period: { nanoseconds: 2e9 },
                  },
                },
              ],
            },
          },
        ],
      },
    });
    expect(call).toMatchObject({
      type: "accept",
      operations: [
        {
          type: "launch",
          tasks: [
            {
              taskId: "web-1",
              data: "cGF5bG9hZA==",
              executor: {
                executorId: "ex-1",
                name: "my executor",
                command: { value: "node executor.js", shell: true },
                resources: [{ name: "mem", scalar: 32 }],
                shutdownGracePeriodSeconds: 2,
              },
            },
          ],
        },
      ],
    });
    expect(
      (call as unknown as { operations: [{ tasks: [object] }] }).operations[0].tasks[0],
    ).not.toHaveProperty("command");
  });

  it("reads null as an unset field, as Mesos' JSON parser does (protobuf libraries send unset fields as null)", () => {
    const call = translate({
      type: "SUBSCRIBE",
      subscribe: {
        framework_info: {
          user: "root",
          name: "nulls",
          id: null,
          role: null,
          checkpoint: null,
          capabilities: null,
          labels: null,
        },
      },
    });
    expect(call).toMatchObject({ type: "subscribe", frameworkInfo: { name: "nulls", roles: ["*"] } });
    const { health_check: _check, ...plain } = mesosTask;
    const accept = translate({
      type: "ACCEPT",
      ...fw,
      accept: {
        offer_ids: [{ value: "o" }, null],
        operations: [
          {
            type: "LAUNCH",
            launch: {
              task_infos: [
                {
                  ...plain,
                  executor: null,
                  command: { value: "true", shell: true, uris: null, arguments: null, user: null },
                  resources: [
                    { name: "cpus", type: "SCALAR", scalar: { value: 1 }, ranges: null, role: null },
                  ],
                },
              ],
            },
          },
        ],
      },
    });
    expect(accept).toMatchObject({
      offerIds: ["o"],
      operations: [{ tasks: [{ command: { value: "true" }, resources: [{ name: "cpus", scalar: 1 }] }] }],
    });
  });

  it("refuses executors without a command, DEFAULT ones, a task with both, and unsupported operations, naming the Mesos field", () => {
    const accept = (op: unknown) => () =>
      translate({ type: "ACCEPT", ...fw, accept: { offer_ids: [{ value: "o" }], operations: [op] } });
    const { command: _command, ...bare } = mesosTask;
    const launch = (executor: unknown, task: object = bare) =>
      accept({ type: "LAUNCH", launch: { task_infos: [{ ...task, executor }] } });
    const field = "accept.operations[0].launch.task_infos[0].executor";
    expect(failure(launch({ executor_id: { value: "e" } })).field).toBe(`${field}.command`);
    expect(
      failure(launch({ type: "DEFAULT", executor_id: { value: "e" }, command: { value: "x" } })).field,
    ).toBe(`${field}.type`);
    expect(failure(launch({ executor_id: { value: "e" }, command: { value: "x" } }, mesosTask)).field).toBe(
      field,
    );
    expect(failure(accept({ type: "CREATE", create: {} })).field).toBe("accept.operations[0].type");
    const badId = accept({
      type: "LAUNCH",
      launch: { task_infos: [{ ...mesosTask, task_id: { value: "a/b" } }] },
    });
    expect(failure(badId).field).toBe("accept.operations[0].launch.task_infos[0].task_id");
    const noResources = accept({ type: "LAUNCH", launch: { task_infos: [{ ...mesosTask, resources: [] }] } });
    expect(failure(noResources).field).toBe("accept.operations[0].launch.task_infos[0].resources");
    expect(failure(() => parseSchedulerCall({ type: "NOPE" })).field).toBe("type");
    expect(failure(() => translate({ type: "ACKNOWLEDGE_OPERATION_STATUS", ...fw })).message).toContain(
      "not supported",
    );
  });

  it("UPDATE_FRAMEWORK: a re-subscribe with the framework's id and its new info", () => {
    const call = translate({
      type: "UPDATE_FRAMEWORK",
      ...fw,
      update_framework: {
        framework_info: { name: "renamed", id: { value: "fw-1" }, role: "eng" },
        suppressed_roles: [],
      },
    });
    expect(call).toMatchObject({
      type: "subscribe",
      frameworkInfo: { id: "fw-1", name: "renamed", roles: ["eng"] },
    });
    const other = () =>
      translate({
        type: "UPDATE_FRAMEWORK",
        ...fw,
        update_framework: { framework_info: { name: "x", id: { value: "fw-2" } } },
      });
    expect(failure(other).field).toBe("update_framework.framework_info.id");
    const multi = () =>
      translate({
        type: "UPDATE_FRAMEWORK",
        ...fw,
        update_framework: { framework_info: { name: "x", roles: ["a"] } },
      });
    expect(failure(multi).field).toBe("update_framework.framework_info.roles");
  });

  it("DECLINE, REVIVE, SUPPRESS, KILL, SHUTDOWN, ACKNOWLEDGE, RECONCILE, MESSAGE, REQUEST, TEARDOWN", () => {
    const uuid = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f0";
    expect(
      translate({
        type: "DECLINE",
        ...fw,
        decline: { offer_ids: [{ value: "o" }], filters: { refuse_seconds: 5 } },
      }),
    ).toEqual({
      type: "decline",
      frameworkId: fid,
      offerIds: ["o"],
      filters: { refuseSeconds: 5 },
    });
    expect(translate({ type: "REVIVE", ...fw })).toEqual({ type: "revive", frameworkId: fid });
    expect(translate({ type: "REVIVE", ...fw, revive: { role: "a" } })).toEqual({
      type: "revive",
      frameworkId: fid,
      roles: ["a"],
    });
    expect(translate({ type: "SUPPRESS", ...fw, suppress: { roles: ["a", "b"] } })).toEqual({
      type: "suppress",
      frameworkId: fid,
      roles: ["a", "b"],
    });
    expect(
      translate({
        type: "KILL",
        ...fw,
        kill: {
          task_id: { value: "t" },
          agent_id: { value: "a" },
          kill_policy: { grace_period: { nanoseconds: 5e8 } },
        },
      }),
    ).toEqual({
      type: "kill",
      frameworkId: fid,
      taskId: "t",
      agentId: "a",
      killPolicy: { gracePeriodSeconds: 0.5 },
    });
    expect(
      translate({
        type: "SHUTDOWN",
        ...fw,
        shutdown: { executor_id: { value: "t" }, agent_id: { value: "a" } },
      }),
    ).toEqual({
      type: "kill",
      frameworkId: fid,
      taskId: "t",
      agentId: "a",
    });
    expect(
      translate({
        type: "ACKNOWLEDGE",
        ...fw,
        acknowledge: { agent_id: { value: "a" }, task_id: { value: "t" }, uuid: uuidToBase64(uuid) },
      }),
    ).toEqual({ type: "acknowledge", frameworkId: fid, agentId: "a", taskId: "t", uuid });
    expect(
      translate({ type: "RECONCILE", ...fw, reconcile: { tasks: [{ task_id: { value: "t" } }] } }),
    ).toEqual({
      type: "reconcile",
      frameworkId: fid,
      tasks: [{ taskId: "t" }],
    });
    expect(translate({ type: "RECONCILE", ...fw, reconcile: {} })).toEqual({
      type: "reconcile",
      frameworkId: fid,
      tasks: [],
    });
    expect(
      translate({
        type: "MESSAGE",
        ...fw,
        message: {
          agent_id: { value: "a" },
          executor_id: { value: "e" },
          data: Buffer.from("hi").toString("base64"),
        },
      }),
    ).toEqual({ type: "message", frameworkId: fid, agentId: "a", executorId: "e", data: "hi" });
    expect(translate({ type: "REQUEST", ...fw, request: { requests: [] } })).toEqual({
      type: "heartbeat",
      frameworkId: fid,
    });
    expect(translate({ type: "TEARDOWN", ...fw })).toEqual({ type: "teardown", frameworkId: fid });
    expect(failure(() => translate({ type: "KILL", ...fw })).message).toContain(
      "Expecting 'kill' to be present",
    );
  });
});

describe("our events → scheduler events", () => {
  const offer: Offer = {
    id: "o1" as Offer["id"],
    frameworkId: fid,
    agentId: "a1" as Offer["agentId"],
    hostname: "h1",
    role: "eng",
    resources: [{ name: "cpus", scalar: 2, reservation: { role: "eng", type: "static" } }],
    attributes: [{ name: "rack", text: "r1" }],
    capabilities: ["shell"],
    unavailability: { start: { nanoseconds: 1e18 } },
  };
  const at = (e: unknown) => e as MesosableEvent;

  it("SUBSCRIBED with framework_id, heartbeat_interval_seconds and master_info", () => {
    const e = toMesosEvent(
      at({
        type: "subscribed",
        epoch: 1,
        frameworkId: fid,
        heartbeatIntervalSeconds: 15,
        masterInfo: { id: "m", hostname: "127.0.0.1", port: 5050, version: "0.1.0" },
      }),
      refined,
    );
    expect(e).toEqual({
      type: "SUBSCRIBED",
      subscribed: {
        framework_id: { value: "fw-1" },
        heartbeat_interval_seconds: 15,
        master_info: {
          id: "m",
          ip: 16777343,
          port: 5050,
          hostname: "127.0.0.1",
          version: "0.1.0",
          address: { hostname: "127.0.0.1", port: 5050 },
        },
      },
    });
  });

  it("OFFERS carry the agent's url when its port is known, as Mesos always sets it", () => {
    const e = toMesosEvent(at({ type: "offers", epoch: 1, offers: [offer] }), {
      ...legacy,
      agentPort: (id) => (id === "a1" ? 5051 : undefined),
    }) as { offers: { offers: Array<Record<string, unknown>> } };
    expect(e.offers.offers[0]!.url).toEqual({
      scheme: "http",
      address: { hostname: "h1", ip: "h1", port: 5051 },
      path: "/slave(1)",
    });
    const unknown = toMesosEvent(at({ type: "offers", epoch: 1, offers: [offer] }), {
      ...legacy,
      agentPort: () => undefined,
    }) as { offers: { offers: Array<Record<string, unknown>> } };
    expect(unknown.offers.offers[0]).not.toHaveProperty("url");
  });

  it("OFFERS in Mesos' Offer JSON, reservations in the framework's format", () => {
    const e = toMesosEvent(at({ type: "offers", epoch: 1, offers: [offer] }), legacy);
    expect(e).toEqual({
      type: "OFFERS",
      offers: {
        offers: [
          {
            id: { value: "o1" },
            framework_id: { value: "fw-1" },
            agent_id: { value: "a1" },
            hostname: "h1",
            resources: [
              {
                name: "cpus",
                type: "SCALAR",
                scalar: { value: 2 },
                role: "eng",
                allocation_info: { role: "eng" },
              },
            ],
            attributes: [{ name: "rack", type: "TEXT", text: { value: "r1" } }],
            executor_ids: [],
            allocation_info: { role: "eng" },
            unavailability: { start: { nanoseconds: 1e18 } },
          },
        ],
      },
    });
    const refinedOffer = toMesosEvent(at({ type: "offers", epoch: 1, offers: [offer] }), refined);
    expect(refinedOffer.offers).toMatchObject({
      offers: [
        {
          resources: [{ reservations: [{ type: "STATIC", role: "eng" }], allocation_info: { role: "eng" } }],
        },
      ],
    });
  });

  it("UPDATE with its status: uuid in base64, source, reason, container_status; no fields Mesos lacks", () => {
    const uuid = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f0";
    const e = toMesosEvent(
      at({
        type: "update",
        epoch: 1,
        status: {
          taskId: "t",
          state: "TASK_FAILED",
          agentId: "a1",
          source: "SOURCE_EXECUTOR",
          reason: "REASON_COMMAND_EXECUTOR_FAILED",
          message: "exit 1",
          timestamp: 1700000000.5,
          uuid,
          healthy: false,
          containerStatus: { containerId: "c", executorPid: 42, exitCode: 1 },
        },
      }),
      refined,
    );
    expect(e).toEqual({
      type: "UPDATE",
      update: {
        status: {
          task_id: { value: "t" },
          state: "TASK_FAILED",
          source: "SOURCE_EXECUTOR",
          reason: "REASON_COMMAND_EXECUTOR_FAILED",
          message: "exit 1",
          agent_id: { value: "a1" },
          timestamp: 1700000000.5,
          uuid: uuidToBase64(uuid),
          healthy: false,
          container_status: { container_id: { value: "c" }, executor_pid: 42 },
        },
      },
    });
  });

  it("RESCIND, MESSAGE, FAILURE, ERROR, HEARTBEAT", () => {
    expect(toMesosEvent(at({ type: "rescind", epoch: 1, offerId: "o1" }), refined)).toEqual({
      type: "RESCIND",
      rescind: { offer_id: { value: "o1" } },
    });
    expect(
      toMesosEvent(at({ type: "message", epoch: 1, agentId: "a", executorId: "e", data: "hi" }), refined),
    ).toEqual({
      type: "MESSAGE",
      message: {
        agent_id: { value: "a" },
        executor_id: { value: "e" },
        data: Buffer.from("hi").toString("base64"),
      },
    });
    expect(toMesosEvent(at({ type: "failure", epoch: 1, agentId: "a", status: 1 }), refined)).toEqual({
      type: "FAILURE",
      failure: { agent_id: { value: "a" }, status: 1 },
    });
    expect(toMesosEvent(at({ type: "error", epoch: 1, message: "bye" }), refined)).toEqual({
      type: "ERROR",
      error: { message: "bye" },
    });
    expect(toMesosEvent(at({ type: "heartbeat", epoch: 1 }), refined)).toEqual({ type: "HEARTBEAT" });
  });

  it("frames records as RecordIO: byte length, newline, JSON", () => {
    expect(recordIo({ type: "HEARTBEAT" })).toBe('20\n{"type":"HEARTBEAT"}');
    expect(recordIo({ m: "é" })).toBe('10\n{"m":"é"}');
  });
});

describe("SECRET environment variables (Mesos' Environment.Variable type SECRET)", () => {
  const command = (secret: unknown) =>
    MesosCommandInfo.parse({
      value: "run",
      environment: {
        variables: [
          { name: "PLAIN", value: "1" },
          { name: "TOKEN", type: "SECRET", secret },
        ],
      },
    });

  it("a VALUE secret becomes the variable's value, named in secrets so it is masked wherever shown", () => {
    const ours = fromMesosCommand(command({ type: "VALUE", value: { data: btoa("hunter2") } }), "command");
    expect(ours).toMatchObject({ environment: { PLAIN: "1", TOKEN: "hunter2" }, secrets: ["TOKEN"] });
  });

  it("a REFERENCE secret, or one without base64 data, is refused naming the field", () => {
    expect(() =>
      fromMesosCommand(command({ type: "REFERENCE", reference: { name: "db" } }), "command"),
    ).toThrow(MesosV1Error);
    const err = (() => {
      try {
        fromMesosCommand(command({ type: "VALUE", value: {} }), "task_infos[0].command");
      } catch (e) {
        return e as MesosV1Error;
      }
    })();
    expect(err?.message).toMatch(
      /task_infos\[0\]\.command\.environment\.variables\[1\]\.secret\.value\.data/,
    );
  });
});
