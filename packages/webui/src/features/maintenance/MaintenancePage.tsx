import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { sendJson } from "../../api/client";
import { keys, useMaintenance } from "../../api/queries";
import type { MachineId } from "../../api/schemas";
import { Empty, ErrorState, QueryView } from "../../components/States";
import { StatusBadge } from "../../components/StatusBadge";

const machineName = (m: MachineId) => [m.hostname, m.ip].filter(Boolean).join(" / ");

export function MaintenancePage() {
  const query = useMaintenance();
  const client = useQueryClient();
  const [draft, setDraft] = useState<string | undefined>();
  const refresh = () => client.invalidateQueries({ queryKey: keys.maintenance });
  const move = useMutation({
    mutationFn: ({ to, machine }: { to: "down" | "up"; machine: MachineId }) =>
      sendJson("POST", `/machine/${to}`, [machine]),
    onSuccess: refresh,
  });
  const saveSchedule = useMutation({
    mutationFn: (text: string) => sendJson("POST", "/maintenance/schedule", JSON.parse(text)),
    onSuccess: async () => {
      await refresh();
      setDraft(undefined);
    },
  });
  return (
    <div className="page">
      <h1>Maintenance</h1>
      <QueryView query={query} what="the maintenance schedule">
        {({ schedule, status }) => {
          const machines = [
            ...status.draining_machines.map((d) => ({ id: d.id, mode: "DRAINING" })),
            ...status.down_machines.map((id) => ({ id, mode: "DOWN" })),
          ];
          return (
            <>
              <section className="card" aria-labelledby="machines-h">
                <h2 id="machines-h">Machines in maintenance</h2>
                {machines.length === 0 ? (
                  <Empty>No machine is scheduled for maintenance.</Empty>
                ) : (
                  <table className="table">
                    <thead>
                      <tr>
                        <th scope="col">Machine</th>
                        <th scope="col">Mode</th>
                        <th scope="col">Action</th>
                      </tr>
                    </thead>
                    <tbody>
                      {machines.map((m) => (
                        <tr key={machineName(m.id)}>
                          <td>{machineName(m.id)}</td>
                          <td>
                            <StatusBadge state={m.mode} />
                          </td>
                          <td>
                            <button
                              type="button"
                              onClick={() =>
                                move.mutate({ to: m.mode === "DOWN" ? "up" : "down", machine: m.id })
                              }
                            >
                              {m.mode === "DOWN" ? "Bring up" : "Bring down"}
                            </button>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
                {move.error && <ErrorState error={move.error} />}
              </section>
              <section className="card" aria-labelledby="schedule-h">
                <h2 id="schedule-h">Schedule</h2>
                <label htmlFor="schedule-json">
                  Schedule (Mesos' JSON: windows of machine_ids and unavailability)
                </label>
                <textarea
                  id="schedule-json"
                  className="code"
                  rows={12}
                  spellCheck={false}
                  value={draft ?? JSON.stringify(schedule, null, 2)}
                  onChange={(e) => setDraft(e.target.value)}
                />
                <div className="toolbar">
                  <button
                    type="button"
                    disabled={draft === undefined || saveSchedule.isPending}
                    onClick={() => draft && saveSchedule.mutate(draft)}
                  >
                    Save schedule
                  </button>
                  {draft !== undefined && (
                    <button type="button" onClick={() => setDraft(undefined)}>
                      Discard
                    </button>
                  )}
                </div>
                {saveSchedule.error && <ErrorState error={saveSchedule.error} />}
              </section>
            </>
          );
        }}
      </QueryView>
    </div>
  );
}
