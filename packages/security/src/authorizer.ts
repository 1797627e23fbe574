import { type AclAction, type AclEntity, type Acls, aclActions } from "./acls.js";

/** Who asks: an authenticated principal, or nobody (no credentials were required or given). */
export type Principal = string | undefined;

/** An entity ready to match: its values as a set (a rule may list thousands of app ids or users). */
interface Entity {
  readonly values: ReadonlySet<string> | undefined;
  readonly allows: boolean;
}

interface Rule {
  readonly principals: Entity;
  readonly object: Entity;
}

/** Mesos' local authorizer: the first rule whose principals and object both match decides. */
export class Authorizer {
  private readonly rules: ReadonlyMap<AclAction, readonly Rule[]>;
  private readonly permissive: boolean;

  constructor(acls: Acls) {
    this.permissive = acls.permissive;
    this.rules = new Map(
      (Object.keys(aclActions) as AclAction[]).map((action) => [
        action,
        (acls[action] ?? []).map((rule) => ({
          principals: entity(rule.principals),
          object: entity(rule[aclActions[action]]!),
        })),
      ]),
    );
  }

  /** An authorizer that allows everything: what a cluster without `--acls` does. */
  static permissive(): Authorizer {
    return new Authorizer({ permissive: true });
  }

  /**
   * Whether `principal` may do `action` on `object` (a role, a user, a framework's principal, an app id …).
   * An anonymous principal is matched only by ANY or NONE, as in Mesos; so is an absent object.
   */
  allows(action: AclAction, principal: Principal, object: string | undefined): boolean {
    for (const rule of this.rules.get(action) ?? []) {
      if (matches(rule.principals, principal) && matches(rule.object, object))
        return rule.principals.allows && rule.object.allows;
    }
    return this.permissive;
  }
}

/** NONE matches everything and allows nothing, so a rule with it denies. */
function entity(e: AclEntity): Entity {
  if ("values" in e) return { values: new Set(e.values), allows: true };
  return { values: undefined, allows: e.type !== "NONE" };
}

function matches(entity: Entity, value: string | undefined): boolean {
  if (entity.values) return value !== undefined && entity.values.has(value);
  return true;
}
