"""Writes test/support/iam-reference.json: for each IAM action the pipeline uses, the resource ARN formats
AWS's Service Authorization Reference allows (an empty list: the action has no resource type, only "*"
grants it), taken from the reference data parliament bundles. The template tests check every statement
against it, without Python at test time.

    .local/venv/bin/python scripts/checks/iam_reference.py      (npm run check:templates runs it too)
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import parliament

PROJECT_DIR = Path(__file__).resolve().parents[2]
OUT = PROJECT_DIR / "test/support/iam-reference.json"
# Every action a role of the stack grants (resources/roles.yml, serverless.yml custom statements).
ACTIONS = [
    "kafka-cluster:Connect",
    "kafka-cluster:WriteDataIdempotently",
    "kafka-cluster:DescribeTopic",
    "kafka-cluster:WriteData",
    "kafka-cluster:ReadData",
    "kafka-cluster:CreateTopic",
    "kafka-cluster:AlterTopic",
    "kafka-cluster:DescribeGroup",
    "kafka-cluster:AlterGroup",
    "kafka:GetBootstrapBrokers",
    "kafka:DescribeClusterV2",
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
    "ec2:DescribeSecurityGroups",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "sqs:SendMessage",
    "sns:Publish",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
]


def main():
    definition = json.loads(Path(os.path.dirname(parliament.__file__), "iam_definition.json").read_text())
    services = {service["prefix"]: service for service in definition}
    reference = {}
    for action in ACTIONS:
        prefix, name = action.split(":")
        service = services[prefix]
        privilege = next((p for p in service["privileges"] if p["privilege"] == name), None)
        if privilege is None:
            sys.exit(f"{action} is not in the reference data")
        arns = {resource["resource"]: resource["arn"] for resource in service["resources"]}
        types = [t["resource_type"].rstrip("*") for t in privilege["resource_types"] if t["resource_type"]]
        reference[action] = sorted(arns[t] for t in types)
    OUT.write_text(json.dumps(reference, indent=2, sort_keys=True) + "\n")
    # In the project's JSON style, so that an unchanged reference leaves the committed file unchanged.
    subprocess.run([PROJECT_DIR / "node_modules/.bin/biome", "format", "--write", str(OUT)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"[iam] wrote {OUT.relative_to(PROJECT_DIR)} ({len(reference)} actions)", file=sys.stderr)


if __name__ == "__main__":
    main()
