// The console page: renders the snapshots the server sends (server-sent events, one per read of the
// cluster, the same for every viewer) and charts the history with uPlot. Records' keys and values are
// untrusted text: everything goes in through textContent, nothing through HTML.
import uPlot from '/vendor/uPlot.esm.js'

const SVG = 'http://www.w3.org/2000/svg'
const COLOURS = ['#2457a6', '#d9480f', '#2b8a3e', '#862e9c', '#c92a2a', '#0b7285', '#5c940d', '#e67700']

/** An element with attributes and children (strings become text nodes). */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value)
  node.append(...children)
  return node
}

function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG, tag)
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value))
  node.append(...children)
  return node
}

const count = (n) => (n === null || n === undefined ? '–' : n.toLocaleString('en'))
const rate = (r) =>
  r === null || r === undefined ? '– /s' : `${r < 10 ? r.toFixed(1) : Math.round(r).toLocaleString('en')} /s`
/** The time of day on the viewer's clock, as the notices give it: 24-hour HH:MM:SS. */
function time(iso) {
  if (!iso) return '–'
  const at = new Date(iso)
  return [at.getHours(), at.getMinutes(), at.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':')
}

/** Replaces a part of the page only when what it shows changed: text stays selectable meanwhile. */
const shown = new Map()
function renderPart(id, data, render) {
  const key = JSON.stringify(data)
  if (shown.get(id) === key) return
  shown.set(id, key)
  const target = document.getElementById(id)
  target.replaceChildren(...[render(data)].flat())
}

function renderNotices({ notices }, disconnected) {
  const all = disconnected
    ? [{ level: 'error', text: 'The console server does not answer (stopped?); trying again.' }, ...notices]
    : notices
  renderPart('notices', all, (items) =>
    items.map(({ level, text }) =>
      el('p', { class: level, role: level === 'error' ? 'alert' : 'status' }, text),
    ),
  )
}

// The picture: where each box sits and what it is.
const BOXES = {
  producer: { x: 10, y: 70, kind: 'function', name: 'producer' },
  source: { x: 205, y: 70, kind: 'topic' },
  mapping: { x: 400, y: 70, kind: 'mapping', name: 'event source mapping' },
  processor: { x: 595, y: 70, kind: 'function', name: 'processor' },
  sink: { x: 815, y: 5, kind: 'topic' },
  deadLetters: { x: 815, y: 100, kind: 'topic' },
  gaveUp: { x: 815, y: 195, kind: 'topic' },
}
const BOX = { width: 165, height: 70 }
const ARROWS = [
  'M175 105 H203',
  'M370 105 H398',
  'M565 105 H593',
  'M760 105 C790 105 785 40 813 40',
  'M760 105 C790 105 785 135 813 135',
  'M482 140 V230 H813',
]

function renderFlow(snapshot) {
  // Numbers from before the brokers went away are shown greyed.
  document.getElementById('flow').classList.toggle('stale', !snapshot.reachable)
  const data = {
    flow: snapshot.flow,
    topics: snapshot.topics,
    lag: snapshot.lag,
    gaveUp: snapshot.gaveUp.destination,
  }
  renderPart('flow', data, ({ flow, topics, lag, gaveUp }) => {
    const defs = svg(
      'defs',
      {},
      svg(
        'marker',
        {
          id: 'arrowhead',
          viewBox: '0 0 10 10',
          refX: 9,
          refY: 5,
          markerWidth: 7,
          markerHeight: 7,
          orient: 'auto',
        },
        svg('path', { d: 'M0 0 L10 5 L0 10 z', fill: '#8896a8' }),
      ),
    )
    const arrows = ARROWS.map((d) => svg('path', { d, class: 'arrow' }))
    const boxes = Object.entries(BOXES).map(([node, box]) => {
      const { count: n, rate: r } = flow[node]
      const absent = node === 'gaveUp' && topics.gaveUp === null
      const name =
        box.name ??
        (absent ? (gaveUp === 'sqs' ? 'SQS queue (on failure)' : 'no on-failure destination') : topics[node])
      const line =
        node === 'mapping'
          ? `${count(n)} taken · lag ${count(lag)}`
          : node === 'producer'
            ? `${count(n)} sent`
            : node === 'processor'
              ? `${count(n)} written`
              : absent
                ? ''
                : `${count(n)} records`
      return svg(
        'g',
        {
          'data-node': node,
          class: `${box.kind}${absent ? ' absent' : ''}`,
          transform: `translate(${box.x} ${box.y})`,
        },
        svg('rect', { width: BOX.width, height: BOX.height, rx: box.kind === 'topic' ? 14 : 4 }),
        svg('text', { x: 10, y: 22, class: 'name' }, name),
        svg('text', { x: 10, y: 42, class: 'count' }, line),
        svg('text', { x: 10, y: 61, class: 'rate' }, absent ? '' : rate(r)),
      )
    })
    return [defs, ...arrows, ...boxes]
  })
}

