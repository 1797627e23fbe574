/**
 * Every HTTP API of a dev cluster, as the fuzzer sees it: per surface, its routes with a valid body
 * (the seed that mutations start from) and the query parameters they read. Bodies use fake names
 * (`fuzz-…`) and harmless commands; ids of the running cluster are filled in where reaching an
 * existing object goes deeper, but never into a destructive call (teardown, gone, kill), so the
 * cluster stays up for the rest of the run.
 */

export type Method = "GET" | "POST" | "PUT" | "DELETE" | "PATCH" | "HEAD" | "OPTIONS";

export interface Endpoint {
  readonly method: Method;
  /** `{name}` placeholders are filled from `Ids` or with a nasty segment. */
  readonly path: string;
  /** Valid bodies: the seeds of mutations. */
  readonly bodies?: readonly unknown[];
  /** A body sent as `application/x-www-form-urlencoded` (Mesos' teardown). */
  readonly form?: boolean;
  /** Query parameters the route reads, with a valid value each. */
  readonly query?: Readonly<Record<string, string>>;
}

export interface Surface {
  readonly name: string;
  readonly base: string;
  readonly endpoints: readonly Endpoint[];
  /** A GET that must answer 200 after the run: the server is still up. */
  readonly health: string;
  /** Share of the total requests. */
  readonly weight: number;
}

/** Ids of objects that exist in the cluster under test. */
export interface Ids {
  readonly agentId: string;
  readonly frameworkId: string;
  readonly appId: string;
  readonly jobName: string;
  readonly metronomeJob: string;
  readonly sandbox: string;
}

export interface Urls {
  readonly master: string;
  readonly agent: string;
  readonly marathon: string;
  readonly chronos: string;
}

const FAKE_ID = "fuzz-0000-not-there";

const scalar = (name: string, value: number) => ({ name, type: "SCALAR", scalar: { value } });

