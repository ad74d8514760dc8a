"""What the Python tests of vigil share: the checks and their tally,
waiting, a free UDP port, JSON-lines files, and `vigil run` started with a
config of its own (standard library only).

A script imports it after putting its own directory on sys.path:

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import vigiltest as vt  # noqa: E402
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time

FAILS = []


def check(name, cond, detail=""):
    """One line per check, ok or FAIL, and the detail under a failure."""
    print(("ok   " if cond else "FAIL ") + name)
    if not cond:
        FAILS.append(name)
        if detail:
            print("     " + str(detail)[:3000].replace("\n", "\n     "))


def check_quiet(cond, what):
    """A line only when the check fails."""
    if not cond:
        FAILS.append(what)
        print("FAIL", what)


def keep_if_failed(tmp):
    """Remove the test's directory, or keep it for inspection after a failure."""
    if FAILS:
        print(f"kept {tmp} for inspection")
    else:
        shutil.rmtree(tmp)


def result(all_passed):
    """The last line and the exit status."""
    print(f"{len(FAILS)} failed" if FAILS else all_passed)
    return 1 if FAILS else 0


def wait_for(cond, timeout=10.0, interval=0.02):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(interval)
    return cond()


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def read_jsonl(path):
    if not path or not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


class VigilRun:
    """vigil run with its own config in TMP/NAME: `top` and then the run:
    section of run_keys (values as YAML text). The listeners' ports are read
    back from its start-up lines into .ports (the config may ask for port 0);
    .flows() and .alerts() read its run.flow_log and run.alerts files."""

    def __init__(self, vigil, tmp, name, run_keys, top="", interval=0.02):
        self.dir = os.path.join(tmp, name)
        os.makedirs(self.dir, exist_ok=True)
        self.flow_log = run_keys.get("flow_log")
        self.alerts_path = run_keys.get("alerts")
        cfg = write(os.path.join(self.dir, "vigil.yaml"),
                    top + "run:\n" + "".join(f"  {k}: {v}\n" for k, v in run_keys.items()))
        self.err_path = os.path.join(self.dir, "stderr")
        self.err = open(self.err_path, "w")
        self.proc = subprocess.Popen([vigil, "run", "--config", cfg], stdout=subprocess.DEVNULL, stderr=self.err)
        self.ports = {}
        wanted = ["run." + k for k in ("ipfix_udp", "netflow_udp", "ipfix_tcp") if run_keys.get(k, "null") != "null"]
        wait_for(lambda: self._listening(wanted) or self.proc.poll() is not None, interval=interval)
        if not self._listening(wanted):
            self.stop()
            raise RuntimeError("vigil run did not start: " + self.stderr())

    def _listening(self, wanted):
        for m in re.finditer(r"(run\.\w+): listening on (udp|tcp) (\S+)", self.stderr()):
            self.ports[m.group(1)] = int(m.group(3).rsplit(":", 1)[1])
        return all(k in self.ports for k in wanted)

    def stderr(self):
        with open(self.err_path) as f:
            return f.read()

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self):
        """SIGTERM, and SIGKILL if it is still running 30 s later; the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.err.close()
        return self.proc.returncode

    def flows(self):
        return read_jsonl(self.flow_log)

    def alerts(self):
        return read_jsonl(self.alerts_path)
