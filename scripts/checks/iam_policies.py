"""IAM policies of a packaged CloudFormation template, checked with parliament.

    iam_policies.py TEMPLATE.json OUT_DIR

Every inline policy of every AWS::IAM::Role (and AWS::SQS::QueuePolicy, AWS::SNS::TopicPolicy) is taken
out of the template with its intrinsic functions resolved to realistic values (the stack's region,
account and partition; the ARNs and IDs CloudFormation would give its resources), written to OUT_DIR as
a plain policy document, and run through parliament, which checks each action against AWS's Service
Authorization Reference: unknown actions, resources of the wrong type for an action (a cluster ARN for
an action that only takes "*"), malformed ARNs and conditions. Findings of MEDIUM or worse fail the
check, except those .parliament.yaml keeps with its reason. Exits 1 on a finding, 2 on a template it
cannot read.
"""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

PARTITION = "aws"
REGION = "eu-west-1"
ACCOUNT = "123456789012"
PROJECT_DIR = Path(__file__).resolve().parents[2]
POLICY_TYPES = {
    "AWS::IAM::Role": lambda props: [(p["PolicyName"], p["PolicyDocument"]) for p in props.get("Policies", [])],
    "AWS::SQS::QueuePolicy": lambda props: [("queue-policy", props["PolicyDocument"])],
    "AWS::SNS::TopicPolicy": lambda props: [("topic-policy", props["PolicyDocument"])],
}


class Unresolvable(Exception):
    pass


def token(logical_id, length):
    """A stable, realistic-looking hex ID for a resource of the template."""
    return hashlib.sha256(logical_id.encode()).hexdigest()[:length]


def physical_id(resources, logical_id):
    """What Ref gives for a resource, as CloudFormation would answer it."""
    resource = resources.get(logical_id)
    if resource is None:
        raise Unresolvable(f"Ref to {logical_id}, which the template does not have")
    kind = resource["Type"]
    if kind in ("AWS::MSK::ServerlessCluster", "AWS::MSK::Cluster"):
        name = resource["Properties"].get("ClusterName", logical_id)
        return f"arn:{PARTITION}:kafka:{REGION}:{ACCOUNT}:cluster/{name}/{token(logical_id, 8)}-0000-0000-0000-{token(logical_id, 12)}-s1"
    prefixes = {
        "AWS::EC2::Subnet": "subnet-",
        "AWS::EC2::SecurityGroup": "sg-",
        "AWS::EC2::VPC": "vpc-",
        "AWS::EC2::VPCEndpoint": "vpce-",
        "AWS::EC2::RouteTable": "rtb-",
    }
    if kind in prefixes:
        return prefixes[kind] + token(logical_id, 17)
    if kind == "AWS::SQS::Queue":
        return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{logical_id}"
    if kind == "AWS::SNS::Topic":
        return f"arn:{PARTITION}:sns:{REGION}:{ACCOUNT}:{logical_id}"
    if kind == "AWS::Lambda::Function":
        return resource["Properties"].get("FunctionName", logical_id)
    if kind == "AWS::Lambda::EventSourceMapping":
        return f"{token(logical_id, 8)}-0000-0000-0000-{token(logical_id, 12)}"
    if kind == "AWS::Events::Rule":
        return logical_id
    if kind == "AWS::IAM::Role":
        return logical_id
    raise Unresolvable(f"Ref to {logical_id} of type {kind}: add it to scripts/checks/iam_policies.py")


def attribute(resources, logical_id, name):
    """What Fn::GetAtt gives."""
    resource = resources.get(logical_id)
    if resource is None:
        raise Unresolvable(f"GetAtt of {logical_id}, which the template does not have")
    kind = resource["Type"]
    arns = {
        "AWS::SQS::Queue": f"arn:{PARTITION}:sqs:{REGION}:{ACCOUNT}:{logical_id}",
        "AWS::SNS::Topic": f"arn:{PARTITION}:sns:{REGION}:{ACCOUNT}:{logical_id}",
        "AWS::Lambda::Function": f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT}:function:"
        + str(resource["Properties"].get("FunctionName", logical_id)),
        "AWS::IAM::Role": f"arn:{PARTITION}:iam::{ACCOUNT}:role/{logical_id}",
        "AWS::Events::Rule": f"arn:{PARTITION}:events:{REGION}:{ACCOUNT}:rule/{logical_id}",
        "AWS::Logs::LogGroup": f"arn:{PARTITION}:logs:{REGION}:{ACCOUNT}:log-group:{logical_id}:*",
    }
    if name == "Arn" and kind in arns:
        return arns[kind]
    if kind == "AWS::SQS::Queue" and name == "QueueName":
        return logical_id
    raise Unresolvable(f"GetAtt {logical_id}.{name} of type {kind}: add it to scripts/checks/iam_policies.py")