function masterEndpoints(ids: Ids): Endpoint[] {
  const reserved = [
    { ...scalar("cpus", 0.01), reservations: [{ type: "DYNAMIC", role: "fuzz", principal: "ops" }] },
  ];
  const machine = { hostname: "fuzz-host", ip: "10.0.0.1" };
  const schedule = {
    windows: [
      {
        machine_ids: [machine],
        unavailability: {
          start: { nanoseconds: 4_000_000_000_000_000_000 },
          duration: { nanoseconds: 3.6e12 },
        },
      },
    ],
  };
  const fw = { value: FAKE_ID };
  const operator = [
    ...[
      "GET_HEALTH",
      "GET_VERSION",
      "GET_FLAGS",
      "GET_STATE",
      "GET_AGENTS",
      "GET_FRAMEWORKS",
      "GET_EXECUTORS",
      "GET_TASKS",
      "GET_ROLES",
      "GET_WEIGHTS",
      "GET_QUOTA",
      "GET_MASTER",
      "GET_MAINTENANCE_STATUS",
      "GET_MAINTENANCE_SCHEDULE",
    ].map((type) => ({ type })),
    { type: "GET_METRICS", get_metrics: { timeout: { nanoseconds: 1_000_000 } } },
    { type: "UPDATE_WEIGHTS", update_weights: { weight_infos: [{ role: "fuzz", weight: 2 }] } },
    {
      type: "UPDATE_QUOTA",
      update_quota: {
        force: false,
        quota_configs: [
          { role: "fuzz", guarantees: { cpus: { value: 0.01 } }, limits: { cpus: { value: 1 } } },
        ],
      },
    },
    {
      type: "RESERVE_RESOURCES",
      reserve_resources: { agent_id: { value: ids.agentId }, resources: reserved },
    },
    {
      type: "UNRESERVE_RESOURCES",
      unreserve_resources: { agent_id: { value: ids.agentId }, resources: reserved },
    },
    { type: "UPDATE_MAINTENANCE_SCHEDULE", update_maintenance_schedule: { schedule } },
    { type: "START_MAINTENANCE", start_maintenance: { machines: [machine] } },
    { type: "STOP_MAINTENANCE", stop_maintenance: { machines: [machine] } },
    { type: "TEARDOWN", teardown: { framework_id: fw } },
    { type: "MARK_AGENT_GONE", mark_agent_gone: { agent_id: { value: FAKE_ID } } },
  ];
  const scheduler = [
    {
      type: "SUBSCRIBE",
      subscribe: {
        framework_info: {
          user: "root",
          name: "fuzz",
          roles: ["fuzz"],
          capabilities: [{ type: "MULTI_ROLE" }],
          failover_timeout: 0,
        },
      },
    },
    { type: "TEARDOWN", framework_id: fw },
    {
      type: "DECLINE",
      framework_id: fw,
      decline: { offer_ids: [{ value: FAKE_ID }], filters: { refuse_seconds: 1 } },
    },
    {
      type: "ACCEPT",
      framework_id: fw,
      accept: {
        offer_ids: [{ value: FAKE_ID }],
        operations: [
          {
            type: "LAUNCH",
            launch: {
              task_infos: [
                {
                  name: "t",
                  task_id: { value: "t1" },
                  agent_id: { value: ids.agentId },
                  resources: [scalar("cpus", 0.01)],
                  command: { value: "true" },
                },
              ],
            },
          },
        ],
      },
    },
    { type: "REVIVE", framework_id: fw, revive: { roles: ["fuzz"] } },
    { type: "SUPPRESS", framework_id: fw, suppress: { roles: ["fuzz"] } },
    { type: "KILL", framework_id: fw, kill: { task_id: { value: "t1" }, agent_id: { value: ids.agentId } } },
    {
      type: "ACKNOWLEDGE",
      framework_id: fw,
      acknowledge: {
        agent_id: { value: ids.agentId },
        task_id: { value: "t1" },
        uuid: "AAAAAAAAAAAAAAAAAAAAAA==",
      },
    },
    { type: "RECONCILE", framework_id: fw, reconcile: { tasks: [{ task_id: { value: "t1" } }] } },
    {
      type: "MESSAGE",
      framework_id: fw,
      message: { agent_id: { value: ids.agentId }, executor_id: { value: "e" }, data: "aGk=" },
    },
  ];
  return [
    { method: "GET", path: "/health" },
    { method: "GET", path: "/master/health" },
    { method: "GET", path: "/master/state", query: { jsonp: "cb" } },
    { method: "GET", path: "/state" },
    { method: "GET", path: "/master/state.json" },
    { method: "GET", path: "/master/state-summary" },
    {
      method: "GET",
      path: "/master/tasks",
      query: { limit: "10", offset: "0", order: "asc", framework_id: ids.frameworkId, task_id: "t1" },
    },
    { method: "GET", path: "/master/roles" },
    { method: "GET", path: "/roles" },
    { method: "GET", path: "/master/usage" },
    { method: "GET", path: "/master/events", query: { since: "0" } },
    { method: "GET", path: "/master/events/recent", query: { limit: "5" } },
    { method: "GET", path: "/metrics" },
    { method: "GET", path: "/metrics/snapshot", query: { timeout: "1secs" } },
    { method: "GET", path: "/weights" },
    { method: "PUT", path: "/weights", bodies: [[{ role: "fuzz", weight: 2 }]] },
    { method: "GET", path: "/quota" },
    {
      method: "POST",
      path: "/quota",
      bodies: [{ role: "fuzz", guarantee: [scalar("cpus", 0.01)], limit: [scalar("cpus", 1)] }],
    },
    { method: "DELETE", path: "/quota/{role}" },
    { method: "POST", path: "/reserve", bodies: [{ agentId: ids.agentId, resources: reserved }] },
    { method: "POST", path: "/unreserve", bodies: [{ agentId: ids.agentId, resources: reserved }] },
    { method: "GET", path: "/maintenance/schedule" },
    { method: "POST", path: "/maintenance/schedule", bodies: [schedule, { windows: [] }] },
    { method: "GET", path: "/maintenance/status" },
    { method: "POST", path: "/machine/down", bodies: [[machine]] },
    { method: "POST", path: "/machine/up", bodies: [[machine]] },
    { method: "POST", path: "/teardown", form: true, bodies: [{ frameworkId: FAKE_ID }] },
    { method: "POST", path: "/master/teardown", bodies: [{ frameworkId: FAKE_ID }] },
    { method: "POST", path: "/master/agents/{fakeId}/gone" },
    { method: "POST", path: "/api/v1", bodies: operator },
    { method: "POST", path: "/api/v1/operator", bodies: operator },
    { method: "POST", path: "/api/v1/scheduler", bodies: scheduler },
    { method: "GET", path: "/agents/{agentId}/state" },
    { method: "GET", path: "/agents/{agentId}/files/browse", query: { path: ids.sandbox } },
    {
      method: "GET",
      path: "/agents/{agentId}/files/read",
      query: { path: `${ids.sandbox}/stdout`, offset: "0" },
    },
    { method: "GET", path: "/agents/{agentId}/files/download", query: { path: `${ids.sandbox}/stdout` } },
    { method: "GET", path: "/agents/{agentId}/monitor/statistics" },
    { method: "GET", path: "/" },
    { method: "GET", path: "/ui" },
    { method: "GET", path: "/ui/{any}" },
  ];
}

