import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Each package's public names, pinned: what `src/index.ts` ("."), `src/internal.ts` ("./internal",
 * for sibling packages, the CLI and benchmarks) and `src/testing/index.ts` ("./testing", test
 * harnesses) export. Adding or removing a name is a decision: change it here, in the same commit,
 * and in docs/architecture.md's table.
 */
const surfaces: Record<string, Record<string, string[]>> = {
  security: {
    ".": [
      "AclAction",
      "aclActions",
      "AclEntity",
      "AclRule",
      "Acls",
      "Authorization",
      "AuthorizationOptions",
      "countedAuthorization",
      "Authorizer",
      "challenge",
      "Credentials",
      "CredentialsFile",
      "DEFAULT_SESSION_TTL_MS",
      "Denial",
      "DenialLogger",
      "forbidden",
      "HTTP_REALM",
      "httpAccess",
      "HttpAccess",
      "HttpAuthenticationOptions",
      "HttpAuthStyle",
      "httpScheme",
      "HttpSecurity",
      "HttpSecurityFlags",
      "installCors",
      "installHttpAuthentication",
      "installHttpSecurity",
      "installLoginRoutes",
      "installStandbyProxy",
      "isEventStream",
      "isSecurityError",
      "loadAuthorizer",
      "loadCredentials",
      "loadHttpSecurity",
      "loggedAuthorization",
      "LoginBody",
      "LoginRoutesOptions",
      "OPEN_HTTP",
      "operatorCallAccess",
      "parseAcls",
      "parseCredentials",
      "Principal",
      "SecurityError",
      "SecurityErrorCode",
      "securityErrorCodes",
      "Session",
      "SessionTokens",
      "SessionTokensOptions",
      "StandbyProxyOptions",
      "upstreamTls",
      "withTls",
    ],
  },
  transport: {
    ".": [
      "AlwaysLeader",
      "Bus",
      "BusMessage",
      "BusSubscription",
      "Candidate",
      "Clock",
      "connectNatsBus",
      "DEFAULT_LEASE_TTL_MS",
      "FileStateStore",
      "FileStateStoreOptions",
      "HasNatsConnection",
      "InProcessBus",
      "isTransportError",
      "JetStreamLeaderElectionOptions",
      "JetStreamStateStore",
      "JetStreamStateStoreOptions",
      "LeaderElection",
      "LeaderInfo",
      "LeadershipHandlers",
      "LeaseElectionOptions",
      "LeaseLeaderElection",
      "ManualClock",
      "MemoryStateStore",
      "NatsBus",
      "NatsAuth",
      "NatsBusOptions",
      "NatsReconnectOptions",
      "openJetStreamLeaderElection",
      "PutOptions",
      "RequestOptions",
      "StateStore",
      "StoreEntry",
      "StoreWatch",
      "SubscribeOptions",
      "systemClock",
      "TimerHandle",
      "TransportError",
      "TransportErrorCode",
      "transportErrorCodes",
      "WatchEvent",
    ],
    "./internal": ["encodeJson", "KeyedWriter", "trackUnusedConnections"],
    "./testing": [
      "BusFixture",
      "describeBusConformance",
      "describeStateStoreConformance",
      "expectCode",
      "StateStoreConformanceOptions",
      "StateStoreFixture",
      "waitFor",
      "WaitOptions",
    ],
  },
  master: {
    ".": [
      "Allocator",
      "AuthenticationOptions",
      "buildMasterHttp",
      "isMasterError",
      "Master",
      "MasterError",
      "MasterErrorCode",
      "masterErrorCodes",
      "MasterHttpOptions",
      "MasterMetrics",
      "MasterOptions",
      "MasterView",
    ],
    "./internal": [
      "AllocationSnapshot",
      "AllocatorAgent",
      "AllocatorFramework",
      "cycleSnapshot",
      "DeclineFilterIndex",
      "DrfAllocator",
      "jsonSize",
      "MasterState",
      "MesosStateRenderer",
      "OfferPlan",
      "writeJson",
    ],
  },
  agent: {
    ".": [
      "Agent",
      "AgentCounters",
      "AgentError",
      "AgentErrorCode",
      "agentErrorCodes",
      "AgentOptions",
      "AgentView",
      "buildAgentHttp",
      "CgroupMode",
      "Cgroups",
      "detectCgroups",
      "detectResources",
      "DetectResourcesOptions",
      "DockerExecutor",
      "DockerExecutorOptions",
      "DockerProbeOptions",
      "Executor",
      "ExecutorHandle",
      "ExecutorReportedStatus",
      "Fetcher",
      "FetcherOptions",
      "FrameworkView",
      "isAgentError",
      "LaunchContext",
      "probeDockerExecutor",
      "RecoverContext",
      "RetryPolicy",
      "ShellExecutor",
      "ShellExecutorOptions",
      "TaskExit",
      "TaskUsage",
      "TaskView",
      "UnacknowledgedUpdate",
    ],
    "./internal": ["AgentCheckpoint", "NoopExecutor", "NoopExecutorOptions", "journalledUpdates"],
    "./testing": ["AgentFixture", "dockerAvailable", "FakeMaster", "shellTask", "startAgent", "TEST_IMAGE"],
  },
  "framework-sdk": {
    ".": [
      "CommandInfoInput",
      "ContainerInfoInput",
      "FailureInfo",
      "FrameworkMessage",
      "Handler",
      "HealthCheckInput",
      "isSchedulerError",
      "Launch",
      "offerHas",
      "OperationInput",
      "PackOptions",
      "PackResult",
      "packTasks",
      "scalarIn",
      "Scheduler",
      "schedulerDefaults",
      "SchedulerError",
      "SchedulerErrorCode",
      "schedulerErrorCodes",
      "SchedulerEventMap",
      "SchedulerEventType",
      "SchedulerOptions",
      "SchedulerStats",
      "StreamOptions",
      "SubscribedInfo",
      "TaskInfoInput",
      "TaskResources",
      "TaskSpec",
    ],
  },
  marathon: {
    ".": [
      "createMarathonHttp",
      "ErrorDetail",
      "isMarathonError",
      "MarathonError",
      "MarathonErrorCode",
      "marathonErrorCodes",
      "MarathonEvent",
      "MarathonEventType",
      "MarathonHttpOptions",
      "MarathonInfo",
      "MarathonOptions",
      "MarathonService",
      "RunningMarathon",
      "startMarathon",
    ],
    "./internal": ["AppDefinition", "Group", "MarathonRuntime", "MarathonRuntimeOptions"],
  },
  chronos: {
    ".": [
      "ChronosError",
      "ChronosErrorCode",
      "chronosErrorCodes",
      "ChronosEvent",
      "ChronosEventType",
      "ChronosOptions",
      "ChronosRuntime",
      "ChronosService",
      "DEFAULT_JOB_RESOURCES",
      "ErrorDetail",
      "isChronosError",
      "JobDefaults",
      "JobDefinition",
      "JobDefinitionInput",
      "JobRun",
      "JobView",
      "RunningChronos",
      "startChronos",
    ],
  },
  cli: {
    // For tests and the simulator's report readers; the CLI's API is the `agora` command.
    ".": ["DevCluster", "DevClusterOptions", "SimulationReport", "startDevCluster"],
  },
};

