import dagre from "@dagrejs/dagre";
import { useMemo } from "react";
import { Link } from "react-router";
import { routes } from "../../routes";

const W = 150;
const H = 36;

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

/** The jobs' dependency DAG as an SVG: parent above child, one arrow per dependency. */
export function JobGraph({ nodes, edges }: { nodes: string[]; edges: Array<[string, string]> }) {
  const layout = useMemo(() => layoutGraph(nodes, edges), [nodes, edges]);
  return (
    <svg className="job-graph" width={layout.width} height={layout.height} data-testid="job-graph">
      <title>{`Job dependencies: ${edges.map(([a, b]) => `${a} before ${b}`).join(", ") || "none"}`}</title>
      <defs>
        <marker
          id="arrow"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto"
        >
          <path d="M0,0 L10,5 L0,10 z" className="graph-arrow" />
        </marker>
      </defs>
      {layout.edges.map((e) => (
        <polyline
          key={`${e.from}->${e.to}`}
          data-edge={`${e.from}->${e.to}`}
          className="graph-edge"
          points={e.points.map((p) => `${p.x},${p.y}`).join(" ")}
          markerEnd="url(#arrow)"
        />
      ))}
      {layout.nodes.map((n) => (
        <Link key={n.name} to={routes.job(n.name)}>
          <rect className="graph-node" x={n.x} y={n.y} width={W} height={H} rx={6} />
          <text className="graph-label" x={n.x + W / 2} y={n.y + H / 2 + 4} textAnchor="middle">
            {n.name.length > 20 ? `${n.name.slice(0, 19)}…` : n.name}
          </text>
        </Link>
      ))}
    </svg>
  );
}