function agentEndpoints(ids: Ids): Endpoint[] {
  const fw = { value: ids.frameworkId };
  const executor = [
    {
      type: "SUBSCRIBE",
      framework_id: fw,
      executor_id: { value: "fuzz-executor" },
      subscribe: { unacknowledged_tasks: [], unacknowledged_updates: [] },
    },
    {
      type: "UPDATE",
      framework_id: fw,
      executor_id: { value: "fuzz-executor" },
      update: {
        status: {
          task_id: { value: "t1" },
          state: "TASK_RUNNING",
          source: "SOURCE_EXECUTOR",
          uuid: "AAAAAAAAAAAAAAAAAAAAAA==",
          timestamp: 1,
        },
      },
    },
    { type: "MESSAGE", framework_id: fw, executor_id: { value: "fuzz-executor" }, message: { data: "aGk=" } },
    { type: "HEARTBEAT", framework_id: fw, executor_id: { value: "fuzz-executor" } },
  ];
  const operator = [
    ...[
      "GET_HEALTH",
      "GET_VERSION",
      "GET_FLAGS",
      "GET_AGENT",
      "GET_FRAMEWORKS",
      "GET_EXECUTORS",
      "GET_TASKS",
      "GET_STATE",
    ].map((type) => ({ type })),
    { type: "GET_METRICS", get_metrics: { timeout: { nanoseconds: 1_000_000 } } },
    { type: "LIST_FILES", list_files: { path: ids.sandbox } },
    { type: "READ_FILE", read_file: { path: `${ids.sandbox}/stdout`, offset: 0, length: 16 } },
  ];
  return [
    { method: "GET", path: "/health" },
    { method: "GET", path: "/state" },
    { method: "GET", path: "/files/browse", query: { path: ids.sandbox } },
    {
      method: "GET",
      path: "/files/read",
      query: { path: `${ids.sandbox}/stdout`, offset: "0", length: "16" },
    },
    { method: "GET", path: "/monitor/statistics" },
    { method: "GET", path: "/metrics" },
    { method: "POST", path: "/api/v1", bodies: operator },
    { method: "POST", path: "/api/v1/executor", bodies: executor },
  ];
}

/** A Marathon app that validates; it runs a harmless command with tiny resources. */
function marathonApp(id: string): Record<string, unknown> {
  return {
    id,
    cmd: "sleep 600",
    cpus: 0.01,
    mem: 8,
    disk: 0,
    instances: 1,
    labels: { team: "fuzz" },
    env: { FUZZ: "1" },
    constraints: [["hostname", "UNIQUE"]],
    portDefinitions: [{ port: 0, protocol: "tcp", name: "http" }],
    healthChecks: [
      { protocol: "COMMAND", command: { value: "true" }, gracePeriodSeconds: 5, intervalSeconds: 10 },
    ],
    upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 1 },
    backoffSeconds: 1,
    backoffFactor: 1.15,
    maxLaunchDelaySeconds: 300,
  };
}

