"""Builds test/golden/flink/corpus.json: what the real PyFlink job (job.py) writes to the sink for each case
of cases.py.

    scripts/flink/setup.sh && .local/flink/venv/bin/python scripts/flink/corpus.py

How outcomes are attributed (every outcome is measured, none assumed):
- A *batch* job reads a fresh 2-partition source topic holding, all in partition 0, each case followed by two
  sentinels: valid records whose keys Flink sends to sink partition 0 and 1, with a sequence number as the
  price. The job is single-threaded and a Kafka partition keeps order, so in each sink partition whatever lies
  between sentinel i-1 and sentinel i is the output of case i. Outcomes are taken only from a batch job whose
  every sentinel reached the sink: `written` (one record), `written-many`, or `not-written` (nothing there).
- When a batch job fails instead, nothing is taken from it: the case it most likely failed on (Flink's error
  quotes the record) is moved into a job of its own and the batch is rerun without it.
- A *solo* job reads [case, sentinel 0, sentinel 1]: `job-failed` if the job fails without the sentinels
  reaching the sink (the error is the root cause of the failure), else written/not-written as above.
  Cases expected to fail (`solo` in cases.py, a scheduling hint only) go straight to solo jobs. Up to
  --parallel jobs run at once, each on its own MiniCluster in this one JVM.

The broker is the project's own (scripts/kafka/kafka.sh) on its own ports and data dir (29092/29093/29098,
/tmp/flink-corpus-kafka), started and stopped here unless it is already running.
"""

import argparse
import base64
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid

sys.dont_write_bytecode = True  # no __pycache__ next to the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cases as case_defs  # noqa: E402
import job  # noqa: E402
from kafka import KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402
from kafka.admin import KafkaAdminClient, NewTopic  # noqa: E402
from kafka.partitioner.default import murmur2  # noqa: E402

PROJECT_DIR = job.PROJECT_DIR
KAFKA_SH = os.path.join(PROJECT_DIR, "scripts", "kafka", "kafka.sh")
KAFKA_ENV = {
    "KAFKA_PORT": "29092",
    "KAFKA_CONTROLLER_PORT": "29093",
    "KAFKA_IAM_PORT": "29098",
    "KAFKA_DATA_DIR": "/tmp/flink-corpus-kafka",
}
BOOTSTRAP = f"127.0.0.1:{KAFKA_ENV['KAFKA_PORT']}"
PARTITIONS = 2
SENTINEL_EVENT_TIME = "2000-01-01 00:00:00"
SENTINEL_BASE = 1_000_000  # sentinel i carries price SENTINEL_BASE + i

_print_lock = threading.Lock()
_submit_lock = threading.Lock()