/** Packages whose entry points are not pinned name by name, and why. */
const unpinned: Record<string, string> = {
  // Its hundred-odd schema names are listed by name in its index (no `export *`, checked below).
  protocol: "every wire schema",
};

/**
 * Names two packages may both export, each with why it means the same thing on both sides. A name
 * exported by two packages with different meanings misleads whoever imports both (the master's
 * `AgentView` was a registry entry, the agent's what its HTTP API renders).
 */
const sharedNames: Record<string, string> = {
  // The same shape, `{path, errors}`: Marathon's and Metronome's validation error details.
  ErrorDetail: "marathon, chronos",
};

const root = path.resolve(import.meta.dirname, "../..");

/** The names an entry file exports, from its `export { … } from` lists (the only form allowed). */
function exportedNames(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
    for (const part of m[1]!.split(",")) {
      const name = part
        .trim()
        .replace(/^type\s+/, "")
        .split(/\s+as\s+/)
        .pop()!;
      if (name) names.push(name);
    }
  }
  return names.sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()) || a.localeCompare(b));
}

const sorted = (names: string[]) =>
  [...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()) || a.localeCompare(b));

describe("public surfaces", () => {
  it("no entry point of any package re-exports a whole module (export *)", () => {
    const wholesale: string[] = [];
    for (const pkg of readdirSync(path.join(root, "packages"))) {
      const manifest = JSON.parse(readFileSync(path.join(root, "packages", pkg, "package.json"), "utf8"));
      for (const entry of Object.values<{ source?: string }>(manifest.exports ?? {})) {
        if (!entry.source) continue;
        const file = path.join("packages", pkg, entry.source);
        if (/export\s+(type\s+)?\*/.test(readFileSync(path.join(root, file), "utf8"))) wholesale.push(file);
      }
    }
    expect(wholesale).toEqual([]);
  });

  it("every package with entry points is pinned here, or listed as not pinned", () => {
    const withExports = readdirSync(path.join(root, "packages")).filter(
      (pkg) => JSON.parse(readFileSync(path.join(root, "packages", pkg, "package.json"), "utf8")).exports,
    );
    expect(withExports.sort()).toEqual([...Object.keys(surfaces), ...Object.keys(unpinned)].sort());
  });

  it("docs/architecture.md's table names each package's pinned names in its row", () => {
    const doc = readFileSync(path.join(root, "docs/architecture.md"), "utf8");
    const table = doc.slice(doc.indexOf("### Public surfaces"));
    const unnamed: Record<string, string[]> = {};
    for (const [pkg, entries] of Object.entries(surfaces)) {
      const row = table.split("\n").find((line) => line.startsWith(`| \`${pkg}\` | `)) ?? "";
      // "XxxError and its codes" covers the code type, table and guard; an options type goes with its function.
      const missing = Object.values(entries)
        .flat()
        .filter(
          (name) => !/ErrorCodes?$|^is[A-Z]\w*Error$|Options$/.test(name) && !row.includes(`\`${name}\``),
        );
      if (missing.length > 0) unnamed[pkg] = missing;
    }
    expect(unnamed).toEqual({});
  });

  it("no name is exported by two packages unless it means the same thing there", () => {
    const exporters = new Map<string, Set<string>>();
    for (const [pkg, entries] of Object.entries(surfaces))
      for (const name of Object.values(entries).flat())
        exporters.set(name, (exporters.get(name) ?? new Set()).add(pkg));
    const shared = Object.fromEntries(
      [...exporters].filter(([, pkgs]) => pkgs.size > 1).map(([name, pkgs]) => [name, [...pkgs].join(", ")]),
    );
    expect(shared).toEqual(sharedNames);
  });

  for (const [pkg, entries] of Object.entries(surfaces)) {
    const manifest = JSON.parse(readFileSync(path.join(root, "packages", pkg, "package.json"), "utf8"));

    it(`@agora/${pkg} exports exactly its pinned entry points`, () => {
      expect(Object.keys(manifest.exports).sort()).toEqual(Object.keys(entries).sort());
    });

    for (const [entry, names] of Object.entries(entries)) {
      it(`@agora/${pkg}${entry.slice(1)} lists its API by name, and exactly the pinned names`, () => {
        const file = path.join(root, "packages", pkg, manifest.exports[entry].source);
        const text = readFileSync(file, "utf8");
        expect(text, `${file} re-exports a whole module`).not.toMatch(/export\s+(type\s+)?\*/);
        expect(exportedNames(text)).toEqual(sorted(names));
      });
    }
  }
});
