export interface EnqueueOptions {
  maxAttempts?: number;
  /** First retry delay; doubled at each attempt. */
  backoffMs?: number;
  /** Run no earlier than this many ms from now. */
  delayMs?: number;
}

export interface Job<T> {
  id: string;
  queue: string;
  data: T;
  /** 1 on the first delivery. */
  attempt: number;
  maxAttempts: number;
  enqueuedAt: string;
}

export type JobHandler<T> = (job: Job<T>) => Promise<void>;

export interface WorkerOptions {
  concurrency?: number;
  /** Called after the last attempt failed and the job moved to the dead letters. */
  onDead?: (job: Job<unknown>, error: Error) => void;
  /** Called when the queue itself fails (not a job); the worker stops. */
  onError?: (error: Error) => void;
}

export interface WorkerHandle {
  /** Stop taking jobs, let the ones running finish, then resolve. */
  close(): Promise<void>;
}

export interface QueueStats {
  queue: string;
  waiting: number;
  active: number;
  delayed: number;
  dead: number;
}

export interface DeadLetter {
  id: string;
  queue: string;
  attempts: number;
  error: string;
  failedAt: string;
  /** Number of items in the job, when the payload is a batch. */
  size: number | null;
}

/**
 * Durable job queue with at-least-once delivery. A job is stored before `add` resolves; a job whose
 * worker died is delivered again; errors marked non-retryable (AllearsError.retryable === false,
 * except transient ones) and jobs out of attempts go to the dead letters. Deliberately left out:
 * priorities, job progress, repeatable jobs (the scheduler owns schedules).
 */
export interface JobQueue {
  add<T>(queue: string, data: T, opts?: EnqueueOptions): Promise<string>;
  addBulk<T>(queue: string, data: readonly T[], opts?: EnqueueOptions): Promise<string[]>;
  work<T>(queue: string, handler: JobHandler<T>, opts?: WorkerOptions): WorkerHandle;
  stats(): Promise<QueueStats[]>;
  deadLetters(queue: string, limit?: number): Promise<DeadLetter[]>;
  /** Move a dead letter back to waiting with a fresh attempt count. */
  retryDead(queue: string, id: string): Promise<boolean>;
  close(): Promise<void>;
}