def log(msg: str):
    with _print_lock:
        print(f"[corpus {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------------------
# Broker and topics


def kafka_sh(command: str) -> subprocess.CompletedProcess:
    return subprocess.run([KAFKA_SH, command], env={**os.environ, **KAFKA_ENV}, capture_output=True, text=True)


def wait_for_kafka_install():
    validator = os.path.join(kafka_sh("home").stdout.strip(), "validator", "msk-iam-validator.jar")
    for _ in range(20):
        if os.path.isfile(validator):
            return
        log(f"waiting for the Kafka install ({validator} not there yet)")
        time.sleep(60)
    raise RuntimeError(f"{validator} never appeared")


def sink_partition(key: bytes) -> int:
    # Kafka's built-in partitioner for a keyed record (Flink's 'sink.partitioner' = 'default').
    return (murmur2(key) & 0x7FFFFFFF) % PARTITIONS


def pick_sentinel_tickers() -> list:
    tickers = [None] * PARTITIONS
    for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        t = "SNT" + letter
        p = sink_partition(json.dumps({"ticker": t}, separators=(",", ":")).encode())
        tickers[p] = tickers[p] or t
    assert all(tickers), tickers
    return tickers


SENTINEL_TICKERS = pick_sentinel_tickers()  # SENTINEL_TICKERS[p] lands in sink partition p


def sentinel_value(partition: int, seq: int) -> bytes:
    return json.dumps({"event_time": SENTINEL_EVENT_TIME, "ticker": SENTINEL_TICKERS[partition],
                       "price": SENTINEL_BASE + seq}, separators=(",", ":")).encode()


def parse_sentinel(key: bytes, value: bytes):
    """(partition it was meant for, seq) when the sink record is a sentinel, else None."""
    for p, t in enumerate(SENTINEL_TICKERS):
        if key == json.dumps({"ticker": t}, separators=(",", ":")).encode():
            return p, int(json.loads(value)["price"]) - SENTINEL_BASE
    return None


class Kafka:
    def __init__(self):
        self.admin = KafkaAdminClient(bootstrap_servers=BOOTSTRAP, client_id="flink-corpus-admin")
        # One request in flight and idempotence: a retried batch (a fresh topic's first produce may be) must not
        # overtake the next one, since attribution relies on the source order.
        self.producer = KafkaProducer(bootstrap_servers=BOOTSTRAP, acks="all", linger_ms=5, enable_idempotence=True,
                                      max_in_flight_requests_per_connection=1, max_request_size=2_000_000)
        self.run_id = uuid.uuid4().hex[:8]
        self.counter = 0
        self.lock = threading.Lock()

    def new_topics(self, label: str):
        with self.lock:
            self.counter += 1
            n = self.counter
        src, snk = f"corpus-{self.run_id}-{n:03d}-{label}-in", f"corpus-{self.run_id}-{n:03d}-{label}-out"
        self.admin.create_topics([NewTopic(src, PARTITIONS, 1), NewTopic(snk, PARTITIONS, 1)])
        return src, snk

    def delete_topics(self, *topics):
        try:
            self.admin.delete_topics(list(topics))
        except Exception as e:  # tidy-up only
            log(f"could not delete {topics}: {e}")

    def close(self):
        self.producer.close()
        self.admin.close()


# ---------------------------------------------------------------------------------------------------------
# One job run


def java_chain(exc) -> list:
    """[(class, message)] from the outermost Java exception to the root cause."""
    j = getattr(exc, "java_exception", None)
    chain = []
    while j is not None and len(chain) < 40:
        chain.append((j.getClass().getName(), j.getMessage()))
        j = j.getCause()
    if not chain:
        chain.append((type(exc).__name__, str(exc)))
    return chain


def one_line(text, limit=600) -> str:
    text = "" if text is None else str(text)
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    return text if len(text) <= limit else text[:limit] + f"...[{len(text)} chars]"


class JobRun:
    """Runs the job over `cases` (each followed by its two sentinels) and attributes the sink's records."""

    def __init__(self, kafka: Kafka, label: str, cases: list, timeout_s: float):
        self.kafka, self.label, self.cases, self.timeout_s = kafka, label, cases, timeout_s

    def run(self) -> dict:
        src, snk = self.kafka.new_topics(self.label)
        try:
            return self._run(src, snk)
        finally:
            self.kafka.delete_topics(src, snk)

    def _run(self, src, snk) -> dict:
        sends = []
        for seq, case in enumerate(self.cases):
            sends.append(self.kafka.producer.send(src, value=case.value, key=case.key, partition=0))
            for p in range(PARTITIONS):
                sends.append(self.kafka.producer.send(src, value=sentinel_value(p, seq), key=b"sentinel", partition=0))
        self.kafka.producer.flush()
        offsets = [f.get(timeout=30).offset for f in sends]
        if offsets != list(range(len(sends))):
            raise RuntimeError(f"{self.label}: the source records did not land in the order they were sent")

        consumer = KafkaConsumer(bootstrap_servers=BOOTSTRAP, enable_auto_commit=False, fetch_max_bytes=5_000_000,
                                 max_partition_fetch_bytes=5_000_000)
        parts = [TopicPartition(snk, p) for p in range(PARTITIONS)]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)

        started = time.time()
        with _submit_lock:  # Flink's planner is not safe to run from several threads at once
            result = job.submit(BOOTSTRAP, src, snk)
        client = result.get_job_client()
        execution = client.get_job_execution_result()
        records = {p: [] for p in range(PARTITIONS)}
        last_seen = {p: -1 for p in range(PARTITIONS)}
        want = len(self.cases) - 1
        error, status, ended_at = None, "running", None
        try:
            while True:
                for tp, msgs in consumer.poll(timeout_ms=300).items():
                    for m in msgs:
                        records[tp.partition].append(m)
                        sent = parse_sentinel(m.key, m.value)
                        if sent:
                            if sent[0] != tp.partition:
                                raise RuntimeError(f"sentinel for partition {sent[0]} landed in {tp.partition}")
                            last_seen[tp.partition] = sent[1]
                if all(v >= want for v in last_seen.values()):
                    status = "complete"
                    break
                if execution.done():
                    ended_at = ended_at or time.time()
                    if time.time() - ended_at > 3:  # drain what the job wrote before it ended
                        try:
                            execution.result()
                            status = "finished"
                        except Exception as e:  # noqa: BLE001 - the job's failure is the measurement
                            status, error = "failed", java_chain(e)
                        break
                if time.time() - started > self.timeout_s:
                    status = "timeout"
                    break
        finally:
            consumer.close()
            if not execution.done():
                try:
                    client.cancel().result()
                except Exception as e:  # noqa: BLE001
                    log(f"{self.label}: cancel: {e}")
        return self._attribute(records, status, error, src, snk, time.time() - started)

    def _attribute(self, records, status, error, src, snk, seconds) -> dict:
        if error:
            error = [(cls, normalize(msg, src, snk)) for cls, msg in error]
        result = {"status": status, "error": error, "resolved": {}, "unresolved": list(self.cases),
                  "seconds": seconds}
        if status != "complete":
            # A failed job drops the sink's unsent batches, so what did arrive proves nothing about the cases
            # whose records may have been among them: attribute nothing. Only note how far the sentinels got
            # (both partitions, in order from the first), which suggests where the job failed.
            seen = [[s[1] for m in records[p] if (s := parse_sentinel(m.key, m.value))] for p in range(PARTITIONS)]
            result["reached"] = min(next((i for i, s in enumerate(ss) if s != i), len(ss)) for ss in seen)
            return result
        # Split each sink partition at its sentinels: segment i holds what case i wrote to that partition.
        segments = {p: [] for p in range(PARTITIONS)}
        for p, msgs in records.items():
            current = []
            for m in msgs:
                sent = parse_sentinel(m.key, m.value)
                if not sent:
                    current.append(m)
                    continue
                if sent[1] != len(segments[p]):
                    raise RuntimeError(f"{self.label}: sentinel {sent[1]} out of order in partition {p}")
                segments[p].append(current)
                current = []
            if current:
                raise RuntimeError(f"{self.label}: records after the last sentinel in partition {p}")
        for seq, case in enumerate(self.cases):
            outs = [sink_record(m) for p in range(PARTITIONS) for m in segments[p][seq]]
            if len(outs) == 1:
                result["resolved"][case.id] = {"outcome": "written", **outs[0]}
            elif outs:
                result["resolved"][case.id] = {"outcome": "written-many", "records": outs}
            else:
                result["resolved"][case.id] = {"outcome": "not-written"}
        result["unresolved"] = []
        return result


