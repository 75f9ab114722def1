/**
 * Group commit for statements that concurrent jobs of one process would otherwise send one by
 * one: calls made while a batch is being written wait and go together in the next one, so under
 * load N deliveries cost one round trip instead of N, and when idle a call waits only for the
 * current tick. Each caller gets its own result (or the batch's error, so its job is retried as if
 * its own statement had failed): nothing is acknowledged before the statement that records it
 * has committed.
 */
export class StatementBatcher<In, Out> {
  private queue: { input: In; resolve: (out: Out) => void; reject: (error: unknown) => void }[] = [];
  private running = false;

  constructor(
    /** Writes a batch; returns one result per input, in order. */
    private readonly write: (inputs: In[]) => Promise<Out[]>,
    private readonly maxBatch = 64,
  ) {}

  add(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (!this.running) {
        this.running = true;
        // One tick lets the calls of the same tick (jobs fetched together) join the first batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const outs = await this.write(batch.map((b) => b.input));
        batch.forEach((b, i) => b.resolve(outs[i]!));
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    }
    this.running = false;
  }
}

/** One batcher per key object (an ORM: one per database), made on first use. */
export function batcherPer<K extends object, In, Out>(make: (key: K) => StatementBatcher<In, Out>): (key: K) => StatementBatcher<In, Out> {
  const batchers = new WeakMap<K, StatementBatcher<In, Out>>();
  return (key) => {
    let batcher = batchers.get(key);
    if (!batcher) batchers.set(key, (batcher = make(key)));
    return batcher;
  };
}
