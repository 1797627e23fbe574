import { type AclAction, type AclEntity, type Acls, aclActions } from "./acls.js";

/** Who asks: an authenticated principal, or nobody (no credentials were required or given). */
export type Principal = string | undefined;

/** Mesos' local authorizer: the first rule whose principals and object both match decides. */
export class Authorizer {
  constructor(private readonly acls: Acls) {}

  /** An authorizer that allows everything: what a cluster without `--acls` does. */
  static permissive(): Authorizer {
    return new Authorizer({ permissive: true });
  }

  /**
   * Whether `principal` may do `action` on `object` (a role, a user, a framework's principal, an app id …).
   * An anonymous principal is matched only by ANY or NONE, as in Mesos; so is an absent object.
   */
  allows(action: AclAction, principal: Principal, object: string | undefined): boolean {
    const field = aclActions[action];
    for (const rule of this.acls[action] ?? []) {
      const objects = rule[field]!;
      if (matches(rule.principals, principal) && matches(objects, object))
        return allows(rule.principals) && allows(objects);
    }
    return this.acls.permissive;
  }
}

function matches(entity: AclEntity, value: string | undefined): boolean {
  if ("values" in entity) return value !== undefined && entity.values.includes(value);
  return true;
}

const allows = (entity: AclEntity) => !("type" in entity && entity.type === "NONE");