def sink_record(m) -> dict:
    return {"key": m.key, "value": m.value, "partition": m.partition, "headers": list(m.headers or [])}


def culprit(cases, run):
    """The case a failed batch job most likely failed on. Flink's deserialization error quotes the record
    ("Failed to deserialize JSON '...'"), so match that; otherwise take the first case whose sentinels did
    not arrive (records written just before a failure can be lost with the sink's unsent batches, so this is
    only a guess). Either way the suspect then gets a solo job, which decides."""
    for _, msg in run["error"] or []:
        m = re.fullmatch(r"Failed to deserialize JSON '(.*)'\.", msg or "", re.S)
        if m:
            for case in cases:
                if case.value is not None and case.value.decode("utf-8", "replace") == m.group(1):
                    return case
    return cases[min(run.get("reached", 0), len(cases) - 1)]


def normalize(message, src, snk):
    """Run-specific names out of error messages, so that a regeneration diffs cleanly."""
    if message is None:
        return None
    message = message.replace(src, "stocks-in").replace(snk, "stocks-out")
    message = re.sub(r"CreateTime = \d+", "CreateTime = <t>", message)
    message = re.sub(r"\b[0-9a-f]{32}\b", "<id>", message)
    return message


# ---------------------------------------------------------------------------------------------------------
# Scheduling


