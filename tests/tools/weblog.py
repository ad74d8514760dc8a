"""Writers for App Service telemetry in the shapes real systems emit, for the
regression cases and the demo: IIS / App Service W3C extended logs (HTTP
RawLogs and the IIS FTP service), AppServiceHTTPLogs and AppServiceAuditLogs
diagnostic records, ECS process events (Auditbeat / Winlogbeat shape) and
raw auditd records. Pure standard library; output depends only on the calls.
"""
import json
from datetime import datetime, timezone

# App Service's RawLogs layout (data-notes (d), the beats access-azure sample)
HTTP_FIELDS = ("date time s-sitename cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
               "cs(User-Agent) cs(Cookie) cs(Referer) cs-host sc-status sc-substatus sc-win32-status "
               "sc-bytes cs-bytes time-taken")
# IIS FTP service layout with the session id and full path
FTP_FIELDS = ("date time c-ip c-port cs-username s-sitename s-ip s-port cs-method cs-uri-stem sc-status "
              "sc-win32-status sc-substatus x-session x-fullpath")


def at(y, mo, d, h=0, mi=0, s=0):
    return datetime(y, mo, d, h, mi, s, tzinfo=timezone.utc)


def _w3c(v):
    """A W3C field: '-' for empty, spaces as '+' (how IIS writes them)."""
    if v is None or v == "":
        return "-"
    return str(v).replace(" ", "+")


class HttpLog:
    """Requests of one or many sites. w3c() writes IIS RawLogs with a
    #Fields header, records() AppServiceHTTPLogs diagnostic records."""

    def __init__(self):
        self.reqs = []

    def req(self, t, site, ip, path, status=200, method="GET", query="", ua="Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
            referer="", nbytes=5120, user=""):
        self.reqs.append(dict(t=t, site=site, ip=ip, path=path, status=status, method=method, query=query, ua=ua,
                              referer=referer, bytes=nbytes, user=user))

    def sorted(self):
        return sorted(self.reqs, key=lambda r: r["t"])

    def w3c(self):
        out = ["#Software: Microsoft Internet Information Services 8.0", "#Fields: " + HTTP_FIELDS]
        for r in self.sorted():
            host = r["site"]
            out.append(" ".join(_w3c(x) for x in (
                r["t"].strftime("%Y-%m-%d"), r["t"].strftime("%H:%M:%S"), host.split(".")[0].upper(), r["method"],
                r["path"], r["query"], 443, r["user"], r["ip"], r["ua"], "", r["referer"], host, r["status"], 0, 0,
                r["bytes"], 420, 31)))
        return "\n".join(out) + "\n"

    def records(self):
        lines = []
        for r in self.sorted():
            name = r["site"].split(".")[0]
            lines.append(json.dumps({
                "time": r["t"].strftime("%Y-%m-%dT%H:%M:%S.0000000Z"),
                "resourceId": "/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000001/RESOURCEGROUPS/WEB/PROVIDERS/"
                              "MICROSOFT.WEB/SITES/" + name.upper(),
                "category": "AppServiceHTTPLogs",
                "properties": {
                    "CsMethod": r["method"], "CsUriStem": r["path"], "CsUriQuery": r["query"] or "-",
                    "SPort": "443", "CIp": r["ip"], "UserAgent": r["ua"], "Cookie": "-", "Referer": r["referer"] or "-",
                    "CsHost": r["site"], "ScStatus": r["status"], "ScSubStatus": "0", "ScWin32Status": "0",
                    "ScBytes": r["bytes"], "CsBytes": 420, "TimeTaken": 31, "CsUsername": r["user"] or "-",
                    "Result": "Success" if r["status"] < 400 else "Failure", "Protocol": "HTTP/1.1",
                    "ComputerName": "RD0003FF" + name[:4].upper()},
            }, separators=(",", ":")))
        return "\n".join(lines) + "\n"


