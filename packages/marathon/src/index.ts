/**
 * @agora/marathon — long-running services with Marathon's REST v2 API, built only on
 * @agora/framework-sdk; it never imports master or agent code.
 */
export * from "./model/app-definition.js";
export * from "./model/group.js";
export * from "./model/instance.js";
export * from "./model/path-id.js";