class Corpus:
    """Schedules the cases over batch and solo jobs and collects one outcome per case."""

    def __init__(self, kafka: Kafka, parallel: int, chunk: int, batch_timeout_s: float, solo_timeout_s: float):
        self.kafka, self.parallel, self.chunk = kafka, parallel, chunk
        self.batch_timeout_s, self.solo_timeout_s = batch_timeout_s, solo_timeout_s
        self.outcomes = {}
        self.lock = threading.Lock()
        self.jobs = {"batch": 0, "solo": 0}

    def record(self, case_id, outcome):
        with self.lock:
            self.outcomes[case_id] = outcome

    def solo(self, case):
        run = JobRun(self.kafka, "solo", [case], self.solo_timeout_s).run()
        with self.lock:
            self.jobs["solo"] += 1
        if case.id in run["resolved"]:
            self.record(case.id, run["resolved"][case.id])
        elif run["status"] == "failed":
            cls, msg = run["error"][-1]
            self.record(case.id, {"outcome": "job-failed", "error": one_line(f"{cls}: {msg}"),
                                  "chain": [c for c, _ in run["error"]]})
        else:
            self.record(case.id, {"outcome": "unresolved",
                                  "note": f"its solo job ended {run['status']} without its sentinels"})
        out = self.outcomes[case.id]
        log(f"solo {case.id}: {out['outcome']} {out.get('error', '')[:140]} ({run['seconds']:.1f}s)")

    def batch(self, cases, pool) -> list:
        """Runs `cases` in one job; while it fails, moves the case it failed on into a solo job and reruns the
        rest. Returns the futures of those solo jobs."""
        pending, futures = list(cases), []
        while pending:
            run = JobRun(self.kafka, "batch", pending, self.batch_timeout_s).run()
            with self.lock:
                self.jobs["batch"] += 1
            for case_id, out in run["resolved"].items():
                self.record(case_id, out)
            log(f"batch of {len(pending)} ({pending[0].id}...): {run['status']} ({run['seconds']:.1f}s)")
            if run["status"] == "complete":
                break
            suspect = culprit(pending, run)
            cause = run["error"][-1] if run["error"] else run["status"]
            log(f"  it ended {run['status']} at {suspect.id} ({one_line(cause, 160)}): moving that case to a solo job")
            futures.append(pool.submit(self.solo, suspect))
            pending = [c for c in pending if c is not suspect]
        return futures

    def run(self, cases):
        solos = [c for c in cases if c.solo]
        shared = [c for c in cases if not c.solo]
        chunks = [shared[i:i + self.chunk] for i in range(0, len(shared), self.chunk)]
        log(f"{len(cases)} cases: {len(shared)} in {len(chunks)} batch jobs, {len(solos)} in solo jobs, "
            f"{self.parallel} jobs at a time")
        with concurrent.futures.ThreadPoolExecutor(max_workers=self.parallel) as pool:
            batch_futures = [pool.submit(self.batch, chunk, pool) for chunk in chunks]
            solo_futures = [pool.submit(self.solo, c) for c in solos]
            for f in batch_futures:
                solo_futures += f.result()
            for f in solo_futures:
                f.result()
        missing = [c.id for c in cases if c.id not in self.outcomes]
        if missing:
            raise RuntimeError(f"no outcome for {missing}")


# ---------------------------------------------------------------------------------------------------------
# Output


def b64(data):
    return None if data is None else base64.b64encode(data).decode("ascii")


def text(data):
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


TEXT_LIMIT = 2048  # an input longer than this keeps only its base64 (the 100 KB case)
NO_TEXT_CLASSES = {"original-producer"}  # plain ASCII JSON throughout: base64 only, to keep the file small


def render_record(r, with_text) -> dict:
    out = {"key": b64(r["key"])}
    if with_text:
        out["keyText"] = text(r["key"])
    out["value"] = b64(r["value"])
    if with_text:
        out["valueText"] = text(r["value"])
    out["partition"] = r["partition"]
    out["headers"] = [{"key": k, "value": b64(v)} for k, v in r["headers"]]
    return out