function renderTable(snapshot) {
  const rows = []
  for (const { topic, partitions } of Object.values(snapshot.table ?? {})) {
    if (partitions === null) {
      rows.push({ topic, missing: true })
      continue
    }
    for (const p of partitions) rows.push({ topic, ...p })
  }
  const body = document.querySelector('#offsets tbody')
  const key = JSON.stringify(rows)
  if (shown.get('offsets') === key) return
  shown.set('offsets', key)
  const cell = (field, value, numeric = true) =>
    el('td', { 'data-field': field, class: numeric ? 'number' : '' }, value)
  body.replaceChildren(
    ...rows.map((row) =>
      row.missing
        ? el(
            'tr',
            { 'data-topic': row.topic },
            el('td', {}, row.topic),
            el('td', { colspan: '6', class: 'empty' }, 'does not exist yet'),
          )
        : el(
            'tr',
            { 'data-topic': row.topic, 'data-partition': String(row.partition) },
            el('td', {}, row.topic),
            cell('partition', String(row.partition)),
            cell('first', String(row.first)),
            cell('end', String(row.end)),
            cell(
              'committed',
              row.committed === undefined ? '' : row.committed === null ? '–' : String(row.committed),
            ),
            cell('lag', row.lag === undefined ? '' : String(row.lag)),
            cell('last-record', time(row.lastRecordAt), false),
          ),
    ),
  )
}

function commandLine(command) {
  const copy = el('button', { type: 'button' }, 'copy')
  copy.addEventListener('click', () => navigator.clipboard?.writeText(command))
  return el('div', { class: 'command' }, el('code', {}, command), copy)
}

function recordTable(columns, records) {
  return el(
    'table',
    {},
    el('thead', {}, el('tr', {}, ...columns.map(([, title]) => el('th', {}, title)))),
    el(
      'tbody',
      {},
      ...records.map((record) =>
        el(
          'tr',
          {},
          ...columns.map(([field]) => el('td', { class: field, 'data-field': field }, record[field])),
        ),
      ),
    ),
  )
}

function renderDeadLetters({ deadLetters }) {
  document.getElementById('dead-letters-summary').textContent =
    deadLetters.total === null ? '' : `${count(deadLetters.total)} on the topic`
  renderPart('dead-letters', deadLetters.reasons, (reasons) =>
    reasons.length === 0
      ? el('p', { class: 'empty' }, 'No dead letters.')
      : reasons.map((r) =>
          el(
            'article',
            { 'data-reason': r.reason },
            el(
              'h3',
              {},
              el('span', { class: 'reason' }, r.reason),
              ' · ',
              el('span', { class: 'count' }, count(r.count)),
            ),
            commandLine(r.redrive),
            el(
              'p',
              { class: 'aside' },
              `Add --dry-run to count first.${r.redrivenBefore > 0 ? ` ${count(r.redrivenBefore)} were redriven before: only --force takes them again.` : ''}`,
            ),
            recordTable(
              [
                ['key', 'key'],
                ['value', 'value'],
                ['source', 'read from'],
                ['detail', 'detail'],
                ['deadLetteredAt', 'dead-lettered at'],
              ],
              r.latest.map((letter) => ({
                ...letter,
                detail: letter.truncated ? `${letter.detail}; ${letter.truncated}` : letter.detail,
              })),
            ),
          ),
        ),
  )
}

