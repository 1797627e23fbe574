export { type DevCluster, type DevClusterOptions, startDevCluster } from "./dev-cluster.js";
export { SimulationReport } from "./simulate/report.js";
