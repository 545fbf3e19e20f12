import type { ChildProcessWithoutNullStreams } from 'node:child_process'

export interface ChildOutput {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** A child process's exit code and everything it wrote, once it has closed. */
export function childOutput(child: ChildProcessWithoutNullStreams): Promise<ChildOutput> {
  return new Promise((resolve, reject) => {
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }))
  })
}
