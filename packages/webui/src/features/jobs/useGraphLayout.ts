import { useEffect, useRef, useState } from "react";
import type { GraphLayout } from "./graph-layout";
import type { LayoutAnswer, LayoutRequest } from "./graph-layout.worker";

/**
 * The graph's layout from a web worker, so the page stays responsive while dagre works: on this
 * project's (loaded) machine a tree-shaped DAG took 0.2 s for 50 jobs, 0.7 s for 200, 1.9 s for 500
 * and 3.5 s for 1,000, a parent with hundreds of children far longer. Only the newest request's
 * answer is kept. Without workers (component tests' DOM) it is computed here instead.
 */
export function useGraphLayout(nodes: string[], edges: Array<[string, string]>): GraphLayout | undefined {
  const [layout, setLayout] = useState<{ id: number; layout: GraphLayout }>();
  const worker = useRef<Worker | undefined>(undefined);
  const latest = useRef(0);

  useEffect(() => {
    if (typeof Worker === "undefined") return;
    const w = new Worker(new URL("./graph-layout.worker.ts", import.meta.url), { type: "module" });
    w.onmessage = (e: MessageEvent<LayoutAnswer>) => {
      if (e.data.id === latest.current) setLayout(e.data);
    };
    worker.current = w;
    return () => {
      w.terminate();
      worker.current = undefined;
    };
  }, []);

  useEffect(() => {
    const id = ++latest.current;
    const w = worker.current;
    if (w) w.postMessage({ id, nodes, edges } satisfies LayoutRequest);
    else
      void import("./graph-layout").then(({ layoutGraph }) => {
        if (id === latest.current) setLayout({ id, layout: layoutGraph(nodes, edges) });
      });
  }, [nodes, edges]);

  return layout?.layout;
}
