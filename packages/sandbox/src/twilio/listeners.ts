/** A minimal typed event hub: `on()` returns the function that removes the listener. */
export class Listeners<Events extends Record<string, unknown[]>> {
  private readonly byEvent: { [K in keyof Events]?: Set<(...args: Events[K]) => void> } = {};

  on<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): () => void {
    const set = this.byEvent[event] ?? new Set<(...args: Events[K]) => void>();
    this.byEvent[event] = set;
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    const set = this.byEvent[event];
    if (!set) return;
    for (const listener of [...set]) listener(...args);
  }
}
