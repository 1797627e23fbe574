import dagre from "@dagrejs/dagre";
import { H, W } from "./graph-size";

/** Lays the dependency graph out top to bottom (dagre): positions for nodes, points for edges. */
export function layoutGraph(nodes: readonly string[], edges: ReadonlyArray<readonly [string, string]>) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "TB", nodesep: 24, ranksep: 40, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n, { width: W, height: H });
  for (const [a, b] of edges) if (g.hasNode(a) && g.hasNode(b)) g.setEdge(a, b);
  dagre.layout(g);
  const graph = g.graph();
  return {
    width: graph.width ?? 0,
    height: graph.height ?? 0,
    nodes: nodes.map((n) => {
      const p = g.node(n);
      return { name: n, x: p.x - W / 2, y: p.y - H / 2 };
    }),
    edges: g.edges().map((e) => ({
      from: e.v,
      to: e.w,
      points: (g.edge(e).points ?? []) as Array<{ x: number; y: number }>,
    })),
  };
}

export type GraphLayout = ReturnType<typeof layoutGraph>;
