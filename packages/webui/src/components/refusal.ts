/**
 * What the dashboard tried, in words, from the request a 403 answered: the server names the ACL action
 * (`update_weights`), the user clicked "Save" beside a weight. Both go in the message.
 */
const ACTIONS: Array<[method: string, path: RegExp, words: string]> = [
  ["PUT", /^\/weights$/, "change role weights"],
  ["POST", /^\/quota$/, "set quotas"],
  ["DELETE", /^\/quota\//, "remove quotas"],
  ["POST", /^\/teardown$/, "tear down frameworks"],
  ["POST", /^\/master\/agents\/[^/]+\/gone$/, "mark agents gone"],
  ["POST", /^\/machine\/down$/, "bring machines down"],
  ["POST", /^\/machine\/up$/, "bring machines up"],
  ["POST", /^\/maintenance\/schedule$/, "change the maintenance schedule"],
  ["POST", /^\/service\/marathon\/v2\/apps$/, "create apps"],
  ["POST", /^\/service\/marathon\/v2\/apps\/.+\/restart$/, "restart apps"],
  ["PUT", /^\/service\/marathon\/v2\/apps\//, "change apps"],
  ["DELETE", /^\/service\/marathon\/v2\/apps\//, "destroy apps"],
  ["DELETE", /^\/service\/marathon\/v2\/deployments\//, "cancel deployments"],
  ["DELETE", /^\/service\/marathon\/v2\/queue\/.+\/delay$/, "reset launch delays"],
  ["PUT", /^\/service\/chronos\/v1\/scheduler\/job\//, "run jobs"],
  ["DELETE", /^\/service\/chronos\/v1\/scheduler\/task\/kill\//, "kill jobs' tasks"],
  ["DELETE", /^\/service\/chronos\/v1\/scheduler\/job\//, "delete jobs"],
  ["POST", /^\/service\/chronos\/v1\/scheduler\/(iso8601|dependency)$/, "create or change jobs"],
];

/** The refused request in words ("change role weights"), or its method and path when unknown. */
export function refusedAction(method: string, path: string): string {
  const bare = path.split("?", 1)[0]!;
  const known = ACTIONS.find(([m, p]) => m === method && p.test(bare));
  if (known) return known[2];
  return method === "GET" || method === "HEAD" ? `read ${bare}` : `${method} ${bare}`;
}
