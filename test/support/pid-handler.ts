/** A stand-in function for WorkerInvoker's tests: answers with its process id, after `waitMs` if asked. */
export async function handler(event: { waitMs?: number }): Promise<{ pid: number }> {
  if (event.waitMs !== undefined) await new Promise((resolve) => setTimeout(resolve, event.waitMs))
  return { pid: process.pid }
}