class FtpLog:
    """IIS FTP service W3C log lines, one session per session()."""

    def __init__(self):
        self.lines = []
        self.n = 0

    def session(self, t, site, ip, user, ok=True, commands=()):
        """USER, PASS (230 or 530), then (verb, path) commands, then QUIT."""
        self.n += 1
        sid = "%08x-%04x-4%03x-8000-%012x" % (0x1e5a0000 + self.n, self.n, self.n, 0xfeed00 + self.n)
        sec = [0]

        def line(verb, arg, status):
            ts = t.timestamp() + sec[0]
            sec[0] += 2
            tt = datetime.fromtimestamp(ts, timezone.utc)
            full = arg if verb in ("RETR", "STOR", "DELE", "CWD") else "-"
            self.lines.append((tt, " ".join(_w3c(x) for x in (
                tt.strftime("%Y-%m-%d"), tt.strftime("%H:%M:%S"), ip, 50123, user if verb != "USER" else "-",
                "FTPSVC2", "10.0.0.4", 21, verb, arg, status, 0, 0, sid, full))))
        line("ControlChannelOpened", "-", "-")
        line("USER", user, 331)
        line("PASS", "***", 230 if ok else 530)
        for verb, arg in (commands if ok else ()):
            line(verb, arg, 226 if verb in ("RETR", "STOR") else 250)
        line("QUIT", "-", 221)

    def w3c(self):
        out = ["#Software: Microsoft Internet Information Services 10.0", "#Version: 1.0", "#Fields: " + FTP_FIELDS]
        out += [s for _, s in sorted(self.lines, key=lambda x: x[0])]
        return "\n".join(out) + "\n"


def audit_login(t, site, ip, user, protocol="FTP"):
    """One AppServiceAuditLogs record (PascalCase keys, UserAddress ip:port)."""
    return json.dumps({
        "time": t.strftime("%Y-%m-%dT%H:%M:%S.0000000Z"),
        "ResourceId": "/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000001/RESOURCEGROUPS/WEB/PROVIDERS/"
                      "MICROSOFT.WEB/SITES/" + site.upper(),
        "Category": "AppServiceAuditLogs", "OperationName": "Authorization",
        "Properties": {"User": "$" + site, "UserDisplayName": "$" + site, "UserAddress": ip + ":50432",
                       "Protocol": protocol}}, separators=(",", ":")) + "\n"


class Processes:
    """ECS process-start events (Auditbeat on Linux, Winlogbeat/Sysmon on
    Windows), one JSON object per line."""

    def __init__(self):
        self.events = []
        self.pid = 4000

    def start(self, t, host, exe, args, parent=None, os_type="linux", user="www-data", cwd=None, pid=None):
        """parent: (pid, exe, args) of the parent, or None. Returns
        (pid, exe, args) for use as a later parent."""
        if pid is None:
            self.pid += 7
            pid = self.pid
        name = exe.replace("\\", "/").rsplit("/", 1)[-1]
        p = {"pid": pid, "executable": exe, "name": name, "args": list(args),
             "command_line": " ".join(args), "working_directory": cwd or ("C:\\home\\site\\wwwroot" if os_type ==
                                                                          "windows" else "/home/site/wwwroot")}
        if parent:
            ppid, pexe, pargs = parent
            p["parent"] = {"pid": ppid, "executable": pexe, "name": pexe.replace("\\", "/").rsplit("/", 1)[-1],
                           "args": list(pargs), "command_line": " ".join(pargs)}
        ev = {"@timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
              "event": {"kind": "event", "category": ["process"], "type": ["start"],
                        "action": "Process Create" if os_type == "windows" else "process_started",
                        "module": "sysmon" if os_type == "windows" else "system"},
              "host": {"name": host, "hostname": host, "os": {"type": os_type, "family": os_type}},
              "process": p, "user": {"name": user}}
        if os_type == "windows":
            ev["event"]["code"] = "1"
        self.events.append((t, json.dumps(ev, separators=(",", ":"))))
        return (pid, exe, list(args))

    def jsonl(self):
        return "\n".join(s for _, s in sorted(self.events, key=lambda x: x[0])) + "\n"


