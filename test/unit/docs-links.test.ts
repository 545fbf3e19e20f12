import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * Every relative link in README.md, bench/README.md and docs/*.md points at a file that exists, and every
 * `#anchor` into a Markdown file at one of its headings, slugged as GitHub slugs them. External http(s)
 * links are only checked for their syntax: no network here.
 */

const PROJECT_DIR = resolve(new URL('../..', import.meta.url).pathname)
const README_LIMIT_BYTES = 10_240

function documents(): string[] {
  const docs = readdirSync(join(PROJECT_DIR, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(PROJECT_DIR, 'docs', name))
  return [join(PROJECT_DIR, 'README.md'), join(PROJECT_DIR, 'bench', 'README.md'), ...docs.sort()]
}

/** The lines outside fenced code blocks (``` or ~~~), with the other lines blanked to keep line numbers. */
function outsideCodeFences(markdown: string): string[] {
  let fence: string | undefined
  return markdown.split('\n').map((line) => {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1]
    if (fence === undefined && marker !== undefined) {
      fence = marker
      return ''
    }
    if (fence !== undefined) {
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined
      return ''
    }
    return line
  })
}

/**
 * Inline code spans blanked out (a link written inside backticks is an example, not a link), keeping every
 * line break so positions still give line numbers. A span does not cross a blank line.
 */
function withoutCodeSpans(text: string): string {
  return text.replace(/(`+)(?:(?!\n[ \t]*\n)[\s\S])*?\1/g, (span) => span.replace(/[^\n]/g, ' '))
}

/** The text GitHub shows for a heading's inline Markdown: code, emphasis, links and HTML reduced to text. */
function headingText(markdown: string): string {
  return markdown
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(`+)([\s\S]*?)\1/g, '$2')
    .replace(/<[^>]+>/g, '')
    .replace(/(\*\*|__|\*|\b_)(.+?)\1/g, '$2')
    .trim()
}

/**
 * GitHub's heading anchor, as github-slugger makes it: lower case; letters, marks, decimal and letter
 * numbers, `_`, `-` and spaces kept, everything else (punctuation, symbols, other separators) dropped;
 * each space turned into `-`.
 */
function githubSlug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{Nd}\p{Nl}\p{Pc}\p{Alphabetic} -]/gu, '')
    .replace(/ /g, '-')
}

/** Every anchor a Markdown text has: its ATX and setext headings, repeated slugs numbered as GitHub does. */
function anchorsOf(markdown: string): Set<string> {
  const lines = outsideCodeFences(markdown)
  const headings: string[] = []
  for (const [i, line] of lines.entries()) {
    const atx = /^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/.exec(line)
    if (atx !== null) {
      headings.push(atx[1] ?? '')
      continue
    }
    const previous = lines[i - 1] ?? ''
    if (/^ {0,3}(=+|-+)[ \t]*$/.test(line) && /^ {0,3}[^\s|>#*+-]/.test(previous)) headings.push(previous)
  }
  // A repeated slug gets -1, -2...; one already taken, even by a heading written that way, is skipped.
  const anchors = new Set<string>()
  const repeats = new Map<string, number>()
  for (const heading of headings) {
    const base = githubSlug(headingText(heading))
    let slug = base
    while (anchors.has(slug)) {
      const count = (repeats.get(base) ?? 0) + 1
      repeats.set(base, count)
      slug = `${base}-${count}`
    }
    anchors.add(slug)
  }
  return anchors
}

interface Link {
  readonly line: number
  readonly target: string
}

/** Inline links and images `[text](target "title")`, and reference definitions `[id]: target`. */
function linksOf(markdown: string): Link[] {
  const text = withoutCodeSpans(outsideCodeFences(markdown).join('\n'))
  const lineAt = (index: number) => text.slice(0, index).split('\n').length
  const unwrap = (target: string | undefined) => (target ?? '').replace(/^<|>$/g, '')
  const links: Link[] = []
  // Link text may wrap onto the next line, but not past a blank one.
  const inline =
    /!?\[(?:[^\]\\\n]|\\.|\n(?![ \t]*\n))*\]\(\s*(<[^>\n]*>|[^\s)]+)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g
  for (const match of text.matchAll(inline)) {
    links.push({ line: lineAt(match.index), target: unwrap(match[1]) })
  }
  for (const match of text.matchAll(/^ {0,3}\[[^\]\n]+\]:[ \t]*(<[^>\n]*>|\S+)/gm)) {
    links.push({ line: lineAt(match.index), target: unwrap(match[1]) })
  }
  return links.sort((a, b) => a.line - b.line)
}

function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target)
}

