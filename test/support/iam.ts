import { readFileSync } from 'node:fs'
import type { Statement } from './cloudformation.js'

/**
 * Every IAM action the stack grants, with the resource ARN formats AWS's Service Authorization Reference
 * allows for it (none: only "*" grants it). Written by scripts/checks/iam_reference.py from the data
 * parliament bundles; `npm run check:templates` checks it is current.
 */
const reference = JSON.parse(
  readFileSync(new URL('./iam-reference.json', import.meta.url), 'utf8'),
) as Record<string, string[]>

function escapeRegex(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&')
}

/** IAM's resource matching: `*` any run of characters, `?` any one. */
export function arnMatches(pattern: string, arn: string): boolean {
  const regex = pattern
    .split('*')
    .map((part) => part.split('?').map(escapeRegex).join('.'))
    .join('.*')
  return new RegExp(`^${regex}$`).test(arn)
}

/** Whether a statement's resource is of a type the reference allows for the action. */
export function fitsReference(action: string, resource: string): boolean {
  const formats = reference[action]
  if (formats === undefined) {
    throw new Error(
      `${action} is not in test/support/iam-reference.json: add it to scripts/checks/iam_reference.py`,
    )
  }
  if (formats.length === 0) return resource === '*'
  // A statement's wildcards stand for any text; each ${Variable} of a format for some text.
  const instance = resource.replaceAll('*', 'x').replaceAll('?', 'x')
  return formats.some((format) => {
    const regex = format
      .split(/\$\{[A-Za-z]+\}/)
      .map(escapeRegex)
      .join('.+')
    return new RegExp(`^${regex}$`).test(instance)
  })
}

const listOf = (value: string | string[]) => [value].flat()

/** An action pattern of a statement (`kafka-cluster:*Topic`) against an action, case-insensitively. */
function actionMatches(pattern: string, action: string): boolean {
  return arnMatches(pattern.toLowerCase(), action.toLowerCase())
}

/**
 * The Allow statement that grants `action` on `arn`, if one does through a resource the reference allows
 * for the action: a grant on a resource of the wrong type grants nothing in AWS, so it counts for nothing
 * here either.
 */
export function grantingStatement(statements: readonly Statement[], action: string, arn: string) {
  return statements.find(
    (statement) =>
      statement.Effect === 'Allow' &&
      listOf(statement.Action).some((pattern) => actionMatches(pattern, action)) &&
      listOf(statement.Resource).some(
        (resource) => fitsReference(action, resource) && arnMatches(resource, arn),
      ),
  )
}
