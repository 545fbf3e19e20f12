/** The operator commands the console suggests, for the stage it watches, ready to paste into a shell. */

/** A word for a POSIX shell: as it is when it holds nothing the shell reads, else single-quoted. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`
}

export interface StageFlags {
  readonly stage: string
  readonly params: readonly string[]
}

function stageArguments({ stage, params }: StageFlags): string[] {
  return [...(stage === 'local' ? [] : ['--stage', stage]), ...params.map((param) => `--param=${param}`)]
}

function npmRun(script: string, args: readonly string[]): string {
  return args.length === 0 ? `npm run ${script}` : `npm run ${script} -- ${args.map(shellWord).join(' ')}`
}

/** What sends the dead letters of one reason back through the processor. */
export function redriveCommand(flags: StageFlags, reason: string): string {
  return npmRun('redrive', [...stageArguments(flags), '--reason', reason])
}

/** What sends what the mapping gave up on (its gave-up topic) back through the processor. */
export function replayCommand(flags: StageFlags): string {
  return npmRun('replay', stageArguments(flags))
}

/** What `npm run status` prints for the same stage. */
export function statusCommand(flags: StageFlags): string {
  return npmRun('status', stageArguments(flags))
}
