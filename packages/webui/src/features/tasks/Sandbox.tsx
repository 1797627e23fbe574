import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { z } from "zod";
import { getJson } from "../../api/client";
import { keys, useAgentState } from "../../api/queries";
import { SandboxEntry } from "../../api/schemas";
import { DownloadLink } from "../../components/DownloadLink";
import { dateTime } from "../../components/format";
import { LogTail } from "../../components/LogTail";
import { Empty, ErrorState, Loading, QueryView } from "../../components/States";

/** The task's sandbox on its agent, through the master: an `ls -l` listing, live tails of stdout and stderr. */
export function Sandbox({
  agentId,
  frameworkId,
  taskId,
}: {
  agentId: string;
  frameworkId: string;
  taskId: string;
}) {
  const agentState = useAgentState(agentId);
  if (agentState.error)
    return <ErrorState error={agentState.error} retry={() => void agentState.refetch()} />;
  if (!agentState.data) return <Loading what="the sandbox" />;
  const directory = agentState.data.frameworks
    .find((f) => f.id === frameworkId)
    ?.executors.find((e) => e.id === taskId)?.directory;
  if (!directory) return <Empty>The agent no longer keeps this task's sandbox.</Empty>;
  return (
    <>
      <Listing agentId={agentId} directory={directory} />
      <div className="grid-2">
        <LogTail agentId={agentId} path={`${directory}/stdout`} name="stdout" />
        <LogTail agentId={agentId} path={`${directory}/stderr`} name="stderr" />
      </div>
    </>
  );
}

/** A sandbox file's download through the master's agent proxy. */
const downloadPath = (agentId: string, path: string) =>
  `/agents/${encodeURIComponent(agentId)}/files/download?path=${encodeURIComponent(path)}`;

function Listing({ agentId, directory }: { agentId: string; directory: string }) {
  const query = useQuery({
    queryKey: keys.browse(agentId, directory),
    queryFn: ({ signal }) =>
      getJson(
        `/agents/${encodeURIComponent(agentId)}/files/browse?path=${encodeURIComponent(directory)}`,
        z.array(SandboxEntry),
        signal,
      ),
    refetchInterval: 5000,
  });
  return (
    <section className="card" aria-labelledby="sandbox-h">
      <h2 id="sandbox-h">Sandbox</h2>
      <p className="mono muted small">{directory}</p>
      <QueryView query={query} what="the sandbox listing">
        {(entries) =>
          entries.length === 0 ? (
            <Empty>The sandbox is empty.</Empty>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Mode</th>
                  <th scope="col">Owner</th>
                  <th scope="col">Size</th>
                  <th scope="col">Modified</th>
                  <th scope="col">Name</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((e) => {
                  const name = e.path.split("/").pop() ?? e.path;
                  return (
                    <tr key={e.path}>
                      <td className="mono">{e.mode}</td>
                      <td>{e.uid ?? ""}</td>
                      <td>{e.size}</td>
                      <td>{dateTime(e.mtime)}</td>
                      <td>
                        {e.mode.startsWith("d") ? (
                          name
                        ) : (
                          <DownloadLink href={downloadPath(agentId, e.path)} name={name}>
                            {name}
                          </DownloadLink>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )
        }
      </QueryView>
    </section>
  );
}

/** Download links for a task's stdout and stderr, its sandbox found in its agent's state (through the master). */
export function SandboxFileLinks({
  agentId,
  frameworkId,
  taskId,
}: {
  agentId: string;
  frameworkId: string;
  taskId: string;
}) {
  const agentState = useAgentState(agentId);
  const directory = agentState.data?.frameworks
    .find((f) => f.id === frameworkId)
    ?.executors.find((e) => e.id === taskId)?.directory;
  const { refetch } = agentState;
  // A task launched after the agent's state was read: read it again until its sandbox shows.
  useEffect(() => {
    if (directory) return;
    const timer = setInterval(() => void refetch(), 5000);
    return () => clearInterval(timer);
  }, [directory, refetch]);
  if (!directory) return <span className="muted">—</span>;
  const link = (file: "stdout" | "stderr") => (
    <DownloadLink
      href={downloadPath(agentId, `${directory}/${file}`)}
      name={file}
      label={`${file} of ${taskId}`}
    >
      {file}
    </DownloadLink>
  );
  return (
    <>
      {link("stdout")} · {link("stderr")}
    </>
  );
}
