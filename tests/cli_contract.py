#!/usr/bin/env python3
"""vigil scan's command-line contract (DESIGN.md): options, stdin, gzip,
--format, --out, --state, exit statuses, rejected records, determinism."""
import gzip
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

VIGIL = sys.argv[1]
TESTS = sys.argv[2] if len(sys.argv) > 2 else os.path.dirname(os.path.abspath(__file__))
FAILS = []


def event(i, name, privileged=True, ts="2026-03-01T10:00:00.000000Z"):
    return json.dumps({
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse",
        "auditID": f"00000000-0000-0000-0000-{i:012d}", "stage": "ResponseComplete",
        "requestURI": "/api/v1/namespaces/web/pods", "verb": "create",
        "user": {"username": "dev@example.com", "groups": ["system:authenticated"]},
        "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.30.2 (linux/amd64) kubernetes/39683505",
        "objectRef": {"resource": "pods", "namespace": "web", "name": name, "apiVersion": "v1"},
        "responseStatus": {"metadata": {}, "code": 201},
        "requestObject": {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": name, "namespace": "web"},
                          "spec": {"containers": [{"name": "app", "image": "nginx:1.27",
                                                   "securityContext": {"privileged": privileged}}]}},
        "requestReceivedTimestamp": ts, "stageTimestamp": ts,
        "annotations": {"authorization.k8s.io/decision": "allow"}})


def run(args, stdin=None):
    return subprocess.run([VIGIL] + args, input=stdin, capture_output=True, text=True)


def check(name, cond, p=None):
    if cond:
        print(f"ok   {name}")
    else:
        FAILS.append(name)
        print(f"FAIL {name}")
        if p is not None:
            print(f"     exit {p.returncode}\n     stdout: {p.stdout[:500]}\n     stderr: {p.stderr[:1500]}")


def alerts(p):
    return [json.loads(l) for l in p.stdout.splitlines() if l.strip()]


def write_geoip_dbs(tmp):
    """A City and an Anonymous-IP database written by tests/tools/write_mmdb.pl;
    None when perl's MaxMind DB writer is missing."""
    tool = os.path.join(TESTS, "tools", "write_mmdb.pl")
    specs = {
        "city": {"database_type": "GeoIP2-City", "networks": [
            {"network": "203.0.113.0/24", "country": "GB", "city": "London",
             "latitude": 51.5, "longitude": -0.12, "accuracy_radius": 10}]},
        "anon": {"database_type": "GeoIP2-Anonymous-IP", "networks": [
            {"network": "203.0.113.7/32", "is_anonymous": True, "is_tor_exit_node": True}]},
    }
    if subprocess.run(["perl", "-MMaxMind::DB::Writer::Tree", "-e", "1"], capture_output=True).returncode:
        return None
    out = []
    for name, spec in specs.items():
        with open(os.path.join(tmp, name + ".json"), "w") as f:
            json.dump(spec, f)
        mmdb = os.path.join(tmp, name + ".mmdb")
        subprocess.run(["perl", tool, os.path.join(tmp, name + ".json"), mmdb], check=True)
        out.append(mmdb)
    return out


