import type { ExecutorInfo, FrameworkId, OfferId, Resource } from "@agora/protocol";
import type { AclAction, Authorization, Principal } from "@agora/security";
import type { FastifyRequest } from "fastify";
import type { Master } from "../master.js";
import type { TaskEntry } from "../registry/entries.js";
import { Ring } from "../registry/ring.js";
import type { FrameworkEntryView, MasterView, OfferEntryView } from "../view.js";

/**
 * The principal the request authenticated as (set by the HTTP authentication every role installs);
 * undefined when no credentials were given or none are configured: an anonymous principal, which the
 * ACLs match only by ANY or NONE, as Mesos does.
 */
export function principalOf(request: FastifyRequest): Principal {
  return request.principal;
}

/** Throws FORBIDDEN (403) unless the request's principal may do `action` on each of `objects`. */
export function authorize(
  master: Master,
  request: FastifyRequest,
  action: AclAction,
  objects: Iterable<string | undefined>,
): void {
  const authz = master.authorization;
  if (!authz) return;
  const principal = principalOf(request);
  for (const object of objects) authz.check(action, principal, object);
}

/**
 * Throws FORBIDDEN unless the request's principal may reserve (`reserve_resources`, by the role reserved
 * for) or unreserve (`unreserve_resources`, by the principal that reserved) each of `resources`: Mesos'
 * objects for these actions.
 */
export function authorizeReservation(
  master: Master,
  request: FastifyRequest,
  kind: "reserve" | "unreserve",
  resources: readonly Resource[],
): void {
  if (kind === "reserve")
    authorize(
      master,
      request,
      "reserve_resources",
      resources.map((r) => r.reservation?.role),
    );
  else
    authorize(
      master,
      request,
      "unreserve_resources",
      resources.map((r) => r.reservation?.principal),
    );
}

/** Whether a listing shows `object` to the request's principal (Mesos' view and get ACLs filter). */
export function visibleTo(
  master: Master,
  request: FastifyRequest,
  action: AclAction,
): (object: string | undefined) => boolean {
  const authz = master.authorization;
  const principal = principalOf(request);
  return (object) => authz?.visible(action, principal, object) ?? true;
}

/**
 * Tears a framework down if the request's principal may (`teardown_frameworks`, whose object is the
 * framework's principal, as Mesos'); an unknown framework is still a 404, checked first.
 */
export function teardownAuthorized(master: Master, request: FastifyRequest, frameworkId: string): void {
  const view = master.snapshot();
  const framework = view.frameworks.get(frameworkId as FrameworkId);
  if (framework) authorize(master, request, "teardown_frameworks", [framework.info.principal]);
  master.teardownFramework(frameworkId);
}

/**
 * The registry as this request's principal may see it (Mesos' `view_frameworks` and `view_tasks`, each
 * by the framework's user): frameworks it may not view are left out with their offers and from their
 * roles' lists, and those whose tasks it may not view show none. The master's own view when it runs
 * without ACLs.
 */
export function visibleView(master: Master, request: FastifyRequest): MasterView {
  const view = master.snapshot();
  const authz = master.authorization;
  return authz ? filterView(view, viewerOf(authz, principalOf(request))) : view;
}

/** What one principal may see, by the framework's user (an executor by its own, see executorUser). */
export interface Viewer {
  framework(f: FrameworkEntryView): boolean;
  tasks(f: FrameworkEntryView): boolean;
  executors(f: FrameworkEntryView, executor: ExecutorInfo): boolean;
}

export function viewerOf(authz: Authorization, principal: Principal): Viewer {
  return {
    framework: (f) => authz.visible("view_frameworks", principal, f.info.user),
    tasks: (f) => authz.visible("view_tasks", principal, f.info.user),
    executors: (f, e) => authz.visible("view_executors", principal, executorUser(e, f)),
  };
}

/**
 * Mesos' object of `view_executors` on the master: the executor's command user, else its framework's
 * (the local authorizer's VIEW_EXECUTOR; the agent applies the same rule to its executors).
 */
export function executorUser(e: ExecutorInfo, f: FrameworkEntryView): string | undefined {
  return e.command.user || f.info.user;
}

const noTasks = new Ring<TaskEntry>(0);

/** A view with only what `viewer` may see; pure (the registry is not touched). */
export function filterView(view: MasterView, viewer: Viewer): MasterView {
  const shown = (f: FrameworkEntryView): FrameworkEntryView | undefined => {
    if (!viewer.framework(f)) return undefined;
    return viewer.tasks(f) ? f : { ...f, tasks: new Map(), completedTasks: noTasks };
  };
  const frameworks = new Map<FrameworkId, FrameworkEntryView>();
  for (const [id, f] of view.frameworks) {
    const visible = shown(f);
    if (visible) frameworks.set(id, visible);
  }
  const offers = new Map<OfferId, OfferEntryView>();
  for (const [id, o] of view.offers) if (frameworks.has(o.offer.frameworkId)) offers.set(id, o);
  return {
    ...view,
    frameworks,
    completedFrameworks: view.completedFrameworks.flatMap((f) => shown(f) ?? []),
    executorsVisible: viewer.executors,
    // Each role names only the frameworks shown.
    roles: () =>
      view.roles().map((r) => ({ ...r, frameworks: r.frameworks.filter((id) => frameworks.has(id)) })),
    offers,
  };
}