def _hex(s):
    return s.encode().hex().upper()


def _audit_arg(a):
    """auditd quotes a plain argument and hex-encodes one with spaces,
    quotes or control characters."""
    if any(c in a for c in ' "\'\\') or any(ord(c) < 0x21 or ord(c) > 0x7e for c in a):
        return _hex(a)
    return '"%s"' % a


class Audit:
    """Raw audit.log records of execve events, the records of one event
    sharing msg=audit(time:serial)."""

    def __init__(self, serial=1000):
        self.lines = []
        self.serial = serial

    def execve(self, t, pid, ppid, exe, args, uid=33, auid=4294967295, cwd="/", node=None):
        self.serial += 1
        stamp = "audit(%d.%03d:%d)" % (int(t.timestamp()), t.microsecond // 1000, self.serial)
        pre = ("node=%s " % node) if node else ""
        comm = exe.rsplit("/", 1)[-1][:15]
        self.lines.append(pre + "type=SYSCALL msg=%s: arch=c000003e syscall=59 success=yes exit=0 a0=55d1c a1=55d2c "
                          "a2=55d3c a3=0 items=2 ppid=%d pid=%d auid=%d uid=%d gid=%d euid=%d suid=%d fsuid=%d "
                          "egid=%d sgid=%d fsgid=%d tty=(none) ses=4294967295 comm=\"%s\" exe=\"%s\" key=\"exec\""
                          % (stamp, ppid, pid, auid, uid, uid, uid, uid, uid, uid, uid, uid, comm, exe))
        self.lines.append(pre + "type=EXECVE msg=%s: argc=%d %s" % (
            stamp, len(args), " ".join("a%d=%s" % (i, _audit_arg(a)) for i, a in enumerate(args))))
        self.lines.append(pre + 'type=CWD msg=%s: cwd="%s"' % (stamp, cwd))
        self.lines.append(pre + 'type=PATH msg=%s: item=0 name="%s" inode=1234 dev=08:01 mode=0100755 ouid=0 ogid=0 '
                                'rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0' % (stamp, exe))
        self.lines.append(pre + "type=PROCTITLE msg=%s: proctitle=%s" % (stamp, "00".join(_hex(a) for a in args)))
        self.lines.append(pre + "type=EOE msg=%s: " % stamp)

    def fork(self, t, pid, ppid, child, exe, args, uid=33, node=None):
        """clone() by pid (running exe) creating child, as logged when the
        clone syscalls are audited: exit= is the child's pid."""
        self.serial += 1
        stamp = "audit(%d.%03d:%d)" % (int(t.timestamp()), t.microsecond // 1000, self.serial)
        pre = ("node=%s " % node) if node else ""
        comm = exe.rsplit("/", 1)[-1][:15]
        self.lines.append(pre + "type=SYSCALL msg=%s: arch=c000003e syscall=56 success=yes exit=%d a0=1200011 a1=0 "
                          "a2=0 a3=7f3a items=0 ppid=%d pid=%d auid=4294967295 uid=%d gid=%d euid=%d suid=%d "
                          "fsuid=%d egid=%d sgid=%d fsgid=%d tty=(none) ses=4294967295 comm=\"%s\" exe=\"%s\" "
                          "key=\"fork\"" % (stamp, child, ppid, pid, uid, uid, uid, uid, uid, uid, uid, uid, comm, exe))
        self.lines.append(pre + "type=PROCTITLE msg=%s: proctitle=%s" % (stamp, "00".join(_hex(a) for a in args)))
        self.lines.append(pre + "type=EOE msg=%s: " % stamp)

    def text(self):
        return "\n".join(self.lines) + "\n"
