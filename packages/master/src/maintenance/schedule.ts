import { isIPv4 } from "node:net";
import { Unavailability } from "@agora/protocol";
import { z } from "zod";
import { MasterError } from "../errors.js";

/** A machine as Mesos names it: a hostname, an IPv4 address, or both (hostnames compare case-insensitively). */
export const MachineId = z
  .object({
    hostname: z.string().min(1).optional(),
    ip: z.string().refine(isIPv4, "must be an IPv4 address").optional(),
  })
  .strict()
  .refine((m) => m.hostname !== undefined || m.ip !== undefined, "needs a hostname or an ip");
export type MachineId = z.infer<typeof MachineId>;

/** The body of `/machine/down` and `/machine/up`: the machines to move, at least one. */
export const MachineIds = z.array(MachineId).min(1);

/** Machines that go into maintenance together, and when (Mesos' maintenance::Window). */
export const MaintenanceWindow = z
  .object({ machine_ids: z.array(MachineId).min(1), unavailability: Unavailability })
  .strict();
export type MaintenanceWindow = z.infer<typeof MaintenanceWindow>;

/** The body of `POST /maintenance/schedule` (Mesos' maintenance::Schedule); `{windows: []}` clears it. */
export const MaintenanceSchedule = z.object({ windows: z.array(MaintenanceWindow) }).strict();
export type MaintenanceSchedule = z.infer<typeof MaintenanceSchedule>;

/**
 * What the master keeps about maintenance, persisted as one registry record so a schedule and the
 * machines it brought down change together: scheduled machines are DRAINING unless listed in `down`.
 */
export const MaintenanceState = z
  .object({ windows: z.array(MaintenanceWindow), down: z.array(MachineId) })
  .strict();
export type MaintenanceState = z.infer<typeof MaintenanceState>;

export const EMPTY_MAINTENANCE: MaintenanceState = { windows: [], down: [] };

/** The identity two machine ids share when they name the same machine. */
export function machineKey(m: MachineId): string {
  return `${m.hostname?.toLowerCase() ?? ""}/${m.ip ?? ""}`;
}

/**
 * Replaces the schedule, as Mesos validates it: no machine in two windows (or twice in one), and
 * every DOWN machine still scheduled (it must be brought up before it leaves the schedule).
 */
export function applySchedule(state: MaintenanceState, schedule: MaintenanceSchedule): MaintenanceState {
  const seen = new Set<string>();
  schedule.windows.forEach((window, w) => {
    window.machine_ids.forEach((machine, m) => {
      const key = machineKey(machine);
      if (seen.has(key))
        throw invalid(
          `machine ${describe(machine)} is scheduled more than once`,
          `windows.${w}.machine_ids.${m}`,
        );
      seen.add(key);
    });
  });
  for (const machine of state.down) {
    if (!seen.has(machineKey(machine)))
      throw invalid(
        `machine ${describe(machine)} is DOWN and cannot leave the schedule; bring it up first`,
        "windows",
      );
  }
  return { windows: schedule.windows, down: state.down };
}

/** Mesos' `/machine/down`: every machine must be scheduled and DRAINING (not DOWN already, not unscheduled). */
export function bringDown(state: MaintenanceState, machines: readonly MachineId[]): MaintenanceState {
  const scheduled = new Set(state.windows.flatMap((w) => w.machine_ids.map(machineKey)));
  const down = new Set(state.down.map(machineKey));
  const added: MachineId[] = [];
  machines.forEach((machine, i) => {
    const key = machineKey(machine);
    if (!scheduled.has(key))
      throw invalid(`machine ${describe(machine)} is not in the maintenance schedule`, `${i}`);
    if (down.has(key))
      throw invalid(`machine ${describe(machine)} is not DRAINING: it is DOWN already`, `${i}`);
    down.add(key);
    added.push(machine);
  });
  return { windows: state.windows, down: [...state.down, ...added] };
}

/**
 * Mesos' `/machine/up`: every machine must be DOWN; it leaves both the down list and the schedule
 * (a window left without machines goes too), so it is in no maintenance mode afterwards.
 */
export function bringUp(state: MaintenanceState, machines: readonly MachineId[]): MaintenanceState {
  const down = new Set(state.down.map(machineKey));
  const up = new Set<string>();
  machines.forEach((machine, i) => {
    const key = machineKey(machine);
    if (!down.has(key) || up.has(key)) throw invalid(`machine ${describe(machine)} is not DOWN`, `${i}`);
    up.add(key);
  });
  const windows = state.windows
    .map((w) => ({ ...w, machine_ids: w.machine_ids.filter((m) => !up.has(machineKey(m))) }))
    .filter((w) => w.machine_ids.length > 0);
  return { windows, down: state.down.filter((m) => !up.has(machineKey(m))) };
}

/**
 * Whether a machine id names an agent's host. Agents report a hostname only, so a machine matches by
 * its hostname, or by its ip when the agent registered with that address as its hostname.
 */
export function namesHost(machine: MachineId, hostname: string): boolean {
  const host = hostname.toLowerCase();
  return machine.hostname?.toLowerCase() === host || machine.ip === hostname;
}

/** True when the agent's host is on a DOWN machine. */
export function isHostDown(state: MaintenanceState, hostname: string): boolean {
  return state.down.some((m) => namesHost(m, hostname));
}

/** The unavailability of a DRAINING agent host's window; undefined when not scheduled (or DOWN). */
export function hostUnavailability(state: MaintenanceState, hostname: string): Unavailability | undefined {
  if (isHostDown(state, hostname)) return undefined;
  return state.windows.find((w) => w.machine_ids.some((m) => namesHost(m, hostname)))?.unavailability;
}

export interface MaintenanceStatus {
  draining_machines: { id: MachineId }[];
  down_machines: MachineId[];
}

/** Mesos' `/maintenance/status`: scheduled machines not DOWN are draining (inverse offers are not made, so no statuses). */
export function maintenanceStatus(state: MaintenanceState): MaintenanceStatus {
  const down = new Set(state.down.map(machineKey));
  const draining = state.windows
    .flatMap((w) => w.machine_ids)
    .filter((m) => !down.has(machineKey(m)))
    .map((id) => ({ id }));
  return { draining_machines: draining, down_machines: state.down };
}

function describe(m: MachineId): string {
  return [m.hostname, m.ip].filter((x) => x !== undefined).join("/");
}

function invalid(message: string, field: string): MasterError {
  return new MasterError("INVALID_MAINTENANCE", message, { field });
}
