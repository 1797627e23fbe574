import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { sendJson } from "../../api/client";
import { keys, useRoles } from "../../api/queries";
import type { Role } from "../../api/schemas";
import { formatMb } from "../../components/format";
import { Empty, ErrorState, QueryView } from "../../components/States";
import { testIds } from "../../testids";

export function RolesPage() {
  const query = useRoles();
  return (
    <div className="page">
      <h1>Roles</h1>
      <p className="muted">
        Weights divide the cluster between roles (DRF); a quota guarantees a role resources and limits what it
        may hold.
      </p>
      <QueryView query={query} what="roles">
        {({ roles }) =>
          roles.length === 0 ? (
            <Empty>
              No role is known yet: roles appear when a framework subscribes or an operator sets a weight or
              quota.
            </Empty>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Role</th>
                  <th scope="col">Weight</th>
                  <th scope="col">Frameworks</th>
                  <th scope="col">Allocated</th>
                  <th scope="col">Reserved</th>
                  <th scope="col">Dominant share</th>
                  <th scope="col">Quota (guarantee / limit)</th>
                </tr>
              </thead>
              <tbody>
                {roles.map((r) => (
                  <RoleRow key={r.name} role={r} />
                ))}
              </tbody>
            </table>
          )
        }
      </QueryView>
    </div>
  );
}

function quotaText(q: Record<string, number>): string {
  const parts = Object.entries(q).map(([k, v]) =>
    k === "mem" || k === "disk" ? `${k} ${formatMb(v)}` : `${k} ${v}`,
  );
  return parts.join(", ") || "none";
}

function RoleRow({ role }: { role: Role }) {
  const client = useQueryClient();
  const [weight, setWeight] = useState(String(role.weight));
  const [editQuota, setEditQuota] = useState(false);
  const saveWeight = useMutation({
    mutationFn: (w: number) => sendJson("PUT", "/weights", [{ role: role.name, weight: w }]),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.roles }),
  });
  const onWeight = (e: FormEvent) => {
    e.preventDefault();
    saveWeight.mutate(Number(weight));
  };
  return (
    <tr>
      <th scope="row">{role.name}</th>
      <td>
        <form onSubmit={onWeight} className="inline-form">
          <label className="visually-hidden" htmlFor={`w-${role.name}`}>
            Weight of {role.name}
          </label>
          <input
            id={`w-${role.name}`}
            data-testid={testIds.roleWeight(role.name)}
            type="number"
            min="0.001"
            step="any"
            value={weight}
            onChange={(e) => setWeight(e.target.value)}
            className="num-input"
          />
          <button type="submit" disabled={saveWeight.isPending || Number(weight) === role.weight}>
            Save
          </button>
          {saveWeight.isSuccess && Number(weight) === role.weight && (
            <span className="muted small">saved</span>
          )}
        </form>
        {saveWeight.error && <ErrorState error={saveWeight.error} />}
      </td>
      <td>{role.frameworks.length}</td>
      <td>
        {role.allocated.cpus} cpus, {formatMb(role.allocated.mem)}
      </td>
      <td>
        {role.reserved.cpus} cpus, {formatMb(role.reserved.mem)}
      </td>
      <td>{(role.dominant_share * 100).toFixed(1)}%</td>
      <td>
        {quotaText(role.quota.guarantee)} / {quotaText(role.quota.limit)}{" "}
        {role.name !== "*" && (
          <button type="button" onClick={() => setEditQuota((v) => !v)} aria-expanded={editQuota}>
            Edit
          </button>
        )}
        {editQuota && <QuotaForm role={role} onDone={() => setEditQuota(false)} />}
      </td>
    </tr>
  );
}

function QuotaForm({ role, onDone }: { role: Role; onDone: () => void }) {
  const client = useQueryClient();
  const [values, setValues] = useState({
    gCpus: String(role.quota.guarantee.cpus ?? ""),
    gMem: String(role.quota.guarantee.mem ?? ""),
    lCpus: String(role.quota.limit.cpus ?? ""),
    lMem: String(role.quota.limit.mem ?? ""),
  });
  const save = useMutation({
    mutationFn: () => {
      const list = (cpus: string, mem: string) => [
        ...(cpus ? [{ name: "cpus", scalar: Number(cpus) }] : []),
        ...(mem ? [{ name: "mem", scalar: Number(mem) }] : []),
      ];
      const guarantee = list(values.gCpus, values.gMem);
      const limit = list(values.lCpus, values.lMem);
      if (!guarantee.length && !limit.length)
        return sendJson("DELETE", `/quota/${encodeURIComponent(role.name)}`);
      return sendJson("POST", "/quota", { role: role.name, guarantee, limit });
    },
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: keys.roles });
      onDone();
    },
  });
  const field = (key: keyof typeof values, label: string) => (
    <label>
      {label}{" "}
      <input
        className="num-input"
        type="number"
        min="0"
        step="any"
        value={values[key]}
        onChange={(e) => setValues({ ...values, [key]: e.target.value })}
      />
    </label>
  );
  return (
    <form
      className="quota-form"
      aria-label={`Quota of ${role.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      {field("gCpus", "Guarantee cpus")}
      {field("gMem", "Guarantee mem (MB)")}
      {field("lCpus", "Limit cpus")}
      {field("lMem", "Limit mem (MB)")}
      <button type="submit" disabled={save.isPending}>
        Save quota
      </button>
      {save.error && <ErrorState error={save.error} />}
    </form>
  );
}
