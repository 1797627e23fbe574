/**
 * The server roles' flags, apart from the roles themselves so that `--help`, completion and the client
 * verbs load none of the servers (the role's module is imported only when it runs).
 */

import { aclFlags } from "./acl-flags.js";
import {
  agentCredentialFlags,
  frameworkCredentialFlags,
  masterAuthenticationFlags,
  natsIdentityFlags,
} from "./bus-identity.js";
import { chronosJobFlags, masterTimingFlags } from "./flags.js";
import { httpSecurityFlags } from "./http-flags.js";
import type { FlagSpec } from "./options.js";

export const devFlags: FlagSpec = {
  port: {
    type: "string",
    description: "HTTP port of the master and web UI (default 5050); agents use the next ports",
  },
  host: { type: "string", description: "address to bind to (default 127.0.0.1)" },
  agents: { type: "string", description: "number of agents to run (default 1)" },
  "data-dir": {
    type: "string",
    description: "where the master's registry and the agents' sandboxes live (default ./.agora)",
  },
  nats: { type: "string", description: "use this NATS server instead of the in-process bus" },
  "agent-resources": {
    type: "string",
    description: "resources of each agent (default: detected from this machine)",
  },
  cluster: { type: "string", description: "cluster name (default agora)" },
  "marathon-port": {
    type: "string",
    description: "port of Marathon's REST API (default 8080; 0 picks a free one; 'off' runs no Marathon)",
  },
  "chronos-port": {
    type: "string",
    description: "port of Chronos' API (default 4400; 0 picks a free one; 'off' runs no Chronos)",
  },
  docker: {
    type: "string",
    description: "'auto' (default): offer the Docker executor when a Docker daemon answers; 'off': never",
  },
  "log-level": {
    type: "string",
    description: "fatal, error, warn, info (default), debug (adds a line per HTTP request), trace or silent",
  },
  "log-format": {
    type: "string",
    description: "pretty (default on a terminal: colored, one line each) or json (default otherwise)",
  },
  ...httpSecurityFlags,
  ...aclFlags,
  ...natsIdentityFlags,
  ...masterAuthenticationFlags,
  ...agentCredentialFlags,
  ...frameworkCredentialFlags,
  ...chronosJobFlags,
  ...masterTimingFlags,
};

export const masterFlags: FlagSpec = {
  nats: { type: "string", description: "NATS server URL(s), comma-separated (required)" },
  port: { type: "string", description: "HTTP port of the operator API (default 5050)" },
  host: { type: "string", description: "address to bind the HTTP API to (default 0.0.0.0)" },
  cluster: {
    type: "string",
    description: "cluster name, the namespace of every bus subject (default agora)",
  },
  "registry-replicas": {
    type: "string",
    description: "replicas of the JetStream KV registry and leader-lease buckets (default 1)",
  },
  "advertise-ip": {
    type: "string",
    description:
      "address other masters redirect clients to while this one leads (default: --host, or the hostname)",
  },
  "advertise-port": {
    type: "string",
    description: "port other masters redirect clients to while this one leads (default: --port)",
  },
  "leader-lease-ttl": {
    type: "string",
    description: "a leading master that stops renewing its lease loses it after this time (default 5secs)",
  },
  ...httpSecurityFlags,
  ...aclFlags,
  ...natsIdentityFlags,
  ...masterAuthenticationFlags,
  ...masterTimingFlags,
};

export const agentFlags: FlagSpec = {
  nats: { type: "string", description: "NATS server URL(s), comma-separated (required)" },
  port: { type: "string", description: "HTTP port of the agent API (default 5051)" },
  host: { type: "string", description: "address to bind the HTTP API to (default 0.0.0.0)" },
  "work-dir": {
    type: "string",
    description: "directory for sandboxes and agent state (default ./.agora/agent)",
  },
  resources: {
    type: "string",
    description: "Mesos-style resources, e.g. 'cpus:2;mem:1024;ports:[31000-32000]'",
  },
  attributes: { type: "string", description: "Mesos-style attributes, e.g. 'rack:r1;zone:a'" },
  hostname: { type: "string", description: "hostname to advertise (default: this machine's)" },
  ...httpSecurityFlags,
  ...aclFlags,
  ...natsIdentityFlags,
  ...agentCredentialFlags,
  cluster: { type: "string", description: "cluster name (default agora)" },
  "switch-user": {
    type: "boolean",
    description:
      "run each task as the user it asks for (command.user), as Mesos' --switch_user (default; needs root)",
  },
  "no-switch-user": {
    type: "boolean",
    description: "run every task as the agent's own user, whatever user it asks for",
  },
  "allow-privileged-containers": {
    type: "boolean",
    description:
      "let Docker tasks run privileged (docker.privileged or the privileged parameter); refused by default",
  },
  "allow-host-volumes": {
    type: "boolean",
    description:
      "let Docker tasks bind host paths outside their sandbox (volume hostPath); refused by default",
  },
};

