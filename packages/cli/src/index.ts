export { type DevCluster, type DevClusterOptions, startDevCluster } from "./dev-cluster.js";
