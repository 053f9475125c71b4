/** A task of a {@link Serial}: synchronous, or a promise the next task waits for. */
export type Task = () => void | Promise<void>;

/**
 * Runs tasks one at a time, in the order given. A task given while none runs starts at once
 * (synchronously), so work that never awaits keeps the order and timing of plain calls. A task
 * that throws or rejects is reported to `onError` and the next one runs.
 */
export class Serial {
  private readonly tasks: Task[] = [];
  private next = 0;
  private running = false;

  constructor(private readonly onError: (error: unknown) => void) {}

  /** Whether a task is running or waiting. */
  get busy(): boolean {
    return this.running;
  }

  run(task: Task): void {
    this.tasks.push(task);
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.next < this.tasks.length) {
      const task = this.tasks[this.next]!;
      this.tasks[this.next++] = noop;
      try {
        const pending = task();
        if (pending) await pending;
      } catch (error) {
        this.onError(error);
      }
    }
    // Drained: start the array afresh rather than let it grow with the history of tasks.
    this.tasks.length = 0;
    this.next = 0;
    this.running = false;
  }
}

const noop: Task = () => undefined;