class Resolver:
    def __init__(self, template):
        self.resources = template.get("Resources", {})
        self.conditions = template.get("Conditions", {})
        self.condition_values = {}

    def condition(self, name):
        if name not in self.condition_values:
            self.condition_values[name] = self.truth(self.conditions[name])
        return self.condition_values[name]

    def truth(self, node):
        (fn, arg), = node.items()
        if fn == "Fn::Equals":
            left, right = (self.resolve(a) for a in arg)
            return str(left).lower() == str(right).lower() if isinstance(left, bool) or isinstance(right, bool) else left == right
        if fn == "Fn::Not":
            return not self.truth(arg[0])
        if fn == "Fn::And":
            return all(self.truth(a) for a in arg)
        if fn == "Fn::Or":
            return any(self.truth(a) for a in arg)
        if fn == "Condition":
            return self.condition(arg)
        raise Unresolvable(f"condition function {fn}")

    NO_VALUE = object()

    def resolve(self, node):
        if isinstance(node, list):
            items = [self.resolve(item) for item in node]
            return [item for item in items if item is not self.NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (fn, arg), = node.items()
            if fn == "Ref":
                pseudo = {"AWS::Partition": PARTITION, "AWS::Region": REGION, "AWS::AccountId": ACCOUNT}
                if arg == "AWS::NoValue":
                    return self.NO_VALUE
                return pseudo[arg] if arg in pseudo else physical_id(self.resources, arg)
            if fn == "Fn::GetAtt":
                logical_id, name = arg if isinstance(arg, list) else arg.split(".", 1)
                return attribute(self.resources, logical_id, name)
            if fn == "Fn::If":
                name, then, otherwise = arg
                return self.resolve(then if self.condition(name) else otherwise)
            if fn == "Fn::Join":
                separator, items = arg
                return separator.join(str(item) for item in self.resolve(items))
            if fn == "Fn::Split":
                separator, text = arg
                return str(self.resolve(text)).split(separator)
            if fn == "Fn::Select":
                index, items = arg
                return self.resolve(items)[int(self.resolve(index))]
            if fn == "Fn::Sub":
                return self.substitute(arg)
        return {key: value for key, value in ((k, self.resolve(v)) for k, v in node.items()) if value is not self.NO_VALUE}

    def substitute(self, arg):
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], self.resolve(arg[1]))
        out, rest = "", text
        while "${" in rest:
            before, _, after = rest.partition("${")
            name, _, rest = after.partition("}")
            out += before
            if name in variables:
                out += str(variables[name])
            elif name.startswith("!"):
                out += "${" + name[1:] + "}"
            elif "." in name:
                out += str(attribute(self.resources, *name.split(".", 1)))
            else:
                out += str(self.resolve({"Ref": name}))
        return out + rest


def extract(template_path, out_dir):
    template = json.loads(Path(template_path).read_text())
    resolver = Resolver(template)
    files = []
    for logical_id, resource in template.get("Resources", {}).items():
        policies = POLICY_TYPES.get(resource["Type"])
        if policies is None:
            continue
        for name, document in policies(resource.get("Properties", {})):
            path = Path(out_dir) / f"{logical_id}-{name}.json"
            path.write_text(json.dumps(resolver.resolve(document), indent=2))
            files.append(path)
    return files


def main():
    template, out_dir = sys.argv[1], Path(sys.argv[2])
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        files = extract(template, out_dir)
    except (Unresolvable, KeyError) as error:
        print(f"[iam] cannot read {template}: {error}", file=sys.stderr)
        return 2
    parliament = Path(sys.executable).parent / "parliament"
    result = subprocess.run(
        [str(parliament), "--config", str(PROJECT_DIR / ".parliament.yaml"), "--minimum_severity", "MEDIUM",
         "--json", "--files", ",".join(str(f) for f in files)],
        stdin=subprocess.DEVNULL, capture_output=True, text=True,
    )
    findings = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    for finding in findings:
        where = Path(finding.get("location", {}).get("filepath", "?")).name
        print(f"[iam] {finding['severity']} {finding['issue']} in {where}: {finding.get('detail')}", file=sys.stderr)
    if result.returncode not in (0, 1) or (result.returncode == 1 and not findings):
        print(f"[iam] parliament failed: {result.stderr.strip()}", file=sys.stderr)
        return 2
    print(f"[iam] {len(files)} policies, {len(findings)} findings of MEDIUM or worse", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