def render_case(case, outcome) -> dict:
    with_text = case.cls not in NO_TEXT_CLASSES
    inp = {"value": b64(case.value)}
    value_text = text(case.value)
    if with_text and (case.value is None or (value_text is not None and len(value_text) <= TEXT_LIMIT)):
        inp["valueText"] = value_text
    inp["key"] = b64(case.key)
    kind = outcome["outcome"]
    if kind == "written":
        flink = {"outcome": kind, **render_record(outcome, with_text)}
    elif kind == "written-many":
        flink = {"outcome": kind, "note": "one input, several sink records; listed by partition, then offset "
                 "(the order across partitions is not observable)",
                 "records": [render_record(r, with_text) for r in outcome["records"]]}
    elif kind == "not-written":
        flink = {"outcome": kind,
                 "note": "nothing reached the sink for this record, while the sentinel after it did"}
    elif kind == "job-failed":
        flink = {"outcome": kind, "error": outcome["error"], "chain": outcome["chain"]}
    else:
        flink = {k: v for k, v in outcome.items() if not k.startswith("_")}
    return {"id": case.id, "class": case.cls, "note": case.note, "input": inp, "flink": flink}


def write_corpus(path, cases, outcomes, meta):
    rendered = [render_case(c, outcomes[c.id]) for c in cases]
    head = json.dumps(meta, ensure_ascii=False)[:-1]
    lines = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in rendered]
    with open(path, "w", encoding="utf-8") as f:
        f.write(head + ',\n"cases":[\n' + ",\n".join(lines) + "\n]}\n")
    json.load(open(path, encoding="utf-8"))  # stays valid JSON


def versions() -> dict:
    import importlib.metadata
    import zipfile

    from pyflink.java_gateway import get_gateway

    jar = job.default_connector_jar()
    with zipfile.ZipFile(jar) as z:
        deps = z.read("META-INF/DEPENDENCIES").decode()
    kafka_clients = re.search(r"org\.apache\.kafka:kafka-clients:jar:([\w.-]+)", deps)
    jvm = get_gateway().jvm
    jackson = jvm.org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.json.PackageVersion.VERSION
    return {
        "flink": importlib.metadata.version("apache-flink"),
        "connector": re.sub(r"^flink-sql-connector-kafka-|\.jar$", "", os.path.basename(jar)),
        "java": f"{jvm.System.getProperty('java.vendor')} {jvm.System.getProperty('java.runtime.version')}",
        "jackson": f"flink-shaded-jackson {jackson.toString()}",
        "kafkaClients": kafka_clients.group(1) if kafka_clients else None,
        "kafkaBroker": os.path.basename(kafka_sh("home").stdout.strip()),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(PROJECT_DIR, "test", "golden", "flink", "corpus.json"))
    ap.add_argument("--parallel", type=int, default=3, help="jobs at a time (each is a MiniCluster)")
    ap.add_argument("--only", help="regex on case ids: run just these (writes to --out, so pair it with one)")
    ap.add_argument("--producer-records", type=int, default=1500, help="records of the original producer")
    ap.add_argument("--keep-broker", action="store_true", help="leave the broker running")
    ap.add_argument("--chunk", type=int, default=400, help="cases per batch job")
    ap.add_argument("--batch-timeout", type=float, default=300)
    ap.add_argument("--solo-timeout", type=float, default=90)
    args = ap.parse_args()

    t0 = time.time()
    cases = case_defs.all_cases(args.producer_records)
    if args.only:
        cases = [c for c in cases if re.search(args.only, c.id)]
    wait_for_kafka_install()
    started_broker = kafka_sh("status").returncode != 0
    if started_broker:
        r = kafka_sh("start")
        if r.returncode != 0:
            raise RuntimeError(f"broker did not start: {r.stderr}")
        log(f"started the broker on {BOOTSTRAP}")
    kafka = Kafka()
    try:
        corpus = Corpus(kafka, args.parallel, args.chunk, args.batch_timeout, args.solo_timeout)
        corpus.run(cases)
        meta = {**versions(), "sinkPartitions": PARTITIONS,
                "generatedBy": "scripts/flink/corpus.py (see test/golden/flink/README.md)"}
        os.makedirs(os.path.dirname(args.out), exist_ok=True)
        write_corpus(args.out, cases, corpus.outcomes, meta)
        counts = {}
        for o in corpus.outcomes.values():
            counts[o["outcome"]] = counts.get(o["outcome"], 0) + 1
        log(f"wrote {args.out} ({os.path.getsize(args.out)} bytes): {counts}; jobs {corpus.jobs}; "
            f"{time.time() - t0:.0f}s")
    finally:
        kafka.close()
        if started_broker and not args.keep_broker:
            kafka_sh("stop")
            log("stopped the broker")


if __name__ == "__main__":
    main()
