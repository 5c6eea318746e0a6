"""Parses a Prometheus text exposition (stdin) with prometheus_client's own parser and prints
every sample as one JSON document: {"families": [{"name", "type", "samples": [{"name",
"labels", "value"}]}]}. A malformed line makes the parser raise: exit 1 with its message."""
import json
import math
import sys

from prometheus_client.parser import text_string_to_metric_families


def main():
    text = sys.stdin.read()
    families = []
    try:
        for family in text_string_to_metric_families(text):
            families.append({
                "name": family.name,
                "type": family.type,
                "documentation": family.documentation,
                "samples": [
                    {"name": s.name, "labels": dict(s.labels),
                     "value": s.value if math.isfinite(s.value) else str(s.value)}
                    for s in family.samples
                ],
            })
    except Exception as err:  # the parser's own error, named for the test
        print(f"exposition rejected by prometheus_client: {type(err).__name__}: {err}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps({"families": families}))


if __name__ == "__main__":
    main()