def main():
    tmp = tempfile.mkdtemp()
    try:
        good = os.path.join(tmp, "audit.jsonl")
        with open(good, "w") as f:
            f.write(event(1, "a") + "\n" + event(2, "b", privileged=False) + "\n")

        p = run(["scan", good])
        check("privileged pod fires, benign quiet", p.returncode == 0 and
              [a["compromised_entity"] for a in alerts(p)] == ["pods/web/a"], p)
        check("summary on stderr", "alerts: 1" in p.stderr and "k8s-audit" in p.stderr, p)

        p = run([])
        check("no command: exit 2", p.returncode == 2, p)
        p = run(["scan"])
        check("no input: exit 2 with one line", p.returncode == 2 and "no input" in p.stderr, p)
        p = run(["scan", "--bogus", good])
        check("unknown option: exit 2 naming it", p.returncode == 2 and "--bogus" in p.stderr, p)
        p = run(["scan", os.path.join(tmp, "missing.jsonl")])
        check("missing file: exit 2 naming it", p.returncode == 2 and "missing.jsonl" in p.stderr and
              p.stderr.count("\n") <= 2, p)
        p = run(["scan", tmp])
        check("directory input: exit 2", p.returncode == 2 and "directory" in p.stderr, p)
        p = run(["scan", "--format", "nope", good])
        check("unknown --format: exit 2", p.returncode == 2 and "nope" in p.stderr, p)
        p = run(["scan", "--out"])
        check("option without value: exit 2", p.returncode == 2, p)
        txt = os.path.join(tmp, "notes.txt")
        with open(txt, "w") as f:
            f.write("hello world\nthis is not telemetry\n")
        p = run(["scan", txt])
        check("unknown format: exit 2 suggesting --format", p.returncode == 2 and "--format" in p.stderr, p)
        p = run(["scan", "--format", "k8s-audit", txt])
        check("forced format: records rejected, exit 0", p.returncode == 0 and "rejected 2 record" in p.stderr, p)

        with open(good) as f:
            p = run(["scan", "-"], stdin=f.read())
        check("stdin input", p.returncode == 0 and len(alerts(p)) == 1, p)

        gz = os.path.join(tmp, "audit.log.gz")
        with open(good, "rb") as src, gzip.open(gz, "wb") as dst:
            dst.write(src.read())
        p = run(["scan", gz])
        check("gzip input, detected by content", p.returncode == 0 and len(alerts(p)) == 1 and "(gzip)" in p.stderr, p)
        p1, p2 = run(["scan", good]), run(["scan", gz])
        def without_input_names(p):
            out = alerts(p)
            for a in out:
                for e in a["evidence"]:
                    e.pop("input", None)
            return out
        check("gzip and plain give identical alerts",
              p1.stdout and without_input_names(p1) == without_input_names(p2), p2)

        out = os.path.join(tmp, "alerts.jsonl")
        p = run(["scan", "--out", out, good])
        check("--out writes the alerts there", p.returncode == 0 and p.stdout == "" and
              len(open(out).read().splitlines()) == 1, p)
        p = run(["scan", "--out", os.path.join(tmp, "no", "such", "dir", "x.jsonl"), good])
        check("--out unwritable: exit 2", p.returncode == 2, p)

        mixed = os.path.join(tmp, "mixed.jsonl")
        with open(mixed, "w") as f:
            f.write(event(3, "c") + "\n{\"truncated\": \n" + "not json at all\n" + event(4, "d") + "\n")
        p = run(["scan", mixed])
        ents = sorted(a["compromised_entity"] for a in alerts(p))
        check("bad records skipped, neighbours kept", p.returncode == 0 and ents == ["pods/web/c", "pods/web/d"], p)
        check("rejects reported with input and offset", "rejected " + mixed + " at offset" in p.stderr and
              "rejected 1 record: invalid JSON" in p.stderr and
              "rejected 1 record: record is not a JSON object" in p.stderr and
              "(not json at all)" in p.stderr, p)

        # repeats inside the aggregation window are one alert with a count
        rep = os.path.join(tmp, "repeat.jsonl")
        with open(rep, "w") as f:
            for i in range(5):
                f.write(event(10 + i, "same", ts=f"2026-03-01T10:0{i}:00.000000Z") + "\n")
        p = run(["scan", rep])
        a = alerts(p)
        check("aggregation: one alert, count 5", len(a) == 1 and a[0]["count"] == 5 and
              a[0]["time_end"] == "2026-03-01T10:04:00Z", p)

        p1, p2 = run(["scan", rep, good]), run(["scan", rep, good])
        check("replay is byte-identical", p1.stdout == p2.stdout and p1.stdout, p2)
        # merge by event time across inputs: both orders give the same alerts
        p3 = run(["scan", good, rep])
        check("merge by event time: input order does not matter",
              sorted(p1.stdout.splitlines()) == sorted(p3.stdout.splitlines()), p3)

        state = os.path.join(tmp, "state")
        p = run(["scan", "--state", state, good])
        db = os.path.join(state, "vigil.db")
        check("--state creates the store", p.returncode == 0 and os.path.exists(db), p)
        n = sqlite3.connect(db).execute("select count(*) from alerts").fetchone()[0]
        check("alerts kept in the store", n == 1)
        p = run(["scan", "--state", good, good])
        check("--state on a file: exit 2", p.returncode == 2, p)

        # enrichment: loaded before anything is written, reported in the summary
        intel = os.path.join(tmp, "tor.txt")
        with open(intel, "w") as f:
            f.write("# exit nodes\n192.0.2.1\n198.51.100.0/24\n")
        inv = os.path.join(tmp, "inventory.jsonl")
        with open(inv, "w") as f:
            f.write('{"vm": "vm-web-1", "ip": "10.0.0.5", "from": "2026-01-01T00:00:00Z", "to": null}\n')
        p = run(["scan", "--intel", "tor=" + intel, "--inventory", inv, good])
        check("--intel and --inventory loaded and reported", p.returncode == 0 and len(alerts(p)) == 1 and
              "tor 2" in p.stderr and "1 interval" in p.stderr and "note:" not in p.stderr, p)
        out2 = os.path.join(tmp, "untouched.jsonl")
        p = run(["scan", "--intel", os.path.join(tmp, "missing.txt"), "--state", os.path.join(tmp, "st2"),
                 "--out", out2, good])
        check("unreadable --intel: exit 2, one line, nothing created", p.returncode == 2 and
              "missing.txt" in p.stderr and p.stderr.count("\n") == 1 and
              not os.path.exists(os.path.join(tmp, "st2")) and not os.path.exists(out2), p)
        p = run(["scan", "--intel", "nolabel=" + intel, good])
        check("unknown intel label: exit 2 naming it", p.returncode == 2 and "nolabel" in p.stderr, p)
        p = run(["scan", "--inventory", intel, good])
        check("inventory that is not JSON lines: exit 2", p.returncode == 2 and "tor.txt" in p.stderr, p)

        # GeoIP: a file that is not a MaxMind DB stops the run before anything is written
        notdb = os.path.join(tmp, "corrupt.mmdb")
        with open(notdb, "wb") as f:
            f.write(b"\xab\xcd\xefMaxMind.com" + b"\0" * 64)
        out3 = os.path.join(tmp, "untouched3.jsonl")
        p = run(["scan", "--geoip", notdb, "--out", out3, good])
        check("corrupt --geoip: exit 2, one line naming it", p.returncode == 2 and
              "corrupt.mmdb is not a usable MaxMind DB" in p.stderr and p.stderr.count("\n") == 1 and
              not os.path.exists(out3), p)
        p = run(["scan", "--geoip", os.path.join(tmp, "missing.mmdb"), good])
        check("missing --geoip: exit 2", p.returncode == 2 and "cannot read GeoIP database" in p.stderr, p)
        dbs = write_geoip_dbs(tmp)
        if dbs:
            p = run(["scan", "--geoip", dbs[0], "--geoip", dbs[1], good])
            check("two --geoip accepted and reported", p.returncode == 0 and len(alerts(p)) == 1 and
                  "geoip city.mmdb: GeoIP2-City" in p.stderr and
                  "geoip anon.mmdb: GeoIP2-Anonymous-IP" in p.stderr, p)
        else:
            print("skip two --geoip (perl's MaxMind::DB::Writer is not installed)")

        cfg = os.path.join(tmp, "bad.yaml")
        with open(cfg, "w") as f:
            f.write("alerts:\n  aggregation_windw: 1h\n")
        p = run(["scan", "--config", cfg, good])
        check("unknown config key: exit 2 naming it", p.returncode == 2 and "aggregation_windw" in p.stderr, p)
        cfg2 = os.path.join(tmp, "off.yaml")
        with open(cfg2, "w") as f:
            f.write("alerts:\n  disabled_types: [k8s.container.*]\n")
        p = run(["scan", "--config", cfg2, good])
        check("disabled types stay quiet", p.returncode == 0 and alerts(p) == [], p)
        p = run(["config", "--dump"])
        dumped = os.path.join(tmp, "dumped.yaml")
        with open(dumped, "w") as f:
            f.write(p.stdout)
        p2 = run(["config", "--dump", "--config", dumped])
        check("config --dump reloads to the same config", p.returncode == 0 and p.stdout == p2.stdout and
              "learning_period" in p.stdout, p2)
    finally:
        shutil.rmtree(tmp)
    print(f"{len(FAILS)} failed" if FAILS else "all CLI contract checks passed")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
