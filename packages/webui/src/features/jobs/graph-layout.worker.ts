import { layoutGraph } from "./graph-layout";

/** The dependency graph's layout, computed off the main thread (dagre takes seconds on large graphs). */
const scope = self as unknown as {
  onmessage: ((e: MessageEvent<LayoutRequest>) => void) | null;
  postMessage: (message: LayoutAnswer) => void;
};

export interface LayoutRequest {
  readonly id: number;
  readonly nodes: string[];
  readonly edges: Array<[string, string]>;
}
export interface LayoutAnswer {
  readonly id: number;
  readonly layout: ReturnType<typeof layoutGraph>;
}

scope.onmessage = (e) =>
  scope.postMessage({ id: e.data.id, layout: layoutGraph(e.data.nodes, e.data.edges) });
