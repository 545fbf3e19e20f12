import { createServer } from 'node:net'

/**
 * Ports for a broker or server of a test run's own, so that two runs on one machine never share one.
 * Chosen below Linux's ephemeral range (32768 and up, /proc/sys/net/ipv4/ip_local_port_range), where the
 * kernel never hands a port to an outgoing connection in the meantime, and checked free by binding them.
 * Another run may still take them before they are used: startTestBroker tries again with others then.
 */
const LOWEST = 20_000
const HIGHEST = 32_000

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)))
  })
}

/** `count` consecutive ports free on 127.0.0.1 right now, from a random base. */
export async function freePorts(count: number): Promise<number[]> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST - count))
    const ports = Array.from({ length: count }, (_, i) => base + i)
    let free = true
    for (const port of ports) {
      if (!(await bindable(port))) {
        free = false
        break
      }
    }
    if (free) return ports
  }
  throw new Error(`no ${count} consecutive free ports between ${LOWEST} and ${HIGHEST} after 100 tries`)
}