/** Why an external link is malformed, or undefined when it is a well-formed http(s) URL. */
function externalProblem(target: string): string | undefined {
  if (!/^https?:\/\//i.test(target)) return 'only http(s) links are allowed'
  try {
    const url = new URL(target)
    if (!url.hostname.includes('.')) return `no domain in ${url.hostname}`
    return undefined
  } catch {
    return 'not a valid URL'
  }
}

/** What is wrong with one link of `file`, or undefined when it resolves. */
function linkProblem(
  file: string,
  target: string,
  anchorsByFile: Map<string, Set<string>>,
): string | undefined {
  if (isExternal(target)) return externalProblem(target)
  const hash = target.indexOf('#')
  const pathPart = hash < 0 ? target : target.slice(0, hash)
  const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1))
  let path: string
  try {
    path = decodeURI(pathPart)
  } catch {
    return 'not a valid path'
  }
  // An anchor alone (`#heading`) points into the document itself, whose anchors are already known.
  const resolved =
    path === '' ? file : path.startsWith('/') ? join(PROJECT_DIR, path) : resolve(dirname(file), path)
  if (path !== '' && !existsSync(resolved)) return `${relative(PROJECT_DIR, resolved)} does not exist`
  if (anchor === undefined || !resolved.endsWith('.md')) return undefined
  if (path !== '' && !statSync(resolved).isFile()) return undefined
  let anchors = anchorsByFile.get(resolved)
  if (anchors === undefined) {
    anchors = anchorsOf(readFileSync(resolved, 'utf8'))
    anchorsByFile.set(resolved, anchors)
  }
  return anchors.has(anchor.toLowerCase())
    ? undefined
    : `no heading #${anchor} in ${relative(PROJECT_DIR, resolved)}`
}

function brokenLinks(
  file: string,
  markdown: string,
  anchorsByFile = new Map<string, Set<string>>(),
): string[] {
  anchorsByFile.set(file, anchorsOf(markdown))
  return linksOf(markdown).flatMap(({ line, target }) => {
    const problem = linkProblem(file, target, anchorsByFile)
    return problem === undefined ? [] : [`${relative(PROJECT_DIR, file)}:${line}: ${target}: ${problem}`]
  })
}

describe('links in the documentation', () => {
  const anchorsByFile = new Map<string, Set<string>>()

  it.each(documents().map((file) => [relative(PROJECT_DIR, file), file]))(
    '%s: every relative link resolves, every anchor names a heading',
    (_name, file) => {
      expect(existsSync(file)).toBe(true)
      expect(brokenLinks(file, readFileSync(file, 'utf8'), anchorsByFile)).toEqual([])
    },
  )

  it(`README.md is at most ${README_LIMIT_BYTES.toLocaleString('en')} bytes`, () => {
    expect(statSync(join(PROJECT_DIR, 'README.md')).size).toBeLessThanOrEqual(README_LIMIT_BYTES)
  })
})

describe('the link checker itself', () => {
  const file = join(PROJECT_DIR, 'docs', 'example.md')

  it('slugs headings as GitHub does', () => {
    const anchors = anchorsOf(
      [
        '# `serverless invoke local`',
        '## Why not `AWS::MSK::Topic`',
        '## Cost, roughly',
        '## Cost, roughly',
        '## snake_case and [a link](x.md) stay',
        '## Cost, roughly²',
        'Setext heading',
        '---',
        '```',
        '# not a heading',
        '```',
      ].join('\n'),
    )
    expect([...anchors]).toEqual([
      'serverless-invoke-local',
      'why-not-awsmsktopic',
      'cost-roughly',
      'cost-roughly-1',
      'snake_case-and-a-link-stay',
      'cost-roughly-2',
      'setext-heading',
    ])
  })

  it('finds missing files, missing headings and malformed URLs; ignores code', () => {
    const markdown = [
      '# Title',
      '[ok](#title) [ok](../README.md) [ok](configuration.md#stages) [ok](../lib/) ![ok](../package.json)',
      '[gone](nowhere.md) [bad anchor](#nope) [bad anchor](../README.md#nope)',
      '[http](https://docs.aws.amazon.com/lambda/) [no host](https://localhost/x) [ftp](ftp://example.com/f)',
      'a link whose [text',
      'wraps](wrapped.md) and `code with [a](spanned.md)',
      'over two lines`',
      '`[in code](nowhere.md)`',
      '```md',
      '[in a fence](nowhere.md)',
      '```',
      '[ref]: missing/file.md',
    ].join('\n')
    expect(brokenLinks(file, markdown).map((problem) => problem.replace(/^[^ ]+ /, ''))).toEqual([
      'nowhere.md: docs/nowhere.md does not exist',
      '#nope: no heading #nope in docs/example.md',
      '../README.md#nope: no heading #nope in README.md',
      'https://localhost/x: no domain in localhost',
      'ftp://example.com/f: only http(s) links are allowed',
      'wrapped.md: docs/wrapped.md does not exist',
      'missing/file.md: docs/missing/file.md does not exist',
    ])
  })
})
