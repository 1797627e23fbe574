import { add, normalize, type Resource, type Resources, subtract } from "@agora/protocol";

/**
 * One holder's resources split three ways: offered (in outstanding offers), used (by tasks) and
 * available (the rest of the total). `available` is cached until the next change, because the
 * allocator reads it for every agent every cycle.
 */
export class ResourceLedger {
  private totalResources: Resources;
  private offeredResources: Resources = [];
  private usedResources: Resources = [];
  private availableCache: Resources | undefined;

  constructor(total: readonly Resource[] = []) {
    this.totalResources = normalize(total);
  }

  get total(): Resources {
    return this.totalResources;
  }

  get offered(): Resources {
    return this.offeredResources;
  }

  get used(): Resources {
    return this.usedResources;
  }

  get available(): Resources {
    // Subtracting nothing only normalizes, and a subtraction normalizes its input anyway: an agent
    // visited after an accept or a decline has no offer out, so one subtraction suffices.
    this.availableCache ??=
      this.offeredResources.length === 0
        ? subtract(this.totalResources, this.usedResources)
        : this.usedResources.length === 0
          ? subtract(this.totalResources, this.offeredResources)
          : subtract(subtract(this.totalResources, this.offeredResources), this.usedResources);
    return this.availableCache;
  }

  setTotal(total: readonly Resource[]): void {
    this.totalResources = normalize(total);
    this.availableCache = undefined;
  }

  offer(resources: readonly Resource[]): void {
    this.offeredResources = add(this.offeredResources, resources);
    this.availableCache = undefined;
  }

  unoffer(resources: readonly Resource[]): void {
    this.offeredResources = subtract(this.offeredResources, resources);
    this.availableCache = undefined;
  }

  use(resources: readonly Resource[]): void {
    this.usedResources = add(this.usedResources, resources);
    this.availableCache = undefined;
  }

  release(resources: readonly Resource[]): void {
    this.usedResources = subtract(this.usedResources, resources);
    this.availableCache = undefined;
  }
}
