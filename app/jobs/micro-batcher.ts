/**
 * Gathers requests that concurrent jobs in this process make at about the same moment
 * and hands them to `runBatch` together: one database statement or one HTTP request
 * for many jobs instead of one each. Each caller still gets its own result or error.
 * A batch leaves `lingerMs` after its first request, or at once when it holds
 * `maxBatch`. Requests that share a `conflictKey` never travel in the same batch
 * (a statement may not touch the same row twice): the second one starts the next batch.
 */
export interface MicroBatcherOptions<Request> {
  /** How long the first request of a batch waits for others. */
  lingerMs: number;
  /** Run at once when this many are waiting. */
  maxBatch: number;
  conflictKey?: (request: Request) => string;
}

/** One result per request, in order; an Error rejects only that request's caller. */
export type BatchRunner<Request, Result> = (requests: Request[]) => Promise<Array<Result | Error>>;

interface Waiting<Request, Result> {
  request: Request;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}

export interface MicroBatcher<Request, Result> {
  submit(request: Request): Promise<Result>;
  /** Runs what is waiting now (tests, shutdown). */
  flush(): void;
}

export function createMicroBatcher<Request, Result>(
  options: MicroBatcherOptions<Request>,
  runBatch: BatchRunner<Request, Result>,
): MicroBatcher<Request, Result> {
  let waiting: Array<Waiting<Request, Result>> = [];
  let keys = new Set<string>();
  let timer: NodeJS.Timeout | null = null;

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = waiting;
    waiting = [];
    keys = new Set();
    if (!batch.length) return;
    let run: Promise<Array<Result | Error>>;
    try {
      run = runBatch(batch.map((item) => item.request));
    } catch (error) {
      run = Promise.reject(error);
    }
    run.then(
      (results) =>
        batch.forEach((item, index) => {
          const result = results[index];
          if (result instanceof Error) item.reject(result);
          else if (result === undefined) item.reject(new Error("batch returned no result for this request"));
          else item.resolve(result);
        }),
      (error) => batch.forEach((item) => item.reject(error)),
    );
  };

  return {
    submit(request) {
      return new Promise<Result>((resolve, reject) => {
        const key = options.conflictKey?.(request);
        if (key !== undefined) {
          if (keys.has(key)) flush();
          keys.add(key);
        }
        waiting.push({ request, resolve, reject });
        if (waiting.length >= options.maxBatch) flush();
        else if (!timer) timer = setTimeout(flush, options.lingerMs);
      });
    },
    flush,
  };
}
