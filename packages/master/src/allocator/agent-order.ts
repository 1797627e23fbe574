/**
 * The order one allocation cycle visits agents in: a seeded shuffle, as Nomad's `ShuffleNodes`.
 * Offers reach a framework in this order and frameworks fill the first offers first, so a fixed order
 * (registration order) would pile tasks onto the first agents; Mesos shuffles with an unseeded
 * generator, which spreads load but cannot be replayed. Seeded from the leader's epoch and its cycle
 * count, the same run visits agents in the same order every time. Pure; no `Math.random()`.
 */

/** The seed of one cycle: the leader's epoch (term) and how many cycles it ran before this one. */
export function cycleSeed(epoch: number, cycle: number): number {
  // Epochs far apart in seed space, so epoch e's cycle n and epoch e+1's cycle n − 1 differ.
  return (Math.imul(epoch >>> 0, 0x85ebca6b) + cycle) >>> 0;
}

/** `items` in a new order chosen by `seed` (Fisher-Yates); the input is left as it is. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  const next = splitmix32(seed);
  for (let i = out.length - 1; i > 0; i--) {
    // A 32-bit draw scaled to 0..i: the bias is below i / 2^32, nothing beside scheduling noise.
    const j = Math.floor((next() / 0x1_0000_0000) * (i + 1));
    const swap = out[i]!;
    out[i] = out[j]!;
    out[j] = swap;
  }
  return out;
}

/**
 * A 32-bit generator: each draw hashes a counter stepped by the golden ratio (SplitMix), so seeds 1,
 * 2, 3… (consecutive cycles) give unrelated sequences.
 */
function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
}
