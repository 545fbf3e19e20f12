import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import type { Sample } from './history.js'
import type { Snapshot } from './monitor.js'

/** What the server shows: the latest snapshot, the charts' history, and each new snapshot as it comes. */
export interface SnapshotSource {
  readonly snapshot: Snapshot | undefined
  readonly history: readonly Sample[]
  subscribe(listener: (snapshot: Snapshot) => void): () => void
}

interface Asset {
  readonly type: string
  readonly body: Buffer
}

const PUBLIC = new URL('./public/', import.meta.url)
const requireFromHere = createRequire(import.meta.url)

/** The page and its one library, uPlot, straight from node_modules: there is no build step. */
function loadAssets(): Map<string, Asset> {
  const file = (path: string | URL, type: string): Asset => ({ type, body: readFileSync(path) })
  return new Map([
    ['/', file(new URL('index.html', PUBLIC), 'text/html; charset=utf-8')],
    ['/console.js', file(new URL('console.js', PUBLIC), 'text/javascript; charset=utf-8')],
    ['/console.css', file(new URL('console.css', PUBLIC), 'text/css; charset=utf-8')],
    [
      '/vendor/uPlot.esm.js',
      file(requireFromHere.resolve('uplot/dist/uPlot.esm.js'), 'text/javascript; charset=utf-8'),
    ],
    [
      '/vendor/uPlot.min.css',
      file(requireFromHere.resolve('uplot/dist/uPlot.min.css'), 'text/css; charset=utf-8'),
    ],
  ])
}

const SECURITY_HEADERS = {
  // Only the page's own files; uPlot sizes its elements through the style properties, which this allows.
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
}

/** A viewer that reads slower than this much buffered is let go; its browser reconnects. */
const MAX_BUFFERED = 4 * 1024 * 1024

export interface ConsoleServer {
  readonly url: string
  close(): Promise<void>
}

/**
 * The console's HTTP server, on 127.0.0.1 only: the static page, `/api/state` (the latest snapshot and
 * the history, as JSON) and `/api/events` (server-sent events: the history, then each snapshot). Every
 * viewer gets the same snapshots; none causes a read of the cluster. Requests naming another host are
 * refused, so a web page elsewhere cannot reach it through DNS rebinding.
 */
export async function startConsoleServer(source: SnapshotSource, port = 0): Promise<ConsoleServer> {
  const assets = loadAssets()
  const viewers = new Set<ServerResponse>()
  let allowedHosts = new Set<string>()

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (!allowedHosts.has(request.headers.host ?? '')) {
      response
        .writeHead(421, { 'content-type': 'text/plain' })
        .end('This console answers on 127.0.0.1 only.\n')
      return
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('Read only.\n')
      return
    }
    const path = new URL(request.url ?? '/', 'http://console').pathname
    if (path === '/api/state') {
      const body = JSON.stringify({ snapshot: source.snapshot ?? null, history: source.history })
      response.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
      })
      response.end(request.method === 'HEAD' ? undefined : body)
      return
    }
    if (path === '/api/events') {
      response.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      })
      response.write(`event: history\ndata: ${JSON.stringify(source.history)}\n\n`)
      if (source.snapshot !== undefined)
        response.write(`event: snapshot\ndata: ${JSON.stringify(source.snapshot)}\n\n`)
      viewers.add(response)
      request.on('close', () => viewers.delete(response))
      return
    }
    const asset = assets.get(path)
    if (asset === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found.\n')
      return
    }
    response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': asset.type, 'cache-control': 'no-cache' })
    response.end(request.method === 'HEAD' ? undefined : asset.body)
  })

  const unsubscribe = source.subscribe((snapshot) => {
    const event = `event: snapshot\ndata: ${JSON.stringify(snapshot)}\n\n`
    for (const viewer of viewers) {
      if (viewer.writableLength > MAX_BUFFERED) viewer.destroy()
      else viewer.write(event)
    }
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  const bound = (server.address() as AddressInfo).port
  allowedHosts = new Set([`127.0.0.1:${bound}`, `localhost:${bound}`])
  return {
    url: `http://127.0.0.1:${bound}/`,
    close: async () => {
      unsubscribe()
      for (const viewer of viewers) viewer.end()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