function renderGaveUp({ gaveUp }) {
  document.getElementById('gave-up-summary').textContent =
    gaveUp.total === null ? '' : `${count(gaveUp.total)} on the topic`
  renderPart('gave-up', gaveUp, (g) => {
    if (g.destination === 'none')
      return el(
        'p',
        { class: 'empty' },
        'This stage has no on-failure destination: the mapping discards what it gives up on.',
      )
    if (g.destination === 'sqs')
      return el(
        'p',
        { class: 'empty' },
        'This stage records what the mapping gives up on in an SQS queue: npm run replay -- --queue-url URL sends those records back (docs/operations.md).',
      )
    const parts = [commandLine(g.replay)]
    if (g.conditions.length === 0)
      parts.push(el('p', { class: 'empty' }, 'The mapping has given up on nothing.'))
    for (const c of g.conditions) {
      parts.push(
        el(
          'article',
          { 'data-condition': c.condition },
          el(
            'h3',
            {},
            el('span', { class: 'condition' }, c.condition),
            ' · ',
            el('span', { class: 'count' }, count(c.count)),
          ),
          recordTable(
            [
              ['key', 'key'],
              ['value', 'value'],
              ['source', 'read from'],
              ['functionError', 'function error'],
              ['gaveUpAt', 'given up at'],
            ],
            c.latest,
          ),
        ),
      )
    }
    return parts
  })
}

function renderSink({ sinkTable, topics }) {
  document.getElementById('sink-summary').textContent =
    `${topics.sink}, the latest records as npm start prints them`
  renderPart('sink-table', sinkTable, ({ header, rows }) => [header, ...rows].join('\n'))
}

// The charts: one uPlot each, rebuilt when its series change (a topic or partition appears).
const charts = {}
let samples = []

function chartSeries(id, snapshotTopics) {
  const last = samples.at(-1)
  if (!last) return []
  if (id === 'chart-rates')
    return [
      ['source', `${snapshotTopics.source} in`],
      ['mapping', 'taken by the mapping'],
      ['sink', `${snapshotTopics.sink} out`],
      ['deadLetters', snapshotTopics.deadLetters],
      ...(snapshotTopics.gaveUp ? [['gaveUp', snapshotTopics.gaveUp]] : []),
    ].map(([key, label]) => ({ key, label, pick: (s) => s.rates[key] }))
  const field = id === 'chart-lag' ? 'lag' : 'offsets'
  return Object.keys(last[field]).map((key) => ({ key, label: key, pick: (s) => s[field][key] ?? null }))
}

function drawChart(id, snapshotTopics) {
  const container = document.getElementById(id)
  const series = chartSeries(id, snapshotTopics)
  const data = [samples.map((s) => s.t), ...series.map(({ pick }) => samples.map(pick))]
  const names = series.map((s) => s.label).join('|')
  const width = Math.max(300, container.clientWidth)
  const existing = charts[id]
  if (existing && existing.names === names) {
    if (existing.plot.width !== width) existing.plot.setSize({ width, height: 200 })
    existing.plot.setData(data)
    return
  }
  existing?.plot.destroy()
  const plot = new uPlot(
    {
      width,
      height: 200,
      series: [
        {},
        ...series.map(({ label }, i) => ({
          label,
          stroke: COLOURS[i % COLOURS.length],
          width: 1.5,
          dash: label.endsWith(' committed') ? [6, 4] : undefined,
          spanGaps: false,
          points: { show: false },
        })),
      ],
      scales: { y: { range: (_u, min, max) => [Math.min(0, min), Math.max(1, max)] } },
      axes: [{}, { size: 60 }],
      legend: { live: false },
    },
    data,
    container,
  )
  charts[id] = { plot, names }
}

let latest
function render(disconnected = false) {
  if (!latest) {
    renderNotices({ notices: [] }, disconnected)
    return
  }
  document.getElementById('stage').textContent = latest.stage
  document.getElementById('group').textContent = latest.consumerGroupId
  document.getElementById('updated').textContent = latest.reachable
    ? `read at ${time(latest.readAt)}, every ${latest.intervalMs / 1000} s`
    : `brokers unreachable; last read ${time(latest.readAt)}`
  renderNotices(latest, disconnected)
  renderFlow(latest)
  renderTable(latest)
  renderDeadLetters(latest)
  renderGaveUp(latest)
  renderSink(latest)
  for (const id of ['chart-rates', 'chart-lag', 'chart-offsets']) drawChart(id, latest.topics)
}

const events = new EventSource('/api/events')
events.addEventListener('history', (event) => {
  samples = JSON.parse(event.data)
})
events.addEventListener('snapshot', (event) => {
  latest = JSON.parse(event.data)
  if (samples.at(-1)?.t !== latest.sample.t) samples.push(latest.sample)
  const oldest = latest.sample.t - latest.historyMs / 1000
  while (samples.length > 0 && samples[0].t < oldest) samples.shift()
  render()
})
events.addEventListener('error', () => render(true))
window.addEventListener('resize', () => render())