function marathonEndpoints(ids: Ids): Endpoint[] {
  const app = marathonApp("/fuzz/app");
  const appQuery = { embed: "apps.tasks", force: "true", cmd: "sleep", id: "fuzz", label: "team==fuzz" };
  return [
    { method: "GET", path: "/ping" },
    { method: "GET", path: "/v2/info" },
    { method: "GET", path: "/agora/info" },
    { method: "GET", path: "/v2/leader" },
    { method: "GET", path: "/metrics" },
    { method: "GET", path: "/metrics/prometheus" },
    { method: "GET", path: "/v2/apps", query: appQuery },
    { method: "POST", path: "/v2/apps", bodies: [app], query: { force: "true" } },
    { method: "PUT", path: "/v2/apps", bodies: [[app]], query: { force: "true", partialUpdate: "true" } },
    { method: "PATCH", path: "/v2/apps", bodies: [[{ id: "/fuzz/app", instances: 1 }]] },
    { method: "GET", path: "/v2/apps/{appId}", query: { embed: "app.taskStats" } },
    { method: "GET", path: "/v2/apps/{appId}/tasks" },
    { method: "GET", path: "/v2/apps/{appId}/versions" },
    { method: "GET", path: "/v2/apps/{appId}/versions/{any}" },
    {
      method: "PUT",
      path: "/v2/apps/{appId}",
      bodies: [{ ...marathonApp(ids.appId), instances: 0 }],
      query: { force: "true" },
    },
    { method: "PATCH", path: "/v2/apps/{appId}", bodies: [{ instances: 0, labels: { a: "b" } }] },
    { method: "POST", path: "/v2/apps/{appId}/restart", query: { force: "true" } },
    { method: "DELETE", path: "/v2/apps/{appId}/tasks/{any}", query: { scale: "true", wipe: "false" } },
    { method: "DELETE", path: "/v2/apps/{any}", query: { force: "true" } },
    { method: "GET", path: "/v2/groups", query: { embed: "group.apps" } },
    { method: "GET", path: "/v2/groups/{any}" },
    {
      method: "POST",
      path: "/v2/groups",
      bodies: [{ id: "/fuzz-group", apps: [marathonApp("/fuzz-group/a")], groups: [], dependencies: [] }],
    },
    {
      method: "PUT",
      path: "/v2/groups/fuzz-group",
      bodies: [{ scaleBy: 1 }, { version: "2020-01-01T00:00:00.000Z" }],
    },
    { method: "PATCH", path: "/v2/groups/{any}", bodies: [{ id: "/x", apps: [] }] },
    { method: "DELETE", path: "/v2/groups/{any}", query: { force: "true" } },
    { method: "GET", path: "/v2/tasks", query: { status: "running" } },
    {
      method: "POST",
      path: "/v2/tasks/delete",
      bodies: [{ ids: ["fuzz.not-there"] }],
      query: { scale: "true", wipe: "true" },
    },
    { method: "GET", path: "/v2/deployments" },
    { method: "DELETE", path: "/v2/deployments/{any}", query: { force: "true" } },
    { method: "GET", path: "/v2/queue", query: { embed: "lastUnusedOffers" } },
    { method: "DELETE", path: "/v2/queue/{appId}/delay" },
    { method: "GET", path: "/v2/events", query: { event_type: "status_update_event", plan: "light" } },
    { method: "DELETE", path: "/v2/leader" },
  ];
}

function chronosEndpoints(ids: Ids, prefix: string): Endpoint[] {
  const job = {
    name: "fuzz-job",
    command: "true",
    schedule: "R1/2030-01-01T00:00:00Z/PT1H",
    scheduleTimeZone: "UTC",
    epsilon: "PT60S",
    owner: "fuzz@example.com",
    cpus: 0.01,
    mem: 8,
    disk: 0,
    retries: 1,
    async: false,
    disabled: false,
    environmentVariables: [{ name: "FUZZ", value: "1" }],
  };
  return [
    { method: "POST", path: `${prefix}/iso8601`, bodies: [job, { ...job, schedule: "0 9 * * 1-5" }] },
    {
      method: "POST",
      path: `${prefix}/dependency`,
      bodies: [{ name: "fuzz-dep", command: "true", parents: [ids.jobName] }],
    },
    { method: "GET", path: `${prefix}/jobs` },
    { method: "GET", path: `${prefix}/jobs/summary` },
    {
      method: "GET",
      path: `${prefix}/jobs/search`,
      query: { name: "fuzz", command: "true", any: "x", limit: "5", offset: "0" },
    },
    { method: "GET", path: `${prefix}/job/{jobName}` },
    { method: "PUT", path: `${prefix}/job/{jobName}`, query: { arguments: "-x" } },
    { method: "DELETE", path: `${prefix}/job/{any}` },
    { method: "PUT", path: `${prefix}/job/success/{any}` },
    { method: "GET", path: `${prefix}/job/stat/{jobName}` },
    { method: "GET", path: `${prefix}/stats/{percentile}` },
    { method: "DELETE", path: `${prefix}/task/kill/{any}` },
    { method: "GET", path: `${prefix}/graph/dot` },
    { method: "GET", path: `${prefix}/graph/csv` },
    { method: "GET", path: `${prefix}/leader` },
  ];
}

