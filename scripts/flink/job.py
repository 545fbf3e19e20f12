"""The original PyFlink job (processor.py of "Getting Started with Pyflink on AWS", part 2), for local runs.

Source and sink DDL are the reference's, unchanged: the same columns (TIMESTAMP(3), VARCHAR(6), DOUBLE), the
same options ('format' = 'json', sink 'key.format' = 'json' with 'key.fields' = 'ticker', source group id
'soruce-group' [sic] and 'scan.startup.mode' = 'earliest-offset'), and `INSERT INTO sink_table SELECT * FROM
source_table`. Only these differ from the reference: the bootstrap servers and topic names (from the
environment or arguments), the connector jar (flink-sql-connector-kafka instead of the MSK uber jar), PLAINTEXT
only (no IAM injection) and parallelism 1.

    .local/flink/venv/bin/python scripts/flink/job.py [--bootstrap-servers H:P] [--source-topic T] [--sink-topic T]

Environment: BOOTSTRAP_SERVERS (127.0.0.1:9092), SOURCE_TOPIC (stocks-in), SINK_TOPIC (stocks-out),
FLINK_CONNECTOR_JAR (the jar scripts/flink/setup.sh downloads). Runs until killed (the source is unbounded).
The corpus driver (corpus.py) imports this module to submit the same job many times from one process.
"""

import argparse
import glob
import logging
import os

from pyflink.table import EnvironmentSettings, TableEnvironment

PROJECT_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

SOURCE_TABLE = "source_table"
SINK_TABLE = "sink_table"
STARTUP_MODE = "earliest-offset"


def default_connector_jar() -> str:
    jars = sorted(glob.glob(os.path.join(PROJECT_DIR, ".local", "flink", "flink-sql-connector-kafka-*.jar")))
    if not jars:
        raise RuntimeError("no flink-sql-connector-kafka jar in .local/flink: run scripts/flink/setup.sh")
    return jars[-1]


def options_sql(opts: dict) -> str:
    # The reference's inject_security_opts without the IAM branch (PLAINTEXT only).
    return ", ".join(f"'{k}' = '{v}'" for k, v in opts.items())


def table_ddl(table_name: str, opts: dict) -> str:
    # The reference's columns for both tables, as its processor.py declares them.
    return f"""
    CREATE TABLE {table_name} (
        event_time TIMESTAMP(3),
        ticker VARCHAR(6),
        price DOUBLE
    )
    WITH (
        {options_sql(opts)}
    )
    """


def create_source_table(table_name: str, topic_name: str, bootstrap_servers: str, startup_mode: str) -> str:
    opts = {
        "connector": "kafka",
        "topic": topic_name,
        "properties.bootstrap.servers": bootstrap_servers,
        "properties.group.id": "soruce-group",
        "format": "json",
        "scan.startup.mode": startup_mode,
    }
    return table_ddl(table_name, opts)


def create_sink_table(table_name: str, topic_name: str, bootstrap_servers: str) -> str:
    opts = {
        "connector": "kafka",
        "topic": topic_name,
        "properties.bootstrap.servers": bootstrap_servers,
        "format": "json",
        "key.format": "json",
        "key.fields": "ticker",
        "properties.allow.auto.create.topics": "true",
    }
    return table_ddl(table_name, opts)


def create_table_env(connector_jar: str | None = None, extra_config: dict | None = None) -> TableEnvironment:
    table_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    config = table_env.get_config()
    config.set("pipeline.jars", f"file://{connector_jar or default_connector_jar()}")
    config.set("parallelism.default", "1")
    for key, value in (extra_config or {}).items():
        config.set(key, value)
    return table_env


def submit(bootstrap_servers: str, source_topic: str, sink_topic: str, connector_jar: str | None = None,
           extra_config: dict | None = None):
    """Creates the two tables and submits the INSERT; returns the TableResult of the running job."""
    table_env = create_table_env(connector_jar, extra_config)
    table_env.execute_sql(create_source_table(SOURCE_TABLE, source_topic, bootstrap_servers, STARTUP_MODE))
    table_env.execute_sql(create_sink_table(SINK_TABLE, sink_topic, bootstrap_servers))
    return table_env.execute_sql(f"INSERT INTO {SINK_TABLE} SELECT * FROM {SOURCE_TABLE}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap-servers", default=os.environ.get("BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    parser.add_argument("--source-topic", default=os.environ.get("SOURCE_TOPIC", "stocks-in"))
    parser.add_argument("--sink-topic", default=os.environ.get("SINK_TOPIC", "stocks-out"))
    parser.add_argument("--connector-jar", default=os.environ.get("FLINK_CONNECTOR_JAR"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.info("job: %s -> %s on %s", args.source_topic, args.sink_topic, args.bootstrap_servers)
    result = submit(args.bootstrap_servers, args.source_topic, args.sink_topic, args.connector_jar)
    logging.info("submitted job %s", result.get_job_client().get_job_id())
    result.wait()


if __name__ == "__main__":
    main()
