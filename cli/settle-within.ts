/**
 * Waits for `work` at most `deadlineMs`: true when it settled in time (resolved or rejected), false
 * when the deadline came first. A stopping process uses it so that one stuck close (a client
 * library waiting on a broker that is rebalancing) cannot keep it from exiting.
 */
export async function settleWithin(work: Promise<unknown>, deadlineMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), deadlineMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
