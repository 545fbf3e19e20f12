/** Just enough of CloudFormation's intrinsic functions to read the ARNs a packaged template builds. */
export interface Pseudo {
  readonly partition: string
  readonly region: string
  readonly accountId: string
  /** The values of the template's conditions, for Fn::If. */
  readonly conditions?: Readonly<Record<string, boolean>>
}

const NO_VALUE = Symbol('AWS::NoValue')

type Node = unknown

export function evaluate(node: Node, pseudo: Pseudo): unknown {
  if (Array.isArray(node))
    return node.map((item) => evaluate(item, pseudo)).filter((item) => item !== NO_VALUE)
  if (typeof node !== 'object' || node === null) return node
  const [fn, arg] = Object.entries(node)[0] ?? []
  switch (fn) {
    case 'Ref': {
      if (arg === 'AWS::NoValue') return NO_VALUE
      const refs: Record<string, string> = {
        'AWS::Partition': pseudo.partition,
        'AWS::Region': pseudo.region,
        'AWS::AccountId': pseudo.accountId,
      }
      return refs[arg as string] ?? `Ref(${String(arg)})`
    }
    case 'Fn::Join': {
      const [separator, items] = arg as [string, Node[]]
      return (evaluate(items, pseudo) as unknown[]).join(separator)
    }
    case 'Fn::Split': {
      const [separator, text] = arg as [string, Node]
      return String(evaluate(text, pseudo)).split(separator)
    }
    case 'Fn::Select': {
      const [index, list] = arg as [number, Node]
      return (evaluate(list, pseudo) as unknown[])[index]
    }
    case 'Fn::Sub': {
      const [text, variables] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, Node>])
      const values = evaluate(variables, pseudo) as Record<string, unknown>
      return text.replaceAll(/\$\{([^}]+)\}/g, (_, name: string) =>
        String(name in values ? values[name] : evaluate({ Ref: name }, pseudo)),
      )
    }
    case 'Fn::GetAtt': {
      const [resource, attribute] = arg as [string, string]
      return `GetAtt(${resource}.${attribute})`
    }
    case 'Fn::If': {
      const [condition, then, otherwise] = arg as [string, Node, Node]
      const holds = pseudo.conditions?.[condition]
      if (holds === undefined) throw new Error(`no value given for condition ${condition}`)
      return evaluate(holds ? then : otherwise, pseudo)
    }
    default:
      return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, evaluate(value, pseudo)]))
  }
}

export interface Statement {
  readonly Sid?: string
  readonly Effect: string
  readonly Action: string | string[]
  readonly Resource: string | string[]
}

/** The statements of an AWS::IAM::Role's inline policies, with every ARN evaluated. */
export function roleStatements(template: { Resources: Record<string, Node> }, role: string, pseudo: Pseudo) {
  const resource = template.Resources[role] as {
    Properties: { Policies: { PolicyDocument: { Statement: Node[] } }[] }
  }
  return resource.Properties.Policies.flatMap(
    (policy) => evaluate(policy.PolicyDocument.Statement, pseudo) as Statement[],
  )
}

/** The value of every condition of a packaged template (its params are already in it). */
export function conditionValues(template: { Conditions?: Record<string, Node> }): Record<string, boolean> {
  const conditions = template.Conditions ?? {}
  const values: Record<string, boolean> = {}
  const truth = (node: Node): boolean => {
    const [fn, arg] = Object.entries(node as object)[0] ?? []
    const args = arg as Node[]
    switch (fn) {
      case 'Fn::Equals':
        return String(args[0]) === String(args[1])
      case 'Fn::Not':
        return !truth(args[0])
      case 'Fn::And':
        return args.every(truth)
      case 'Fn::Or':
        return args.some(truth)
      case 'Condition':
        return conditionValue(arg as string)
      default:
        throw new Error(`unsupported condition function ${String(fn)}`)
    }
  }
  const conditionValue = (name: string): boolean => {
    values[name] ??= truth(conditions[name])
    return values[name]
  }
  for (const name of Object.keys(conditions)) conditionValue(name)
  return values
}