export const executeFlags: FlagSpec = {
  nats: { type: "string", description: "NATS server URL(s), comma-separated (required)" },
  command: {
    type: "string",
    description: "shell command each task runs (required unless --docker-image is given)",
  },
  "docker-image": {
    type: "string",
    description: "run each task in a container of this image (on agents with the docker executor)",
  },
  "docker-network": {
    type: "string",
    description:
      "container network: host, none or bridge (default host; bridge needs a bridge network on the agent's daemon)",
  },
  instances: { type: "string", description: "number of tasks (default 1)" },
  cpus: { type: "string", description: "cpus per task (default 1, as mesos-execute)" },
  mem: { type: "string", description: "memory per task in MB (default 128, as mesos-execute)" },
  name: { type: "string", description: "framework and task name (default agora-execute)" },
  role: { type: "string", description: "role to subscribe in (default *)" },
  "failover-timeout": {
    type: "string",
    description: "seconds the master keeps the tasks running after this framework disconnects (default 0)",
  },
  timeout: {
    type: "string",
    description: "seconds to wait for every task to finish; 0 waits forever (default 300)",
  },
  cluster: { type: "string", description: "cluster name (default agora)" },
  ...natsIdentityFlags,
  ...frameworkCredentialFlags,
};

/**
 * The flags every framework process (Marathon, Chronos) takes: where the cluster is, where its API
 * listens, its role, and where its state and leader lease live.
 */
function frameworkProcessFlags(
  name: string,
  { api, port, instances, tasks }: { api: string; port: number; instances: string; tasks: string },
): FlagSpec {
  return {
    nats: { type: "string", description: "NATS server URL(s), comma-separated (required)" },
    ...httpSecurityFlags,
    ...aclFlags,
    ...natsIdentityFlags,
    ...frameworkCredentialFlags,
    "http-port": { type: "string", description: `port of the ${api} (default ${port})` },
    host: { type: "string", description: "address to bind the API to (default 0.0.0.0)" },
    hostname: {
      type: "string",
      description: `name other ${instances} and clients reach this one by (default: this machine's)`,
    },
    cluster: {
      type: "string",
      description: "cluster name, the namespace of every bus subject (default agora)",
    },
    "mesos-role": { type: "string", description: `role ${name} subscribes in (default *)` },
    "state-dir": {
      type: "string",
      description: `keep state in a file store in this directory and lead alone (default: JetStream KV, with leader election among every ${name} of the cluster)`,
    },
    "registry-replicas": {
      type: "string",
      description: "replicas of the JetStream KV buckets for state and the leader lease (default 1)",
    },
    "failover-timeout": {
      type: "string",
      description: `seconds the master keeps ${tasks} tasks while no ${name} is subscribed (default 604800)`,
    },
    "leader-lease": {
      type: "string",
      description:
        "how long a leader's lease outlives its last renewal, the longest failover wait (default 5secs)",
    },
  };
}

export const marathonFlags: FlagSpec = {
  ...frameworkProcessFlags("Marathon", {
    api: "Marathon REST API",
    port: 8080,
    instances: "Marathons",
    tasks: "Marathon's",
  }),
  "decline-offer-duration": {
    type: "string",
    description: "how long declined offers stay away, e.g. 120secs (default 120secs, as Marathon)",
  },
  "max-running-deployments": {
    type: "string",
    description: "deployments that may run at once; more are refused with 403 (default 100, as Marathon)",
  },
};

export const chronosFlags: FlagSpec = {
  ...frameworkProcessFlags("Chronos", {
    api: "Chronos API",
    port: 4400,
    instances: "Chronos instances",
    tasks: "Chronos'",
  }),
  ...chronosJobFlags,
};