function metronomeEndpoints(ids: Ids): Endpoint[] {
  const job = {
    id: "fuzz.job",
    description: "fuzz",
    labels: { team: "fuzz" },
    run: {
      cmd: "true",
      cpus: 0.01,
      mem: 32,
      disk: 0,
      maxLaunchDelay: 60,
      restart: { policy: "NEVER" },
      env: { FUZZ: "1" },
    },
  };
  const schedule = {
    id: "fuzz-schedule",
    cron: "0 0 1 1 *",
    timezone: "UTC",
    concurrencyPolicy: "ALLOW",
    enabled: true,
    startingDeadlineSeconds: 60,
  };
  return [
    { method: "GET", path: "/ping" },
    { method: "GET", path: "/metrics" },
    { method: "GET", path: "/v1/events" },
    { method: "GET", path: "/v1/jobs", query: { embed: "activeRuns" } },
    { method: "POST", path: "/v1/jobs", bodies: [job] },
    { method: "GET", path: "/v1/jobs/{metronomeJob}", query: { embed: "history" } },
    { method: "PUT", path: "/v1/jobs/{metronomeJob}", bodies: [{ ...job, id: ids.metronomeJob }] },
    { method: "DELETE", path: "/v1/jobs/{any}", query: { stopCurrentJobRuns: "true" } },
    { method: "GET", path: "/v1/jobs/{metronomeJob}/schedules" },
    { method: "POST", path: "/v1/jobs/{metronomeJob}/schedules", bodies: [schedule] },
    { method: "GET", path: "/v1/jobs/{metronomeJob}/schedules/{any}" },
    { method: "PUT", path: "/v1/jobs/{metronomeJob}/schedules/fuzz-schedule", bodies: [schedule] },
    { method: "DELETE", path: "/v1/jobs/{metronomeJob}/schedules/{any}" },
    { method: "GET", path: "/v1/jobs/{metronomeJob}/runs" },
    { method: "GET", path: "/v1/jobs/{metronomeJob}/runs/{any}" },
    { method: "POST", path: "/v1/jobs/{any}/runs" },
    { method: "POST", path: "/v1/jobs/{metronomeJob}/runs/{any}/actions/stop" },
  ];
}

/** The surfaces of a dev cluster, weighted by how many routes and body shapes each has. */
export function surfaces(urls: Urls, ids: Ids): Surface[] {
  return [
    { name: "master", base: urls.master, endpoints: masterEndpoints(ids), health: "/health", weight: 30 },
    { name: "agent", base: urls.agent, endpoints: agentEndpoints(ids), health: "/health", weight: 12 },
    { name: "marathon", base: urls.marathon, endpoints: marathonEndpoints(ids), health: "/ping", weight: 25 },
    {
      name: "chronos",
      base: urls.chronos,
      endpoints: [...chronosEndpoints(ids, "/v1/scheduler"), ...chronosEndpoints(ids, "/scheduler")],
      health: "/ping",
      weight: 15,
    },
    {
      name: "metronome",
      base: urls.chronos,
      endpoints: metronomeEndpoints(ids),
      health: "/ping",
      weight: 10,
    },
    {
      // The master's proxy to Marathon: the same routes through `/service/marathon/`.
      name: "master→marathon proxy",
      base: `${urls.master}/service/marathon`,
      endpoints: marathonEndpoints(ids),
      health: "/ping",
      weight: 8,
    },
  ];
}
